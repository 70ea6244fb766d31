// Builds PageText::text from lines: "\n" between lines of a block, a blank line between
// blocks; and the length-weighted mean confidence.
#pragma once

#include <vector>

#include "engine/engine.h"

namespace pageflow {

void FinishPageText(PageText& page);

}  // namespace pageflow
