// The baselines users compare against: Debian's `tesseract` command (default settings,
// same language), fed by `pdftoppm -r DPI -gray` for PDF pages, one process per page;
// and poppler's `pdftotext` (plain or -layout) for a PDF's own text, one page per call.
//
//   StatusOr<std::vector<std::string>> pages = RunTesseractCli(item_path, true, 3, "eng",
//   300, tmp); StatusOr<std::vector<std::string>> text = RunPdftotext(item_path, 3,
//   /*layout=*/true);
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace pageflow {

// Text of each page (PDF: the first max_pages, 0 = all; images: one entry, or one per
// frame joined by the CLI). work_dir holds temporary page images.
StatusOr<std::vector<std::string>> RunTesseractCli(const std::string& path, bool pdf, int max_pages,
                                                   const std::string& lang, int dpi,
                                                   const std::string& work_dir);

// Text of each of the first max_pages pages (0 = all) of a PDF from `pdftotext -enc UTF-8
// [-layout] -f N -l N`, without the form feed that ends each page.
StatusOr<std::vector<std::string>> RunPdftotext(const std::string& path, int max_pages,
                                                bool layout);

// Runs argv[0] (looked up in PATH) and returns its stdout; UNAVAILABLE when it cannot
// start, INTERNAL when it exits non-zero (stderr's last line in the message).
StatusOr<std::string> RunAndCapture(const std::vector<std::string>& argv);

}  // namespace pageflow
