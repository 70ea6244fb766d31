#include "pipeline/plan.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>

#include "base/memory_budget.h"
#include "base/process_stats.h"
#include "input/document.h"
#include "input/input_walker.h"
#include "pipeline/fixed_costs.h"
#include "pipeline/page_access.h"
#include "raster/render_plan.h"

namespace pageflow {
namespace {

// A budget that never refuses: fixed costs are measured whatever the limit, and pages
// are sized as if the limit were no object.
constexpr int64_t kNoLimit = std::numeric_limits<int64_t>::max() / 4;

// ISO 216 A4 and US Letter, in points.
constexpr double kA4WidthPt = 595.276, kA4HeightPt = 841.89;
constexpr double kLetterWidthPt = 612, kLetterHeightPt = 792;

// The page handed to the engine: it does what DocumentPageAccess does up to the point
// where memory would be reserved, records what would have been, and renders nothing.
// Its text layer is empty, so `auto` takes the OCR path: the plan is for the worst case.
class PlanningPageAccess final : public PageAccess {
 public:
  PlanningPageAccess(const StatusOr<PageGeometry>& geometry, bool pdf,
                     const RenderOptions& render, int64_t max_bytes, std::string label)
      : geometry_(geometry),
        pdf_(pdf),
        render_(render),
        max_bytes_(max_bytes),
        label_(std::move(label)) {}

  StatusOr<TextLayerPage> TextLayer() override {
    if (!pdf_) return Unsupported("images have no text layer");
    // As DocumentPageAccess: the structured text plus MuPDF's allowance for the page.
    text_layer_wanted_ = kTextLayerBytes + kMaxPdfLibraryBytes;
    const int64_t granted =
        kTextLayerBytes + PdfLibraryReservationBytes(true, kTextLayerBytes, max_bytes_);
    if (granted > max_bytes_) {
      return ResourceExhausted("text layer of " + label_ + " needs " +
                               FormatBytes(granted) + ", more than the " +
                               FormatBytes(max_bytes_) + " left per page");
    }
    text_layer_granted_ = granted;
    return TextLayerPage{};
  }

  StatusOr<Raster> Render(const WorkingBytesFn& working_bytes) override {
    return Render(RenderRequest{working_bytes, 0});
  }

  // As DocumentPageAccess: an engine may ask for a target size instead of --dpi (vlm).
  StatusOr<Raster> Render(const RenderRequest& request) override {
    const WorkingBytesFn& working_bytes = request.working_bytes;
    RenderOptions render = render_;
    render.target_long_side = request.target_long_side;
    if (!geometry_.ok()) {
      wanted_ = geometry_.status();
      granted_ = geometry_.status();
      rendered_ = true;
      return geometry_.status();
    }
    StatusOr<RenderPlan> wanted =
        PlanRender(*geometry_, render, working_bytes, kNoLimit);
    if (wanted.ok()) wanted->total_bytes += pdf_ ? kMaxPdfLibraryBytes : 0;
    // An engine may ask more than once (a fallback): the largest request is the plan.
    if (!rendered_ || !wanted_.ok() ||
        (wanted.ok() && wanted->total_bytes > wanted_->total_bytes)) {
      rendered_ = true;
      wanted_ = std::move(wanted);
      // As DocumentPageAccess: room is left for MuPDF's allowance, reserved with it.
      granted_ = PlanRender(*geometry_, render, working_bytes,
                            max_bytes_ - PdfLibraryFloorBytes(pdf_));
      if (granted_.ok()) {
        granted_->total_bytes +=
            PdfLibraryReservationBytes(pdf_, granted_->total_bytes, max_bytes_);
      }
    }
    if (!granted_.ok()) return granted_.status();
    return pageflow::Cancelled("planning only: nothing is rendered");
  }

  std::string Label() const override { return label_; }

  bool rendered() const { return rendered_; }
  const StatusOr<RenderPlan>& wanted() const { return wanted_; }
  const StatusOr<RenderPlan>& granted() const { return granted_; }
  int64_t text_layer_wanted() const { return text_layer_wanted_; }
  int64_t text_layer_granted() const { return text_layer_granted_; }

