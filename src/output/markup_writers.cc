#include "output/markup_writers.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace pageflow {
namespace {

// Page coordinates to pixels: points are stated at points_dpi, pixels stay.
struct Scale {
  double factor = 1.0;
  int dpi = 0;  // the page image's resolution; 0 = unknown
  int operator()(int v) const { return static_cast<int>(std::lround(v * factor)); }
  Box operator()(const Box& b) const {
    return {(*this)(b.x0), (*this)(b.y0), (*this)(b.x1), (*this)(b.y1)};
  }
};

Scale ScaleOf(const PageBoxes& boxes, int points_dpi) {
  if (boxes.unit == Unit::kPoints) return {points_dpi / 72.0, points_dpi};
  return {1.0, boxes.dpi};
}

std::string BboxOf(const Box& b) {
  return "bbox " + std::to_string(b.x0) + " " + std::to_string(b.y0) + " " +
         std::to_string(b.x1) + " " + std::to_string(b.y1);
}

// Length of the valid UTF-8 sequence at s[i], or 0.
size_t Utf8Length(std::string_view s, size_t i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = 0;
  unsigned min = 0;
  unsigned cp = 0;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0)
    n = 2, min = 0x80, cp = c & 0x1F;
  else if ((c & 0xF0) == 0xE0)
    n = 3, min = 0x800, cp = c & 0x0F;
  else if ((c & 0xF8) == 0xF0)
    n = 4, min = 0x10000, cp = c & 0x07;
  else
    return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const unsigned char d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE ||
      cp == 0xFFFF) {
    return 0;
  }
  return n;
}

std::string Attr(const char* name, std::string_view value) {
  return std::string(" ") + name + "=\"" + EscapeXml(value) + "\"";
}

std::string Attr(const char* name, int value) {
  return Attr(name, std::to_string(value));
}

std::string Id(const char* prefix, int page, int n) {
  return std::string(prefix) + "_" + std::to_string(page) + "_" + std::to_string(n);
}

bool IsTopMargin(const std::string& kind) { return kind == "header"; }
bool IsBottomMargin(const std::string& kind) {
  return kind == "footer" || kind == "page_number";
}

}  // namespace

std::string EscapeXml(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (size_t i = 0; i < s.size();) {
    const char c = s[i];
    const size_t n = Utf8Length(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD for a byte that is not UTF-8
      ++i;
      continue;
    }
    if (n == 1) {
      switch (c) {
        case '&':
          out += "&amp;";
          break;
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '"':
          out += "&quot;";
          break;
        case '\'':
          out += "&apos;";
          break;
        default:
          if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n' ||
              c == '\r')
            out += c;
      }
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return out;
}

std::string HocrHeader(std::string_view title) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" "
         "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
         "<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\" lang=\"en\">\n"
         "<head>\n<title>" +
         EscapeXml(title) +
         "</title>\n"
         "<meta http-equiv=\"Content-Type\" content=\"text/html;charset=utf-8\"/>\n"
         "<meta name=\"ocr-system\" content=\"pageflow\"/>\n"
         "<meta name=\"ocr-capabilities\" content=\"ocr_page ocr_carea ocr_par ocr_line "
         "ocrx_word ocrp_wconf\"/>\n"
         "</head>\n<body>\n";
}

std::string HocrFooter() { return "</body>\n</html>\n"; }

std::string HocrPage(const PageRecord& page, std::string_view image, int points_dpi) {
  const int n = page.page;
  std::string title =
      "image \"" + std::string(image) + "\"; ppageno " + std::to_string(n - 1);
  const PageBoxes* boxes = page.error.empty() && page.boxes ? &*page.boxes : nullptr;
  if (boxes == nullptr || boxes->width <= 0 || boxes->height <= 0) {
    return "<div class=\"ocr_page\"" + Attr("id", "page_" + std::to_string(n)) +
           Attr("title", title) + "></div>\n";
  }
  const Scale scale = ScaleOf(*boxes, points_dpi);
  title += "; " + BboxOf(scale(Box{0, 0, boxes->width, boxes->height}));
  if (scale.dpi > 0) {
    title += "; scan_res " + std::to_string(scale.dpi) + " " + std::to_string(scale.dpi);
  }
  std::string out = "<div class=\"ocr_page\"" + Attr("id", "page_" + std::to_string(n)) +
                    Attr("title", title) + ">\n";
  int block_n = 0, line_n = 0, word_n = 0;
  for (const PageBoxes::Block& b : boxes->blocks) {
    ++block_n;
    const std::string bbox = BboxOf(scale(b.box));
    out += " <div class=\"ocr_carea\"" + Attr("id", Id("block", n, block_n)) +
           Attr("title", bbox) + ">\n  <p class=\"ocr_par\"" +
           Attr("id", Id("par", n, block_n)) + Attr("title", bbox) + ">\n";
    for (const PageBoxes::Line& l : b.lines) {
      const Box lb = scale(l.box);
      std::string line_title = BboxOf(lb);
      if (l.baseline >= 0) {
        line_title +=
            "; baseline 0 " + std::to_string(std::min(0, scale(l.baseline) - lb.y1));
      }
      out += "   <span class=\"ocr_line\"" + Attr("id", Id("line", n, ++line_n)) +
             Attr("title", line_title) + ">";
      bool first = true;
      for (const PageBoxes::Word& w : l.words) {
        if (!first) out += ' ';
        first = false;
        const int conf =
            static_cast<int>(std::lround(std::clamp(w.confidence, 0.0f, 1.0f) * 100));
        out += "<span class=\"ocrx_word\"" + Attr("id", Id("word", n, ++word_n)) +
               Attr("title", BboxOf(scale(w.box)) + "; x_wconf " + std::to_string(conf)) +
               ">" + EscapeXml(w.text) + "</span>";
      }
      out += "</span>\n";
    }
    out += "  </p>\n </div>\n";
  }
  out += "</div>\n";
  return out;
}

