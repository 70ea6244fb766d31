#include "eval/corpus_eval.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "base/log.h"
#include "eval/tesseract_cli.h"
#include "layout/markdown_reader.h"
#include "layout/writers.h"
#include "output/atomic_file.h"
#include "output/workspace.h"
#include "pipeline/pipeline.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace pageflow {
namespace {

using Clock = std::chrono::steady_clock;

// The bytes of code points [start, end) of a UTF-8 string.
std::string Utf8Slice(const std::string& s, int64_t start, int64_t end) {
  size_t i = 0, from = s.size(), to = s.size();
  int64_t cp = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (cp == start) from = i;
    if (cp == end) {
      to = i;
      break;
    }
    ++cp;
  }
  return from < to ? s.substr(from, to - from) : "";
}

std::vector<std::string> SplitPages(const std::string& text) {
  std::vector<std::string> pages;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '\f') {
      pages.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return pages;
}

bool Selected(const EvalOptions& o, const CorpusItem& item) {
  if (o.subsets.empty()) return true;
  for (const std::string& s : o.subsets) {
    if (s == item.sub || s == item.subset() || s == item.set) return true;
  }
  return false;
}

// A --subset that names nothing in the corpus is a usage error that lists the subsets.
Status CheckSubsets(const EvalOptions& o, const std::vector<CorpusItem>& all) {
  for (const std::string& s : o.subsets) {
    EvalOptions one;
    one.subsets = {s};
    if (std::any_of(all.begin(), all.end(),
                    [&](const CorpusItem& item) { return Selected(one, item); })) {
      continue;
    }
    std::set<std::string> known;
    for (const CorpusItem& item : all) known.insert(item.subset());
    std::string list;
    for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
    return InvalidArgument("--subset '" + s + "' names no subset of " + o.corpus_dir +
                           " (its subsets: " + (list.empty() ? "none" : list) +
                           "; a set or a sub alone also works)");
  }
  return Status::Ok();
}

// Scores per page where ground truth is page-split (PDFs: pdftotext ends pages with \f).
TextScore ScorePages(const ItemResult& r, const std::vector<std::string>& gt_pages,
                     const std::vector<std::string>& hyp_pages) {
  TextScore total;
  if (!r.item.pdf) {
    std::string gt, hyp;
    for (const auto& p : gt_pages) gt += p + "\n";
    for (const auto& p : hyp_pages) hyp += p + "\n";
    return ScoreText(gt, hyp, r.item.cjk);
  }
  for (size_t p = 0; p < hyp_pages.size(); ++p) {
    total += ScoreText(p < gt_pages.size() ? gt_pages[p] : "", hyp_pages[p], r.item.cjk);
  }
  return total;
}

// Runs the item's structure checks on one side's page texts; checks on pages that side
// did not evaluate (--max-pages) are skipped, failed pages count as empty text.
void RunChecks(const std::vector<StructureCheck>& checks,
               const std::vector<std::string>& pages, SideResult* side, int* skipped) {
  *skipped = 0;
  for (const StructureCheck& c : checks) {
    if (static_cast<size_t>(c.page) > pages.size()) {
      ++*skipped;
      continue;
    }
    const CheckOutcome o = RunStructureCheck(c, pages[c.page - 1]);
    side->checks.Add(c.type, o.passed);
    if (!o.passed)
      side->failed_checks.push_back(FailedCheck{c.id, c.page, c.type, o.reason});
  }
}