 private:
  const StatusOr<PageGeometry>& geometry_;
  bool pdf_;
  RenderOptions render_;
  int64_t max_bytes_;
  std::string label_;
  bool rendered_ = false;
  StatusOr<RenderPlan> wanted_ = Internal("not planned");
  StatusOr<RenderPlan> granted_ = Internal("not planned");
  int64_t text_layer_wanted_ = 0;
  int64_t text_layer_granted_ = 0;
};

int InFlight(int64_t page_budget_bytes, int64_t reserved_bytes, int workers) {
  const int64_t fit = page_budget_bytes / std::max<int64_t>(1, reserved_bytes);
  return static_cast<int>(std::clamp<int64_t>(fit, 1, workers));
}

PagePlan PlanPage(Engine& engine, const StatusOr<PageGeometry>& geometry, bool pdf,
                  const RunOptions& o, int64_t page_budget_bytes, std::string name,
                  std::string label) {
  PlanningPageAccess page(geometry, pdf, o.render,
                          std::max<int64_t>(0, page_budget_bytes), std::move(label));
  StatusOr<PageText> result = engine.Recognize(page);
  PagePlan p;
  p.name = std::move(name);
  if (geometry.ok() && geometry->native_width == 0) {
    p.width_pt = geometry->width_pt;
    p.height_pt = geometry->height_pt;
  }
  p.renders = page.rendered();
  p.requested_bytes = page.text_layer_wanted();
  if (!page.rendered()) {
    if (result.ok()) {
      p.reserved_bytes = page.text_layer_granted();
    } else {
      p.outcome = PageOutcome::kRefused;
      p.note = result.status().message();
    }
  } else if (!page.wanted().ok()) {
    p.outcome = PageOutcome::kRefused;
    p.note = page.wanted().status().message();
  } else {
    const RenderPlan& wanted = *page.wanted();
    p.requested_width = wanted.width;
    p.requested_height = wanted.height;
    p.requested_bytes = std::max(p.requested_bytes, wanted.total_bytes);
    if (!page.granted().ok()) {
      p.outcome = PageOutcome::kRefused;
      p.note = page.granted().status().message();
    } else {
      const RenderPlan& granted = *page.granted();
      p.width = granted.width;
      p.height = granted.height;
      p.reserved_bytes = std::max(page.text_layer_granted(), granted.total_bytes);
      const bool reduced =
          granted.width != wanted.width || granted.height != wanted.height;
      p.outcome = reduced ? PageOutcome::kDownscaled : PageOutcome::kFits;
      p.note = reduced ? granted.note : wanted.note;
    }
  }
  if (p.outcome != PageOutcome::kRefused)
    p.in_flight = InFlight(page_budget_bytes, p.reserved_bytes, o.workers);
  return p;
}

// Limits users type: whole MiB, rounded up so that the figure is enough.
std::string LimitFlag(int64_t bytes) {
  const int64_t mib = (bytes + (1ll << 20) - 1) >> 20;
  return std::to_string(mib) + "M";
}

std::string Plural(int n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

void Decide(MemoryPlan& plan) {
  std::vector<const PagePlan*> deciding;
  bool problem = false;
  for (const DocumentPlan& d : plan.documents) {
    if (!d.error.empty() || d.downscaled > 0 || d.refused > 0) problem = true;
    if (d.largest_page > 0) deciding.push_back(&d.largest);
  }
  if (deciding.empty()) {
    for (const PagePlan& p : plan.typical_pages) deciding.push_back(&p);
  }
  const PagePlan* largest = nullptr;
  for (const PagePlan* p : deciding) {
    if (p->outcome != PageOutcome::kFits) problem = true;
    if (largest == nullptr || p->requested_bytes > largest->requested_bytes) largest = p;
  }
  plan.page_bytes = largest != nullptr ? largest->requested_bytes : 0;
  plan.pages_in_flight = largest != nullptr ? largest->in_flight : 0;
  plan.required_limit_bytes = plan.fixed_bytes + plan.workers * plan.page_bytes;
  plan.suggested_workers = 0;
  for (int k = plan.workers; k >= 1; --k) {
    if (plan.FixedBytesFor(k) + k * plan.page_bytes <= plan.limit_bytes) {
      plan.suggested_workers = k;
      break;
    }
  }
  plan.fixed_fit = plan.fixed_bytes <= plan.limit_bytes;
  plan.fits = plan.fixed_fit && plan.required_limit_bytes <= plan.limit_bytes && !problem;

  const std::string workers = Plural(plan.workers, "worker", "workers");
  const std::string need = workers + (plan.workers == 1 ? " needs" : " need") +
                           " at least " + LimitFlag(plan.required_limit_bytes) + " (" +
                           FormatBytes(plan.fixed_bytes) + " fixed + " +
                           std::to_string(plan.workers) + " x " +
                           FormatBytes(plan.page_bytes) + " per page)";
  const std::string with = "with " + FormatBytes(plan.limit_bytes);
  if (!plan.fixed_fit) {
    std::string a = "the fixed costs alone (" + FormatBytes(plan.fixed_bytes) +
                    ") exceed the limit of " + FormatBytes(plan.limit_bytes) +
                    ", so a run would not start; " + need;
    if (plan.suggested_workers > 0)
      a += "; " + with + ", use --workers " + std::to_string(plan.suggested_workers);
    plan.advice.push_back(a + "; or use --memory-limit " +
                          LimitFlag(plan.required_limit_bytes));
  } else if (plan.required_limit_bytes > plan.limit_bytes) {
    if (plan.suggested_workers > 0) {
      plan.advice.push_back(need + "; " + with + ", use --workers " +
                            std::to_string(plan.suggested_workers) +
                            " (or --memory-limit " +
                            LimitFlag(plan.required_limit_bytes) + ")");
    } else {
      const int64_t one = plan.FixedBytesFor(1) + plan.page_bytes;
      plan.advice.push_back(
          (plan.workers == 1 ? need : "even 1 worker needs at least " + LimitFlag(one)) +
          "; " + with +
          ", the largest pages would be downscaled or refused: use --memory-limit " +
          LimitFlag(one) + " or lower --dpi / --max-dim");
    }
  }
  int unopened = 0, refused = 0;
  for (const DocumentPlan& d : plan.documents) {
    unopened += d.error.empty() ? 0 : 1;
    refused += d.refused;
  }
  if (unopened > 0)
    plan.advice.push_back(Plural(unopened, "input", "inputs") +
                          " cannot be opened: a run would fail " +
                          (unopened == 1 ? "it" : "them"));
  if (refused > 0 && plan.required_limit_bytes <= plan.limit_bytes) {
    plan.advice.push_back(Plural(refused, "page", "pages") +
                          " would fail whatever the limit (see each page's note)");
  }
}

nlohmann::ordered_json PageJson(const PagePlan& p) {
  nlohmann::ordered_json j = {
      {"name", p.name},
      {"renders", p.renders},
      {"requested",
       {{"width", p.requested_width},
        {"height", p.requested_height},
        {"bytes", p.requested_bytes}}},
      {"planned",
       {{"width", p.width}, {"height", p.height}, {"bytes", p.reserved_bytes}}},
      {"outcome", PageOutcomeName(p.outcome)},
      {"in_flight", p.in_flight},
      {"note", p.note}};
  if (p.width_pt > 0) {
    j["width_pt"] = p.width_pt;
    j["height_pt"] = p.height_pt;
  }
  return j;
}

std::string Dims(int w, int h) { return std::to_string(w) + " x " + std::to_string(h); }

// One table row: name, requested raster and reservation, what the budget grants, pages in
// flight.
std::string Row(const std::string& name, const PagePlan& p, int workers) {
  std::string wanted = p.renders && p.requested_width > 0
                           ? Dims(p.requested_width, p.requested_height)
                           : (p.renders ? "-" : "text layer");
  std::string outcome = PageOutcomeName(p.outcome);
  if (p.outcome == PageOutcome::kDownscaled) {
    outcome +=
        " to " + Dims(p.width, p.height) + " (" + FormatBytes(p.reserved_bytes) + ")";
  }
  const std::string flight =
      p.outcome == PageOutcome::kRefused
          ? "0"
          : std::to_string(p.in_flight) + " of " + std::to_string(workers);
  char line[512];
  std::string out;
  if (name.size() > 26) {
    out = "  " + name + "\n";
    std::snprintf(line, sizeof line, "  %-26s %-22s %11s  %-10s %s\n", "", wanted.c_str(),
                  FormatBytes(p.requested_bytes).c_str(), flight.c_str(),
                  outcome.c_str());
  } else {
    std::snprintf(line, sizeof line, "  %-26s %-22s %11s  %-10s %s\n", name.c_str(),
                  wanted.c_str(), FormatBytes(p.requested_bytes).c_str(), flight.c_str(),
                  outcome.c_str());
  }
  out += line;
  if (!p.note.empty()) out += "  " + std::string(26, ' ') + " note: " + p.note + "\n";
  return out;
}

}  // namespace

const char* PageOutcomeName(PageOutcome outcome) {
  switch (outcome) {
    case PageOutcome::kFits:
      return "fits";
    case PageOutcome::kDownscaled:
      return "downscaled";
    case PageOutcome::kRefused:
      return "refused";
  }
  return "?";
}

int64_t MemoryPlan::FixedBytesFor(int k) const {
  int64_t bytes = pdf_store_bytes;
  for (int i = 0; i < k && i < static_cast<int>(engines.size()); ++i)
    bytes += engines[i].bytes();
  // Beyond the engines measured, each further one costs what the last did.
  if (k > static_cast<int>(engines.size()) && !engines.empty()) {
    bytes += (k - static_cast<int64_t>(engines.size())) * engines.back().bytes();
  }
  return bytes;
}

int MemoryPlan::ExitCode() const {
  if (!fixed_fit) return 3;
  return fits ? 0 : 1;
}

StatusOr<MemoryPlan> PlanMemory(const RunOptions& options, const EngineFactory& create) {
  if (options.workers < 1) return InvalidArgument("--workers must be at least 1");
  MemoryPlan plan;
  plan.engine = options.engine.kind;
  plan.auto_ocr = options.engine.auto_ocr;
  plan.lang = options.engine.lang;
  plan.workers = options.workers;
  plan.dpi = options.render.dpi;
  plan.max_dim = options.render.max_dim;
  plan.ram_bytes = PhysicalMemoryBytes();
  plan.cgroup_limit_bytes = CgroupMemoryLimitBytes();
  plan.limit_from_flag = options.memory_limit_bytes > 0;
  plan.limit_bytes =
      plan.limit_from_flag ? options.memory_limit_bytes : DefaultMemoryLimitBytes();

  // Loaded as a run loads them; each engine then gets one page (sized as if memory were
  // no object) so that models an engine loads on first use are charged too.
  MemoryBudget throwaway(kNoLimit);
  PF_ASSIGN_OR_RETURN(FixedCosts fixed, ChargeFixedCosts(options, throwaway, create));
  plan.pdf_store_bytes = fixed.pdf_store.bytes();
  const StatusOr<PageGeometry> a4 = PageGeometry{kA4WidthPt, kA4HeightPt};
  const StatusOr<PageGeometry> letter = PageGeometry{kLetterWidthPt, kLetterHeightPt};
  for (size_t i = 0; i < fixed.engines.size(); ++i) {
    EngineCost cost;
    cost.load_bytes = fixed.engine_bytes[i];
    const int64_t before = throwaway.Stats().fixed_bytes;
    PlanningPageAccess warm_up(a4, /*pdf=*/true, options.render, kNoLimit, "an A4 page");
    (void)fixed.engines[i]->Recognize(warm_up);
    cost.first_page_bytes = throwaway.Stats().fixed_bytes - before;
    plan.engines.push_back(cost);
  }
  plan.fixed_bytes = plan.FixedBytesFor(plan.workers);

  Engine& engine = *fixed.engines.front();
  const int64_t page_budget = plan.page_budget_bytes();
  const std::string at = " at " + std::to_string(options.render.dpi) + " DPI";
  plan.typical_pages.push_back(
      PlanPage(engine, a4, true, options, page_budget, "A4", "an A4 page" + at));
  plan.typical_pages.push_back(PlanPage(engine, letter, true, options, page_budget,
                                        "Letter", "a Letter page" + at));

  InputWalker walker(options.inputs);
  while (std::optional<InputItem> item = walker.Next()) {
    DocumentPlan d;
    d.path = item->path;
    if (!item->error.ok()) {
      d.error = item->error.message();
      plan.documents.push_back(std::move(d));
      continue;
    }
    StatusOr<std::unique_ptr<Document>> doc = OpenDocument(item->path);
    if (!doc.ok()) {
      d.error = doc.status().message();
      plan.documents.push_back(std::move(d));
      continue;
    }
    d.pages = (*doc)->page_count();
    d.pages_planned =
        options.max_pages > 0 ? std::min(d.pages, options.max_pages) : d.pages;
    const bool pdf = (*doc)->format() == DocumentFormat::kPdf;
    for (int p = 0; p < d.pages_planned; ++p) {
      const StatusOr<PageGeometry> geometry = (*doc)->Geometry(p);
      const std::string name = "page " + std::to_string(p + 1);
      PagePlan page = PlanPage(engine, geometry, pdf, options, page_budget, name,
                               name + " of " + item->path);
      d.downscaled += page.outcome == PageOutcome::kDownscaled ? 1 : 0;
      d.refused += page.outcome == PageOutcome::kRefused ? 1 : 0;
      if (d.largest_page == 0 || page.requested_bytes > d.largest.requested_bytes) {
        d.largest_page = p + 1;
        d.largest = std::move(page);
      }
    }
    plan.documents.push_back(std::move(d));
  }
  Decide(plan);
  return plan;
}

std::string MemoryPlan::ToJson() const {
  nlohmann::ordered_json engines_json = nlohmann::ordered_json::array();
  for (size_t i = 0; i < engines.size(); ++i) {
    engines_json.push_back({{"worker", i + 1},
                            {"load_bytes", engines[i].load_bytes},
                            {"first_page_bytes", engines[i].first_page_bytes},
                            {"bytes", engines[i].bytes()}});
  }
  nlohmann::ordered_json typical = nlohmann::ordered_json::array();
  for (const PagePlan& p : typical_pages) typical.push_back(PageJson(p));
  nlohmann::ordered_json docs = nlohmann::ordered_json::array();
  for (const DocumentPlan& d : documents) {
    nlohmann::ordered_json j = {{"path", d.path}};
    if (!d.error.empty()) {
      j["error"] = d.error;
    } else {
      j["pages"] = d.pages;
      j["pages_planned"] = d.pages_planned;
      j["downscaled"] = d.downscaled;
      j["refused"] = d.refused;
      if (d.largest_page > 0) {
        j["largest_page"] = d.largest_page;
        j["largest"] = PageJson(d.largest);
      }
    }
    docs.push_back(std::move(j));
  }
  nlohmann::ordered_json j = {
      {"engine", engine},
      {"auto_ocr", auto_ocr},
      {"lang", lang},
      {"workers", workers},
      {"dpi", dpi},
      {"max_dim", max_dim},
      {"memory_limit_bytes", limit_bytes},
      {"memory_limit_source", limit_from_flag ? "--memory-limit" : "default"},
      {"physical_memory_bytes", ram_bytes},
      {"cgroup_limit_bytes", cgroup_limit_bytes},
      {"fixed",
       {{"pdf_store_bytes", pdf_store_bytes},
        {"engines", engines_json},
        {"total_bytes", fixed_bytes}}},
      {"page_budget_bytes", page_budget_bytes()},
      {"typical_pages", typical},
      {"documents", docs},
      {"decided_by", documents.empty() ? "typical_pages" : "documents"},
      {"page_bytes", page_bytes},
      {"pages_in_flight", pages_in_flight},
      {"required_limit_bytes", required_limit_bytes},
      {"suggested_workers", suggested_workers},
      {"suggested_memory_limit_bytes", ((required_limit_bytes + (1ll << 20) - 1) >> 20)
                                           << 20},
      {"fixed_fit", fixed_fit},
      {"fits", fits},
      {"advice", advice},
      {"exit_code", ExitCode()},
  };
  return j.dump(2) + "\n";
}

std::string MemoryPlan::ToText() const {
  std::string out;
  char line[512];
  out += "Plan for: --engine " + engine + " --lang " + lang + " --workers " +
         std::to_string(workers) + " --dpi " + std::to_string(dpi) + " --max-dim " +
         std::to_string(max_dim) + "\n\n";
  const std::string source =
      limit_from_flag
          ? "--memory-limit"
          : "default: half of min(RAM " + FormatBytes(ram_bytes) + ", cgroup limit " +
                (cgroup_limit_bytes > 0 ? FormatBytes(cgroup_limit_bytes)
                                        : std::string("none")) +
                ")";
  std::snprintf(line, sizeof line, "  %-26s %9s  %s\n", "memory limit",
                FormatBytes(limit_bytes).c_str(), source.c_str());
  out += line;
  std::snprintf(line, sizeof line, "  %-26s %9s  %s\n", "PDF resource store",
                FormatBytes(pdf_store_bytes).c_str(), "fixed (--pdf-store)");
  out += line;
  for (size_t i = 0; i < engines.size(); ++i) {
    const std::string name = "worker " + std::to_string(i + 1) + ": " + engine +
                             (engine == "auto" ? " (" + auto_ocr + ")" : "");
    std::string how = "fixed, measured at load";
    if (engines[i].first_page_bytes > 0)
      how += " (+" + FormatBytes(engines[i].first_page_bytes) + " on its first page)";
    std::snprintf(line, sizeof line, "  %-26s %9s  %s\n", name.c_str(),
                  FormatBytes(engines[i].bytes()).c_str(), how.c_str());
    out += line;
  }
  std::snprintf(
      line, sizeof line, "  %-26s %9s  %s\n", "fixed costs",
      FormatBytes(fixed_bytes).c_str(),
      fixed_fit ? "charged at start" : "MORE THAN THE LIMIT: a run would not start");
  out += line;
  std::snprintf(line, sizeof line, "  %-26s %9s  %s\n\n", "left for pages",
                FormatBytes(std::max<int64_t>(0, page_budget_bytes())).c_str(),
                "the most one page can reserve");
  out += line;

  std::snprintf(line, sizeof line, "  %-26s %-22s %11s  %-10s %s\n", "page",
                "raster (px)", "reservation", "in flight", "outcome");
  out += line;
  for (const PagePlan& p : typical_pages)
    out += Row(p.name + " at " + std::to_string(dpi) + " DPI", p, workers);
  for (const DocumentPlan& d : documents) {
    if (!d.error.empty()) {
      out += "  " + d.path + "\n  " + std::string(26, ' ') +
             " cannot be opened: " + d.error + "\n";
      continue;
    }
    std::string name = d.path + " (" + Plural(d.pages, "page", "pages");
    if (d.pages_planned < d.pages)
      name += ", first " + std::to_string(d.pages_planned) + " planned";
    if (d.pages_planned > 1) name += "; largest: page " + std::to_string(d.largest_page);
    name += ")";
    if (d.largest_page == 0) {
      out += "  " + name + "\n";
      continue;
    }
    out += Row(name, d.largest, workers);
    if (d.pages_planned > 1 && (d.downscaled > 0 || d.refused > 0)) {
      out += "  " + std::string(26, ' ') + " " + Plural(d.downscaled, "page", "pages") +
             " downscaled, " + std::to_string(d.refused) + " refused\n";
    }
  }
  out += "\n";
  if (engine == "auto") {
    out +=
        "auto: every page planned as OCR (the worst case); a page whose text layer is "
        "good reserves " +
        FormatBytes(kTextLayerBytes) + ".\n";
  }
  const std::string workers_text = Plural(workers, "worker", "workers");
  if (fits) {
    out += "Fits: " + workers_text + (workers == 1 ? " needs " : " need ") +
           FormatBytes(required_limit_bytes) + " of " + FormatBytes(limit_bytes) + "; " +
           std::to_string(pages_in_flight) + (pages_in_flight == 1 ? " page" : " pages") +
           " in flight at once.\n";
  } else {
    out += "Would not run as asked:\n";
    for (const std::string& a : advice) out += "  - " + a + "\n";
  }
  return out;
}

}  // namespace pageflow
