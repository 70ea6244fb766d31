// The chat-completions protocol as the vlm engine speaks it: prompt presets, the request
// body (built around the page's base64 PNG so the image is written once, straight into
// the body), and the answer: validation and olmOCR's YAML front matter.
//
//   StatusOr<std::string> prompt = LoadPrompt("olmocr");
//   RequestBody body = ...;  body.AppendPrefix(model, *prompt); AppendBase64(png, &body.text); ...
//   StatusOr<VlmAnswer> a = ParseChatAnswer(response_json, /*front_matter=*/true);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace pageflow {

// The prompt text for "olmocr", "markdown", or the contents of a template file (a path).
// INVALID_ARGUMENT for an unreadable or empty file.
StatusOr<std::string> LoadPrompt(const std::string& preset_or_path);
// True for the olmocr preset: the answer carries YAML front matter.
bool PromptWantsFrontMatter(const std::string& preset_or_path);

// JSON text before the base64 image: {"model":..., "messages":[{... "url":"data:image/png;base64,
std::string RequestPrefix(const std::string& model, const std::string& prompt);
// JSON text after it: "}}]}], "max_tokens":N, "temperature":T}
std::string RequestSuffix(int max_tokens, double temperature);
// Upper bound of RequestSuffix's size.
constexpr int64_t kRequestSuffixBytes = 128;

// A validated answer.
struct VlmAnswer {
  std::string text;               // natural text (front matter removed)
  std::string finish_reason;
  int64_t prompt_tokens = 0;      // usage.*, 0 when the server does not say
  int64_t completion_tokens = 0;
  // From olmOCR's front matter (defaults when absent).
  bool has_front_matter = false;
  std::string primary_language;
  bool is_rotation_valid = true;
  int rotation_correction = 0;    // degrees counter-clockwise to turn the image: 0, 90, 180, 270
  bool is_table = false;
  bool is_diagram = false;
};

// Parses a chat-completions response body. Usage counts are filled even when the answer
// is rejected (check *usage_out). Errors (all retryable): CORRUPT for a body that is not
// a chat completion; UNAVAILABLE for finish_reason other than "stop" (e.g. "length":
// truncated), an empty answer, or (front_matter) missing or malformed front matter.
StatusOr<VlmAnswer> ParseChatAnswer(std::string_view body, bool front_matter, VlmAnswer* usage_out);

// Parses "---\nkey: value\n...\n---\nbody" into *answer (text = body). False if absent
// or malformed.
bool ParseFrontMatter(std::string_view content, VlmAnswer* answer);

}  // namespace pageflow