void Summarize(SubsetSummary& s, const std::vector<const ItemResult*>& items) {
  double seconds = 0, base_seconds = 0;
  int base_pages = 0, base_scored = 0;
  for (const ItemResult* r : items) {
    ++s.items;
    s.pages += r->pageflow.pages;
    seconds += r->pageflow.seconds;
    s.checks += r->pageflow.checks;
    if (r->baseline) {
      s.has_baseline = true;
      s.base_checks += r->baseline->checks;
      base_seconds += r->baseline->seconds;
      base_pages += r->baseline->pages;
    }
    if (!r->scored) continue;
    ++s.scored;
    s.cer += r->pageflow.score.Cer();
    s.wer += r->pageflow.score.Wer();
    s.f1 += r->pageflow.score.BagOfWordsF1();
    if (r->baseline && r->baseline->error.empty()) {  // pdftotext skips images
      ++base_scored;
      s.base_cer += r->baseline->score.Cer();
      s.base_wer += r->baseline->score.Wer();
      s.base_f1 += r->baseline->score.BagOfWordsF1();
    }
  }
  if (s.scored > 0) s.cer /= s.scored, s.wer /= s.scored, s.f1 /= s.scored;
  if (base_scored > 0)
    s.base_cer /= base_scored, s.base_wer /= base_scored, s.base_f1 /= base_scored;
  s.pages_per_second = seconds > 0 ? s.pages / seconds : 0;
  s.base_pages_per_second = base_seconds > 0 ? base_pages / base_seconds : 0;
}

}  // namespace

