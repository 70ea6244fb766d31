// `pageflow plan [INPUT...]`: how a run with the same flags would spend its memory.
#include <iostream>
#include <memory>

#include "base/log.h"
#include "cli/command.h"
#include "cli/run_flags.h"
#include "pipeline/plan.h"

namespace pageflow {
namespace {

struct PlanFlags {
  RunOptions run;
  SharedRunFlags shared{&run};
  bool json = false;
};

int ExecutePlan(PlanFlags& f) {
  if (!f.shared.Apply()) return kExitUsage;
  StatusOr<MemoryPlan> plan = PlanMemory(f.run);
  if (!plan.ok()) {
    LogError(plan.status().message());
    return kExitFatal;
  }
  std::cout << (f.json ? plan->ToJson() : plan->ToText());
  return plan->ExitCode();
}

}  // namespace

Command AddPlanCommand(CLI::App& app) {
  auto f = std::make_shared<PlanFlags>();
  CLI::App* cmd = app.add_subcommand("plan",
                                     "Show how a run would spend its memory: limit, "
                                     "fixed costs, per-page reservations, workers");
  cmd->footer(
      "Engines are loaded for real to measure their cost; no page is rendered. Exit "
      "codes: 0 the plan fits; "
      "1 a page would be downscaled or refused, an input cannot be opened, or workers "
      "would wait on memory; "
      "2 usage error; 3 the fixed costs alone exceed the limit, or an engine cannot "
      "load.");
  cmd->add_option("inputs", f->run.inputs,
                  "Optional files, directories (recursed) or @list.txt: each document's "
                  "page count and largest "
                  "page are planned too");
  f->shared.AddEngineFlags(cmd);
  f->shared.AddMaxPagesFlag(cmd);
  f->shared.AddStoreFlags(cmd);
  cmd->add_flag("--json", f->json, "Print the plan as JSON (schema in docs/plan.md)");
  return {cmd, [f] { return ExecutePlan(*f); }};
}

}  // namespace pageflow