std::string AltoHeader(std::string_view source) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<alto xmlns=\"http://www.loc.gov/standards/alto/ns-v4#\" "
         "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
         "xsi:schemaLocation=\"http://www.loc.gov/standards/alto/ns-v4# "
         "http://www.loc.gov/standards/alto/v4/alto-4-4.xsd\">\n"
         "<Description>\n<MeasurementUnit>pixel</MeasurementUnit>\n"
         "<sourceImageInformation><fileName>" +
         EscapeXml(source) +
         "</fileName></sourceImageInformation>\n"
         "<Processing ID=\"pageflow\"><processingSoftware><softwareName>pageflow"
         "</softwareName></processingSoftware></Processing>\n"
         "</Description>\n<Layout>\n";
}

std::string AltoFooter() { return "</Layout>\n</alto>\n"; }

namespace {

std::string AltoPosition(const Box& b) {
  return Attr("HPOS", b.x0) + Attr("VPOS", b.y0) + Attr("WIDTH", std::max(0, b.width())) +
         Attr("HEIGHT", std::max(0, b.height()));
}

std::string AltoBlock(const PageBoxes::Block& b, const Scale& scale, int page,
                      int* block_n, int* line_n, int* word_n) {
  std::string out = "<TextBlock" + Attr("ID", Id("block", page, ++*block_n)) +
                    AltoPosition(scale(b.box)) + ">\n";
  for (const PageBoxes::Line& l : b.lines) {
    const Box lb = scale(l.box);
    out += "<TextLine" + Attr("ID", Id("line", page, ++*line_n)) + AltoPosition(lb);
    if (l.baseline >= 0) {
      const std::string y = std::to_string(scale(l.baseline));
      out += Attr("BASELINE", std::to_string(lb.x0) + "," + y + " " +
                                  std::to_string(lb.x1) + "," + y);
    }
    out += ">";
    bool first = true;
    for (const PageBoxes::Word& w : l.words) {
      const Box wb = scale(w.box);
      if (!first) out += "<SP/>";
      first = false;
      char wc[16];
      std::snprintf(wc, sizeof wc, "%.2f", std::clamp(w.confidence, 0.0f, 1.0f));
      out += "<String" + Attr("ID", Id("string", page, ++*word_n)) +
             Attr("CONTENT", w.text) + AltoPosition(wb) + Attr("WC", wc) + "/>";
    }
    out += "</TextLine>\n";
  }
  out += "</TextBlock>\n";
  return out;
}

}  // namespace

std::string AltoPage(const PageRecord& page, int points_dpi) {
  const int n = page.page;
  std::string out =
      "<Page" + Attr("ID", "page_" + std::to_string(n)) + Attr("PHYSICAL_IMG_NR", n);
  const PageBoxes* boxes = page.error.empty() && page.boxes ? &*page.boxes : nullptr;
  if (boxes == nullptr || boxes->width <= 0 || boxes->height <= 0) return out + "/>\n";
  const Scale scale = ScaleOf(*boxes, points_dpi);
  const Box page_box = scale(Box{0, 0, boxes->width, boxes->height});
  out += Attr("WIDTH", page_box.x1) + Attr("HEIGHT", page_box.y1) + ">\n";
  int block_n = 0, line_n = 0, word_n = 0;
  // The schema orders a page's spaces: TopMargin, (Left/Right), BottomMargin, PrintSpace.
  auto space = [&](const char* name, auto wanted) {
    std::string blocks;
    Box area;
    for (const PageBoxes::Block& b : boxes->blocks) {
      if (!wanted(b.kind)) continue;
      blocks += AltoBlock(b, scale, n, &block_n, &line_n, &word_n);
      const Box s = scale(b.box);
      area = area.width() <= 0 ? s
                               : Box{std::min(area.x0, s.x0), std::min(area.y0, s.y0),
                                     std::max(area.x1, s.x1), std::max(area.y1, s.y1)};
    }
    if (blocks.empty()) return std::string();
    return std::string("<") + name + AltoPosition(area) + ">\n" + blocks + "</" + name +
           ">\n";
  };
  out += space("TopMargin", IsTopMargin);
  out += space("BottomMargin", IsBottomMargin);
  std::string body;
  for (const PageBoxes::Block& b : boxes->blocks) {
    if (!IsTopMargin(b.kind) && !IsBottomMargin(b.kind))
      body += AltoBlock(b, scale, n, &block_n, &line_n, &word_n);
  }
  out += "<PrintSpace" + AltoPosition(page_box) + ">\n" + body + "</PrintSpace>\n";
  out += "</Page>\n";
  return out;
}

}  // namespace pageflow
