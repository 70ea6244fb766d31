// A protocol-faithful stand-in for an OpenAI-compatible VLM server (vLLM, SGLang), for
// tests and bench/vlm. It speaks POST /v1/chat/completions and GET /v1/models, checks
// each request as a real server would need it (model name, prompt, an image data URL
// that decodes to a PNG whose longest side is the expected target), and answers with
// deterministic text per page image. It can be told to be slow, fail, truncate or die:
//
//   vlm_test_server --port 0 --port-file F [--model M] [--target PX] [--expect-prompt STR]
//     [--olmocr] [--landscape] [--delay-ms N] [--fail-first N] [--truncate-first N]
//     [--fail-images N] [--die-after N] [--api-key K] [--log FILE]
//     [--gpu-memory-utilization F] [--max-model-len N] [--enforce-eager]   (accepted, logged)
//
// GET /stats returns {"requests", "max_concurrent", "invalid", "images", "answered"}.
#include <httplib.h>
#include <png.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <unordered_map>

#include "engine/vlm/png_codec.h"

namespace {

using nlohmann::json;

struct Config {
  int port = 0;
  std::string port_file, model = "test-model", expect_prompt, api_key, log;
  int target = 0, delay_ms = 0, fail_first = 0, truncate_first = 0, fail_images = 0, die_after = 0;
  bool olmocr = false, landscape = false;
};

struct State {
  std::mutex mu;
  std::unordered_map<uint64_t, int> seen;  // guarded by mu: requests per distinct image
  std::unordered_map<uint64_t, int> order; // guarded by mu: arrival order of distinct images
  std::atomic<int64_t> requests{0}, in_flight{0}, max_concurrent{0}, invalid{0}, answered{0};
};

uint64_t Fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

json Error(const std::string& message) { return {{"error", {{"message", message}, {"type", "invalid_request_error"}}}}; }

json Completion(const Config& c, const std::string& content, const std::string& finish, int64_t prompt_tokens) {
  return {{"id", "chatcmpl-test"},
          {"object", "chat.completion"},
          {"model", c.model},
          {"choices", {{{"index", 0}, {"message", {{"role", "assistant"}, {"content", content}}}, {"finish_reason", finish}}}},
          {"usage", {{"prompt_tokens", prompt_tokens}, {"completion_tokens", static_cast<int64_t>(content.size() / 4 + 1)},
                     {"total_tokens", prompt_tokens + static_cast<int64_t>(content.size() / 4 + 1)}}}};
}

// Validate's answer for a model the server does not serve (a 404, as vLLM answers).
const std::string kUnknownModel = "unknown model: ";

// vLLM's error body: {"object": "error", "message", "type", "param", "code"}.
json VllmError(const std::string& message, const std::string& type, int code) {
  return {{"object", "error"},
          {"message", message},
          {"type", type},
          {"param", nullptr},
          {"code", code}};
}

// Validates the request; on success sets the decoded PNG's size and bytes.
std::string Validate(const Config& c, const httplib::Request& req, json* body, int* w, int* h, std::string* png) {
  if (!c.api_key.empty() && req.get_header_value("Authorization") != "Bearer " + c.api_key) return "bad api key";
  *body = json::parse(req.body, nullptr, false);
  if (body->is_discarded() || !body->is_object()) return "body is not JSON";
  if (body->value("model", "") != c.model)
    return kUnknownModel + body->value("model", "");
  const json& messages = (*body)["messages"];
  if (!messages.is_array() || messages.empty() || !messages[0].contains("content") ||
      !messages[0]["content"].is_array()) {
    return "messages[0].content is not an array";
  }
  std::string prompt, url;
  for (const json& part : messages[0]["content"]) {
    if (part.value("type", "") == "text") prompt = part.value("text", "");
    if (part.value("type", "") == "image_url" && part.contains("image_url")) url = part["image_url"].value("url", "");
  }
  if (prompt.empty()) return "no text prompt";
  if (!c.expect_prompt.empty() && prompt.find(c.expect_prompt) == std::string::npos) return "unexpected prompt";
  const std::string prefix = "data:image/png;base64,";
  if (url.compare(0, prefix.size(), prefix) != 0) return "image is not a PNG data URL";
  if (!pageflow::DecodeBase64(std::string_view(url).substr(prefix.size()), png)) return "bad base64";
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, png->data(), png->size())) return "image does not decode as PNG";
  *w = static_cast<int>(image.width);
  *h = static_cast<int>(image.height);
  image.format = PNG_FORMAT_GRAY;
  std::vector<uint8_t> pixels(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr)) return "PNG pixels do not decode";
  if (c.target > 0 && std::max(*w, *h) != c.target) {
    return "image is " + std::to_string(*w) + " x " + std::to_string(*h) + ", longest side should be " +
           std::to_string(c.target);
  }
  if (!body->contains("max_tokens") || !(*body)["max_tokens"].is_number_integer()) return "no max_tokens";
  return "";
}

