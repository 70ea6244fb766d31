#include "engine/vlm/vlm_protocol.h"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace pageflow {
namespace {

using nlohmann::json;

// olmOCR's v4 "no anchoring" YAML prompt (olmocr/prompts/prompts.py), which its models
// were trained with: the answer is front matter followed by the page's natural text.
constexpr char kOlmocrPrompt[] =
    "Attached is one page of a document that you must process. Just return the plain text representation of "
    "this document as if you were reading it naturally. Convert equations to LateX and tables to HTML.\n"
    "If there are any figures or charts, label them with the following markdown syntax "
    "![Alt text describing the contents of the figure](page_startx_starty_width_height.png)\n"
    "Return your output as markdown, with a front matter section on top specifying values for the "
    "primary_language, is_rotation_valid, rotation_correction, is_table, and is_diagram parameters.";

constexpr char kMarkdownPrompt[] =
    "Convert this document page to Markdown. Keep the natural reading order, render tables as Markdown "
    "tables and equations as LaTeX, and output only the page's content.";

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r' || s[b] == '\n')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' || s[e - 1] == '\n')) --e;
  return std::string(s.substr(b, e - b));
}

bool ParseBool(const std::string& v, bool* out) {
  if (v == "True" || v == "true" || v == "yes") {
    *out = true;
  } else if (v == "False" || v == "false" || v == "no") {
    *out = false;
  } else {
    return false;
  }
  return true;
}

}  // namespace

StatusOr<std::string> LoadPrompt(const std::string& p) {
  if (p == "olmocr") return std::string(kOlmocrPrompt);
  if (p == "markdown") return std::string(kMarkdownPrompt);
  std::ifstream in(p, std::ios::binary);
  if (!in) return InvalidArgument("--vlm-prompt: '" + p + "' is neither olmocr, markdown nor a readable file");
  std::ostringstream text;
  text << in.rdbuf();
  std::string prompt = Trim(text.str());
  if (prompt.empty()) return InvalidArgument("--vlm-prompt: " + p + " is empty");
  return prompt;
}

bool PromptWantsFrontMatter(const std::string& p) { return p == "olmocr"; }

std::string RequestPrefix(const std::string& model, const std::string& prompt) {
  return "{\"model\":" + json(model).dump() +
         ",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":" +
         json(prompt).dump(-1, ' ', false, json::error_handler_t::replace) +
         "},{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,";
}

std::string RequestSuffix(int max_tokens, double temperature) {
  char buf[kRequestSuffixBytes];
  std::snprintf(buf, sizeof buf, "\"}}]}],\"max_tokens\":%d,\"temperature\":%.3g}", max_tokens, temperature);
  return buf;
}

bool ParseFrontMatter(std::string_view content, VlmAnswer* a) {
  size_t start = 0;
  while (start < content.size() && (content[start] == ' ' || content[start] == '\n' || content[start] == '\r')) ++start;
  if (content.substr(start, 3) != "---") return false;
  const size_t header = content.find('\n', start);
  if (header == std::string_view::npos) return false;
  const size_t end = content.find("\n---", header);
  if (end == std::string_view::npos) return false;
  std::istringstream lines(std::string(content.substr(header + 1, end - header - 1)));
  std::string line;
  bool any = false;
  while (std::getline(lines, line)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) {
      if (Trim(line).empty()) continue;
      return false;
    }
    const std::string key = Trim(line.substr(0, colon));
    const std::string value = Trim(line.substr(colon + 1));
    any = true;
    if (key == "primary_language") {
      a->primary_language = value == "null" ? "" : value;
    } else if (key == "is_rotation_valid") {
      if (!ParseBool(value, &a->is_rotation_valid)) return false;
    } else if (key == "rotation_correction") {
      try {
        a->rotation_correction = std::stoi(value);
      } catch (...) {
        return false;
      }
      if (a->rotation_correction % 90 != 0) return false;
      a->rotation_correction = ((a->rotation_correction % 360) + 360) % 360;
    } else if (key == "is_table") {
      if (!ParseBool(value, &a->is_table)) return false;
    } else if (key == "is_diagram") {
      if (!ParseBool(value, &a->is_diagram)) return false;
    }
  }
  if (!any) return false;
  size_t body = content.find('\n', end + 1);
  a->text = body == std::string_view::npos ? "" : Trim(content.substr(body + 1));
  a->has_front_matter = true;
  return true;
}

StatusOr<VlmAnswer> ParseChatAnswer(std::string_view body, bool front_matter, VlmAnswer* usage_out) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Corrupt("server answer is not JSON");
  VlmAnswer a;
  if (j.contains("usage") && j["usage"].is_object()) {
    const json& u = j["usage"];
    if (u.contains("prompt_tokens") && u["prompt_tokens"].is_number()) a.prompt_tokens = u["prompt_tokens"].get<int64_t>();
    if (u.contains("completion_tokens") && u["completion_tokens"].is_number()) {
      a.completion_tokens = u["completion_tokens"].get<int64_t>();
    }
  }
  if (usage_out != nullptr) {
    usage_out->prompt_tokens = a.prompt_tokens;
    usage_out->completion_tokens = a.completion_tokens;
  }
  if (!j.contains("choices") || !j["choices"].is_array() || j["choices"].empty() || !j["choices"][0].is_object()) {
    return Corrupt("server answer has no choices");
  }
  const json& choice = j["choices"][0];
  if (choice.contains("finish_reason") && choice["finish_reason"].is_string()) {
    a.finish_reason = choice["finish_reason"].get<std::string>();
  }
  std::string content;
  if (choice.contains("message") && choice["message"].is_object() && choice["message"].contains("content") &&
      choice["message"]["content"].is_string()) {
    content = choice["message"]["content"].get<std::string>();
  }
  if (a.finish_reason != "stop") {
    return Unavailable("answer not finished (finish_reason " + (a.finish_reason.empty() ? "missing" : a.finish_reason) +
                       ")");
  }
  if (front_matter) {
    if (!ParseFrontMatter(content, &a)) return Unavailable("answer has no valid front matter");
    return a;  // natural_text may be empty: a blank page
  }
  a.text = Trim(content);
  if (a.text.empty()) return Unavailable("empty answer");
  return a;
}

}  // namespace pageflow