StatusOr<EvalReport> RunEval(const EvalOptions& o) {
  const Clock::time_point start = Clock::now();
  PF_ASSIGN_OR_RETURN(std::vector<CorpusItem> all, LoadCorpus(o.corpus_dir));
  PF_RETURN_IF_ERROR(CheckSubsets(o, all));
  EvalReport report;
  report.engine = o.run.engine.kind;
  report.baseline = o.baseline;
  if (!o.baseline.empty() && o.baseline != "tesseract-cli" && o.baseline != "pdftotext" &&
      o.baseline != "pdftotext-layout") {
    return InvalidArgument("unknown --baseline '" + o.baseline +
                           "' (use tesseract-cli, pdftotext or pdftotext-layout)");
  }
  for (CorpusItem& item : all) {
    if (!Selected(o, item)) continue;
    if (!o.lang.empty()) item.tess_lang = o.lang;
    ItemResult r;
    r.item = std::move(item);
    r.scored = !r.item.gt_path.empty();
    if (r.scored) {
      PF_ASSIGN_OR_RETURN(std::string gt, ReadSmallFile(r.item.gt_path));
      r.gt_pages = SplitPages(gt);  // read once, scored against pageflow and the baseline
    }
    if (!r.item.tests_path.empty()) {
      PF_ASSIGN_OR_RETURN(r.checks, LoadStructureChecks(r.item.tests_path));
    }
    report.items.push_back(std::move(r));
  }
  if (report.items.empty()) return NotFound("no corpus items selected in " + o.corpus_dir);

  // One pipeline run per language, over all its items at once: the same path as `run`.
  std::map<std::string, std::vector<ItemResult*>> by_lang;
  for (ItemResult& r : report.items) by_lang[r.item.tess_lang].push_back(&r);
  for (auto& [lang, items] : by_lang) {
    RunOptions run = o.run;
    run.engine.lang = lang;
    run.inputs.clear();
    for (ItemResult* r : items) run.inputs.push_back(r->item.path);
    run.out_dir = o.work_dir + "/pageflow-" + lang;
    run.formats = OutputFormats{true, false, false};
    run.progress = false;
    run.stats_path.clear();
    std::error_code ec;
    fs::remove_all(run.out_dir, ec);  // measure every time, never resume
    LogInfo("eval: " + std::to_string(items.size()) + " items in " + lang + " with --engine " + run.engine.kind);
    StatusOr<RunSummary> summary = RunPipeline(run, nullptr);
    if (!summary.ok()) return summary.status().WithContext("eval (" + lang + ")");
    report.run_stats.push_back(summary->ToJson());
    for (ItemResult* r : items) {
      const std::string result = run.out_dir + "/results/" + DocumentId(r->item.path) + ".jsonl";
      StatusOr<std::string> data = ReadSmallFile(result);
      if (!data.ok()) {
        r->pageflow.error = "no result (document failed; see log)";
        // Its checks still count: on empty pages, as a failed page's would.
        int last = 0;
        for (const StructureCheck& c : r->checks) last = std::max(last, c.page);
        if (o.run.max_pages > 0) last = std::min(last, o.run.max_pages);
        RunChecks(r->checks, std::vector<std::string>(last), &r->pageflow,
                  &r->checks_skipped);
        continue;
      }
      const json doc = json::parse(*data, nullptr, false);
      const std::string text = doc["text"];
      // `written`: each page's text as the record has it (structure checks read its
      // Markdown); `hyp`: what CER scores.
      std::vector<std::string> written, hyp;
      for (const json& span : doc["attributes"]["pdf_page_numbers"]) {
        const int page = span[2];
        written.resize(std::max<size_t>(written.size(), static_cast<size_t>(page)));
        written[page - 1] = Utf8Slice(text, span[0], span[1]);
      }
      hyp = written;
      // Scored as text: the Markdown's marks (#, table pipes, escapes) are not words.
      if (run.layout) {
        for (std::string& page : hyp) page = RenderPlainText(ParseMarkdown(page));
      }
      if (run.layout && doc["metadata"].contains("page_furniture")) {
        // The ground truth has the running headers, footers and page numbers the layout
        // kept out of the text; CER measures text lost or misordered, so they are put
        // back where they were (headers first, the rest last).
        std::vector<std::string> head(hyp.size()), foot(hyp.size());
        for (const json& f : doc["metadata"]["page_furniture"]) {
          const size_t page = f.value("page", 0);
          if (page == 0 || page > hyp.size()) continue;
          std::string& to = f.value("kind", "") == "header" ? head[page - 1] : foot[page - 1];
          to += f.value("text", "") + "\n";
        }
        for (size_t i = 0; i < hyp.size(); ++i) hyp[i] = head[i] + hyp[i] + "\n" + foot[i];
      }
      const int total = doc["metadata"]["pdf_total_pages"];
      const int evaluated = o.run.max_pages > 0 ? std::min(total, o.run.max_pages) : total;
      hyp.resize(static_cast<size_t>(evaluated));  // failed pages count as empty
      written.resize(static_cast<size_t>(evaluated));
      r->pageflow.pages = evaluated;
      r->pageflow.seconds = doc["metadata"]["processing_seconds"];
      for (auto& [path, n] : doc["metadata"]["engines_used"].items()) r->pageflow.paths[path] = n;
      if (r->scored) r->pageflow.score = ScorePages(*r, r->gt_pages, hyp);
      RunChecks(r->checks, written, &r->pageflow, &r->checks_skipped);
    }
  }

  for (ItemResult& r : report.items) {
    if (o.baseline.empty()) break;
    SideResult side;
    const Clock::time_point t0 = Clock::now();
    StatusOr<std::vector<std::string>> pages = Unsupported("pdftotext reads PDFs only");
    if (o.baseline == "tesseract-cli") {
      pages = RunTesseractCli(r.item.path, r.item.pdf, o.run.max_pages, r.item.tess_lang,
                              o.run.render.dpi, o.work_dir + "/cli");
    } else if (r.item.pdf) {
      pages =
          RunPdftotext(r.item.path, o.run.max_pages, o.baseline == "pdftotext-layout");
    }
    side.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    if (!pages.ok()) {
      side.error = pages.status().message();
    } else {
      side.pages = r.item.pdf ? static_cast<int>(pages->size()) : r.pageflow.pages;
      if (r.scored) side.score = ScorePages(r, r.gt_pages, *pages);
      int skipped = 0;
      RunChecks(r.checks, *pages, &side, &skipped);
    }
    r.baseline = side;
  }

  std::map<std::string, std::vector<const ItemResult*>> by_subset;
  std::vector<const ItemResult*> everything;
  for (const ItemResult& r : report.items) {
    by_subset[r.item.subset()].push_back(&r);
    everything.push_back(&r);
  }
  for (auto& [name, items] : by_subset) {
    SubsetSummary s;
    s.name = name;
    Summarize(s, items);
    report.subsets.push_back(s);
  }
  report.overall.name = "overall";
  Summarize(report.overall, everything);
  report.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return report;
}