bool ParseArgs(int argc, char** argv, Config* c) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--port") c->port = std::stoi(next());
    else if (a == "--port-file") c->port_file = next();
    else if (a == "--model") c->model = next();
    else if (a == "--target") c->target = std::stoi(next());
    else if (a == "--expect-prompt") c->expect_prompt = next();
    else if (a == "--olmocr") c->olmocr = true;
    else if (a == "--landscape") c->landscape = true;
    else if (a == "--delay-ms") c->delay_ms = std::stoi(next());
    else if (a == "--fail-first") c->fail_first = std::stoi(next());
    else if (a == "--truncate-first") c->truncate_first = std::stoi(next());
    else if (a == "--fail-images") c->fail_images = std::stoi(next());
    else if (a == "--die-after") c->die_after = std::stoi(next());
    else if (a == "--api-key") c->api_key = next();
    else if (a == "--log") c->log = next();
    else if (a == "--gpu-memory-utilization" || a == "--max-model-len") next();
    else if (a == "--enforce-eager") continue;
    else {
      std::cerr << "vlm_test_server: unknown argument " << a << "\n";
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Config c;
  if (!ParseArgs(argc, argv, &c)) return 2;
  if (!c.log.empty()) {
    std::ofstream log(c.log, std::ios::app);
    log << "start";
    for (int i = 1; i < argc; ++i) log << " " << argv[i];
    log << "\n";
  }
  State state;
  httplib::Server server;
  server.new_task_queue = [] { return new httplib::ThreadPool(96); };
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(100000);
  server.set_keep_alive_timeout(60);

  server.Get("/v1/models", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(json({{"object", "list"}, {"data", {{{"id", c.model}, {"object", "model"}}}}}).dump(),
                    "application/json");
  });
  server.Get("/stats", [&](const httplib::Request&, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(state.mu);
    res.set_content(json({{"requests", state.requests.load()},
                          {"max_concurrent", state.max_concurrent.load()},
                          {"invalid", state.invalid.load()},
                          {"answered", state.answered.load()},
                          {"images", static_cast<int64_t>(state.order.size())}})
                        .dump(),
                    "application/json");
  });
  server.Post("/v1/chat/completions", [&](const httplib::Request& req, httplib::Response& res) {
    const int64_t n = ++state.requests;
    const int64_t now = ++state.in_flight;
    for (int64_t m = state.max_concurrent.load(); now > m && !state.max_concurrent.compare_exchange_weak(m, now);) {
    }
    struct Leave {
      State& s;
      ~Leave() { --s.in_flight; }
    } leave{state};
    if (c.die_after > 0 && n >= c.die_after) _exit(3);  // mid-request, as a crashing server would
    if (c.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(c.delay_ms));
    json body;
    int w = 0, h = 0;
    std::string png;
    const std::string invalid = Validate(c, req, &body, &w, &h, &png);
    if (invalid.rfind(kUnknownModel, 0) == 0) {
      ++state.invalid;
      res.status = 404;
      res.set_content(VllmError("The model `" + invalid.substr(kUnknownModel.size()) +
                                    "` does not exist.",
                                "NotFoundError", 404)
                          .dump(),
                      "application/json");
      return;
    }
    if (!invalid.empty()) {
      ++state.invalid;
      res.status = 400;
      res.set_content(Error(invalid).dump(), "application/json");
      return;
    }
    const uint64_t id = Fnv1a(png);
    int nth = 0, rank = 0;
    {
      std::lock_guard<std::mutex> lock(state.mu);
      nth = ++state.seen[id];
      auto it = state.order.find(id);
      if (it == state.order.end()) it = state.order.emplace(id, static_cast<int>(state.order.size())).first;
      rank = it->second;
    }
    if (rank < c.fail_images || nth <= c.fail_first) {
      res.status = 500;
      res.set_content(Error("internal server error (told to fail)").dump(), "application/json");
      return;
    }
    char text[64];
    std::snprintf(text, sizeof text, "vlm page %016llx", static_cast<unsigned long long>(id));
    std::string content = text;
    std::string finish = "stop";
    if (nth <= c.fail_first + c.truncate_first) {
      finish = "length";
      content = content.substr(0, 8);
    }
    if (c.olmocr) {
      const bool rotated = c.landscape && h > w;
      content = std::string("---\nprimary_language: en\nis_rotation_valid: ") + (rotated ? "False" : "True") +
                "\nrotation_correction: " + (rotated ? "90" : "0") + "\nis_table: False\nis_diagram: False\n---\n" +
                content;
    }
    ++state.answered;
    res.set_content(Completion(c, content, finish, static_cast<int64_t>(png.size() / 100 + 50)).dump(),
                    "application/json");
  });

  const int port = c.port > 0 ? (server.bind_to_port("127.0.0.1", c.port) ? c.port : -1)
                              : server.bind_to_any_port("127.0.0.1");
  if (port <= 0) {
    std::cerr << "vlm_test_server: cannot bind\n";
    return 1;
  }
  if (!c.port_file.empty()) {
    const std::string tmp = c.port_file + ".tmp";
    std::ofstream(tmp) << port << "\n";
    std::rename(tmp.c_str(), c.port_file.c_str());
  }
  server.listen_after_bind();
  return 0;
}
