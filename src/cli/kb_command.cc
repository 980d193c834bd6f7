// backaid kb lint | info: the knowledge base tools.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <string>

#include "backaid/knowledge_base.h"
#include "src/cli/commands.h"

namespace backaid::cli {

void RegisterKbCommand(CLI::App& app, CommandContext ctx) {
  auto* kb_cmd = app.add_subcommand("kb", "Knowledge base tools");
  kb_cmd->require_subcommand(1);
  auto* lint = kb_cmd->add_subcommand(
      "lint",
      "Report every problem in the knowledge base with file:line; exit "
      "status 1 if there is any");
  auto* info = kb_cmd->add_subcommand(
      "info", "Print the knowledge base version and what it contains");
  // --kb may also follow the subcommand ("backaid kb lint --kb DIR").
  for (CLI::App* sub : {lint, info}) sub->fallthrough();
  lint->callback([ctx] {
    const auto issues = LintKnowledgeBase(*ctx.kb_dir);
    for (const auto& i : issues) std::cout << i.ToString() << "\n";
    if (!issues.empty()) {
      std::cerr << fmt::format("backaid kb lint: {} problem{}\n", issues.size(),
                               issues.size() == 1 ? "" : "s");
      *ctx.exit_code = 1;
      return;
    }
    auto kb = LoadKnowledgeBaseOrReport(*ctx.kb_dir);
    if (!kb) {
      *ctx.exit_code = 1;
      return;
    }
    std::cout << fmt::format("knowledge base {} lints clean\n", kb->version());
    *ctx.exit_code = 0;
  });
  info->callback([ctx] {
    auto kb = LoadKnowledgeBaseOrReport(*ctx.kb_dir);
    if (!kb) {
      *ctx.exit_code = 2;
      return;
    }
    std::cout << fmt::format(
        "version:    {}\nfindings:   {}\nconditions: {}\nrules:      {}\n"
        "sources:    {}\nconflicts:  {}\n",
        kb->version(), kb->findings().size(), kb->conditions().size(),
        kb->rules().size(), kb->sources().size(), kb->conflicts().size());
    *ctx.exit_code = 0;
  });
}

}  // namespace backaid::cli
