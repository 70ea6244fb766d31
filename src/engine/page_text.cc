#include "engine/page_text.h"

namespace pageflow {

void FinishPageText(PageText& page) {
  page.text.clear();
  double weighted = 0;
  double total = 0;
  for (size_t i = 0; i < page.lines.size(); ++i) {
    const TextLine& line = page.lines[i];
    if (i > 0) page.text += line.block_start ? "\n\n" : "\n";
    page.text += line.text;
    weighted += static_cast<double>(line.confidence) * line.text.size();
    total += static_cast<double>(line.text.size());
  }
  page.mean_confidence = total > 0 ? static_cast<float>(weighted / total) : 0.0f;
}

}  // namespace pageflow