std::string FormatEvalTable(const EvalReport& r) {
  std::string out;
  char buf[512];
  const bool base = r.overall.has_baseline;
  out += "Items (engine " + r.engine + (base ? " vs " + r.baseline : "") + "):\n";
  std::snprintf(buf, sizeof buf, "  %-52s %5s %7s %7s %7s %-22s%s\n", "item", "pages", "CER", "WER", "BoW-F1",
                "path", base ? "   CER-cli WER-cli F1-cli" : "");
  out += buf;
  for (const ItemResult& i : r.items) {
    std::string paths;
    for (auto& [p, n] : i.pageflow.paths) paths += (paths.empty() ? "" : ",") + p + ":" + std::to_string(n);
    if (!i.pageflow.error.empty()) paths = "FAILED";
    const std::string name = fs::path(i.item.path).filename().string();
    if (i.scored) {
      std::snprintf(buf, sizeof buf, "  %-52s %5d %7.3f %7.3f %7.3f %-22s", (i.item.sub + "/" + name).c_str(),
                    i.pageflow.pages, i.pageflow.score.Cer(), i.pageflow.score.Wer(),
                    i.pageflow.score.BagOfWordsF1(), paths.c_str());
    } else {
      std::snprintf(buf, sizeof buf, "  %-52s %5d %7s %7s %7s %-22s", (i.item.sub + "/" + name).c_str(),
                    i.pageflow.pages, "-", "-", "-", paths.c_str());
    }
    out += buf;
    if (i.baseline && i.scored && i.baseline->error.empty()) {
      std::snprintf(buf, sizeof buf, "   %7.3f %7.3f %6.3f", i.baseline->score.Cer(), i.baseline->score.Wer(),
                    i.baseline->score.BagOfWordsF1());
      out += buf;
    } else if (i.baseline && !i.baseline->error.empty()) {
      out += "   " + r.baseline + ": " + i.baseline->error;
    }
    out += "\n";
  }
  out += "\nSubsets (means over items with ground truth):\n";
  std::snprintf(buf, sizeof buf, "  %-34s %5s %5s %7s %7s %7s %6s%s\n", "subset", "items", "pages", "CER", "WER",
                "BoW-F1", "p/s", base ? "   CER-cli WER-cli F1-cli p/s-cli" : "");
  out += buf;
  std::vector<SubsetSummary> rows = r.subsets;
  rows.push_back(r.overall);
  for (const SubsetSummary& s : rows) {
    std::snprintf(buf, sizeof buf, "  %-34s %5d %5d %7.3f %7.3f %7.3f %6.2f", s.name.c_str(), s.items, s.pages,
                  s.cer, s.wer, s.f1, s.pages_per_second);
    out += buf;
    if (s.has_baseline) {
      std::snprintf(buf, sizeof buf, "   %7.3f %7.3f %6.3f %7.2f", s.base_cer, s.base_wer, s.base_f1,
                    s.base_pages_per_second);
      out += buf;
    }
    if (s.scored == 0) out += "   (smoke test only: no ground truth)";
    out += "\n";
  }
  if (r.overall.checks.Total() > 0 || r.overall.base_checks.Total() > 0) {
    out += "\nStructure checks (pass rate, passed/total):\n";
    std::snprintf(buf, sizeof buf, "  %-34s %-21s", "subset", "side");
    out += buf;
    for (int t = 0; t < kCheckTypes; ++t) {
      std::snprintf(buf, sizeof buf, " %15s", CheckTypeName(static_cast<CheckType>(t)));
      out += buf;
    }
    out += "             all\n";
    auto row = [&](const std::string& name, const std::string& side,
                   const CheckTally& tally) {
      std::snprintf(buf, sizeof buf, "  %-34s %-21s", name.c_str(), side.c_str());
      out += buf;
      for (int t = 0; t < kCheckTypes + 1; ++t) {
        const bool all = t == kCheckTypes;
        const int total = all ? tally.Total() : tally.total[t];
        const int passed = all ? tally.Passed() : tally.passed[t];
        const double rate = all ? tally.Rate() : tally.Rate(static_cast<CheckType>(t));
        if (total == 0) {
          std::snprintf(buf, sizeof buf, " %15s", "-");
        } else {
          std::snprintf(buf, sizeof buf, " %5.1f%% %3d/%-3d", 100 * rate, passed, total);
        }
        out += buf;
      }
      out += "\n";
    };
    for (const SubsetSummary& s : rows) {
      if (s.checks.Total() == 0 && s.base_checks.Total() == 0) continue;
      row(s.name, "pageflow " + r.engine, s.checks);
      if (s.has_baseline) row("", r.baseline, s.base_checks);
    }
    int skipped = 0;
    for (const ItemResult& i : r.items) skipped += i.checks_skipped;
    if (skipped > 0)
      out += "  (" + std::to_string(skipped) +
             " checks on pages beyond --max-pages skipped)\n";
  }
  std::snprintf(buf, sizeof buf, "\nwall time %.1fs\n", r.wall_seconds);
  out += buf;
  return out;
}

