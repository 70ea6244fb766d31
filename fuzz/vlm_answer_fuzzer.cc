// A VLM server's chat-completions answer: the JSON body, and olmOCR's YAML front matter
// inside the message. Servers are outside data like any file.
#include "engine/vlm/vlm_protocol.h"
#include "fuzz_target.h"

PAGEFLOW_FUZZ_TARGET(vlm_answer, data) {
  using namespace pageflow;
  for (bool front_matter : {false, true}) {
    VlmAnswer usage;
    StatusOr<VlmAnswer> answer = ParseChatAnswer(data, front_matter, &usage);
    if (answer.ok()) {
      fuzz::Check(!answer->text.empty(), "an accepted answer with no text");
      const int r = answer->rotation_correction;
      fuzz::Check(r == 0 || r == 90 || r == 180 || r == 270,
                  "rotation not a right angle");
    }
  }
  VlmAnswer direct;
  if (ParseFrontMatter(data, &direct)) {
    const int r = direct.rotation_correction;
    fuzz::Check(r == 0 || r == 90 || r == 180 || r == 270, "rotation not a right angle");
  }
}
