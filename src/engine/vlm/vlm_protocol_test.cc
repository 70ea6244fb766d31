#include "engine/vlm/vlm_protocol.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace pageflow {
namespace {

using nlohmann::json;

std::string Completion(const std::string& content, const std::string& finish = "stop") {
  return json({{"choices", {{{"index", 0}, {"message", {{"role", "assistant"}, {"content", content}}},
                             {"finish_reason", finish}}}},
               {"usage", {{"prompt_tokens", 1200}, {"completion_tokens", 34}}}})
      .dump();
}

TEST(VlmProtocolTest, OlmocrFrontMatterIsParsed) {
  VlmAnswer usage;
  StatusOr<VlmAnswer> a = ParseChatAnswer(
      Completion("---\nprimary_language: en\nis_rotation_valid: False\nrotation_correction: 90\nis_table: True\n"
                 "is_diagram: false\n---\nHello\n\nWorld\n"),
      true, &usage);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->text, "Hello\n\nWorld");
  EXPECT_EQ(a->primary_language, "en");
  EXPECT_FALSE(a->is_rotation_valid);
  EXPECT_EQ(a->rotation_correction, 90);
  EXPECT_TRUE(a->is_table);
  EXPECT_FALSE(a->is_diagram);
  EXPECT_EQ(a->prompt_tokens, 1200);
  EXPECT_EQ(usage.completion_tokens, 34);
}

TEST(VlmProtocolTest, BlankPageWithFrontMatterIsValid) {
  StatusOr<VlmAnswer> a = ParseChatAnswer(
      Completion("---\nprimary_language: null\nis_rotation_valid: True\nrotation_correction: 0\nis_table: False\n"
                 "is_diagram: False\n---\n"),
      true, nullptr);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->text, "");
  EXPECT_EQ(a->primary_language, "");
}

TEST(VlmProtocolTest, InvalidAnswersAreRejected) {
  VlmAnswer usage;
  StatusOr<VlmAnswer> truncated = ParseChatAnswer(Completion("Hello", "length"), false, &usage);
  EXPECT_EQ(truncated.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(usage.prompt_tokens, 1200);  // tokens were spent even so
  EXPECT_FALSE(ParseChatAnswer(Completion("  \n"), false, nullptr).ok());
  EXPECT_FALSE(ParseChatAnswer(Completion("no front matter"), true, nullptr).ok());
  EXPECT_FALSE(ParseChatAnswer(Completion("---\nrotation_correction: 45\n---\nx"), true, nullptr).ok());
  EXPECT_EQ(ParseChatAnswer("<html>", false, nullptr).status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(ParseChatAnswer("{\"choices\":[]}", false, nullptr).status().code(), StatusCode::kCorrupt);
  StatusOr<VlmAnswer> md = ParseChatAnswer(Completion("# Title\n"), false, nullptr);
  ASSERT_TRUE(md.ok());
  EXPECT_EQ(md->text, "# Title");
}

TEST(VlmProtocolTest, RequestIsChatCompletionJson) {
  const std::string body = RequestPrefix("m\"1", "say \"hi\"\n") + "QUJD" + RequestSuffix(100, 0.2);
  json j = json::parse(body);
  EXPECT_EQ(j["model"].get<std::string>(), "m\"1");
  EXPECT_EQ(j["messages"][0]["content"][0]["text"].get<std::string>(), "say \"hi\"\n");
  EXPECT_EQ(j["messages"][0]["content"][1]["image_url"]["url"].get<std::string>(), "data:image/png;base64,QUJD");
  EXPECT_EQ(j["max_tokens"].get<int>(), 100);
  EXPECT_DOUBLE_EQ(j["temperature"].get<double>(), 0.2);
  EXPECT_LE(RequestSuffix(1000000, 0.123456).size(), static_cast<size_t>(kRequestSuffixBytes));
}

TEST(VlmProtocolTest, PromptPresetsAndFiles) {
  StatusOr<std::string> olmocr = LoadPrompt("olmocr");
  ASSERT_TRUE(olmocr.ok());
  EXPECT_NE(olmocr->find("front matter"), std::string::npos);
  EXPECT_TRUE(PromptWantsFrontMatter("olmocr"));
  EXPECT_FALSE(PromptWantsFrontMatter("markdown"));
  EXPECT_EQ(LoadPrompt("/nonexistent/prompt.txt").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pageflow