namespace {

json TallyJson(const CheckTally& t) {
  json j = json::object();
  auto one = [](int passed, int total, double rate) {
    return json{{"passed", passed}, {"total", total}, {"rate", rate}};
  };
  for (int i = 0; i < kCheckTypes; ++i) {
    j[CheckTypeName(static_cast<CheckType>(i))] =
        one(t.passed[i], t.total[i], t.Rate(static_cast<CheckType>(i)));
  }
  j["all"] = one(t.Passed(), t.Total(), t.Rate());
  return j;
}

}  // namespace

std::string EvalReportJson(const EvalReport& r) {
  auto side = [](const SideResult& s, bool scored) {
    json j = {{"pages", s.pages}, {"seconds", s.seconds}};
    if (s.checks.Total() > 0) {
      j["checks"] = TallyJson(s.checks);
      json failed = json::array();
      for (const FailedCheck& f : s.failed_checks) {
        failed.push_back({{"id", f.id},
                          {"page", f.page},
                          {"type", CheckTypeName(f.type)},
                          {"reason", f.reason}});
      }
      j["failed_checks"] = failed;
    }
    if (scored) j.update({{"cer", s.score.Cer()}, {"wer", s.score.Wer()}, {"bow_f1", s.score.BagOfWordsF1()}});
    if (!s.paths.empty()) j["paths"] = s.paths;
    if (!s.error.empty()) j["error"] = s.error;
    return j;
  };
  auto summary = [](const SubsetSummary& s) {
    json j = {{"name", s.name}, {"items", s.items}, {"scored", s.scored}, {"pages", s.pages},
              {"cer", s.cer}, {"wer", s.wer}, {"bow_f1", s.f1}, {"pages_per_second", s.pages_per_second}};
    if (s.checks.Total() > 0) j["checks"] = TallyJson(s.checks);
    if (s.has_baseline) {
      j["baseline"] = {{"cer", s.base_cer}, {"wer", s.base_wer}, {"bow_f1", s.base_f1},
                       {"pages_per_second", s.base_pages_per_second}};
      if (s.base_checks.Total() > 0) j["baseline"]["checks"] = TallyJson(s.base_checks);
    }
    return j;
  };
  json items = json::array();
  for (const ItemResult& i : r.items) {
    json j = {{"file", i.item.path}, {"subset", i.item.subset()}, {"lang", i.item.tess_lang},
              {"scored", i.scored}, {"pageflow", side(i.pageflow, i.scored)}};
    if (!i.item.tests_path.empty())
      j.update({{"tests", i.item.tests_path}, {"checks_skipped", i.checks_skipped}});
    if (i.baseline) j["baseline"] = side(*i.baseline, i.scored);
    items.push_back(j);
  }
  json subsets = json::array();
  for (const SubsetSummary& s : r.subsets) subsets.push_back(summary(s));
  json runs = json::array();
  for (const std::string& stats : r.run_stats)
    runs.push_back(json::parse(stats, nullptr, false));
  json j = {{"engine", r.engine},
            {"items", items},
            {"subsets", subsets},
            {"overall", summary(r.overall)},
            {"wall_seconds", r.wall_seconds},
            {"runs", runs}};
  if (!r.baseline.empty()) j["baseline"] = r.baseline;
  return j.dump(2) + "\n";
}

}  // namespace pageflow
