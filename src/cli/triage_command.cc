// backaid triage: JSON Lines cases in, one result per line out (the batch
// of src/triage), in input order.
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "backaid/batch.h"
#include "backaid/report.h"
#include "src/cli/commands.h"

namespace backaid::cli {
namespace {

struct TriageArgs {
  std::string input = "-";
  std::string format = "json";
  int threads = 0;
  bool could_not_rule_out = false;  // accepted, changes nothing (issue 10)
  bool full = false;
};

int Run(const CommandContext& ctx, const TriageArgs& args) {
  auto kb = LoadKnowledgeBaseOrReport(*ctx.kb_dir);
  if (!kb) return 2;
  const int fd = OpenInput(args.input);
  if (fd < 0) return 2;
  BatchOptions options;
  options.threads = args.threads;
  options.full = args.full;
  options.format = args.format == "json"   ? OutputFormat::kJson
                   : args.format == "text" ? OutputFormat::kText
                                           : OutputFormat::kMarkdown;
  if (options.format != OutputFormat::kJson) {
    std::string notice = std::string(NotADiagnosisNotice()) + "\n\n";
    if (::write(STDOUT_FILENO, notice.data(), notice.size()) < 0) return 2;
  }
  auto stats = TriageStream(*kb, fd, STDOUT_FILENO, options);
  if (fd != STDIN_FILENO) ::close(fd);
  if (!stats.ok()) {
    std::cerr << "backaid triage: " << stats.status().message() << "\n";
    return 2;
  }
  if (stats->errors > 0) {
    std::cerr << fmt::format(
        "backaid triage: {} of {} cases could not be "
        "read\n",
        stats->errors, stats->cases);
    return 1;
  }
  return 0;
}

}  // namespace

void RegisterTriageCommand(CLI::App& app, CommandContext ctx) {
  auto args = std::make_shared<TriageArgs>();
  auto* triage = app.add_subcommand(
      "triage",
      "Triage cases given as JSON Lines (shared/case-format.md): one result "
      "per line, in order. Exit status 1 if any case could not be read.");
  triage->add_option("input", args->input, "Cases file, or - for stdin")
      ->capture_default_str();
  triage->add_option("--format", args->format, "json, text or markdown")
      ->check(CLI::IsMember({"json", "text", "markdown"}))
      ->capture_default_str();
  triage->add_flag("--full", args->full,
                   "JSON: each open question in full (finding, level, "
                   "question id and its words) instead of the question ids");
  triage->add_flag("--could-not-rule-out", args->could_not_rule_out,
                   "Accepted for compatibility; changes nothing "
                   "(could_not_rule_out is in every result)");
  triage
      ->add_option("--threads", args->threads,
                   "Worker threads (0 = one per core)")
      ->check(CLI::Range(0, 64))
      ->capture_default_str();
  triage->callback([ctx, args] { *ctx.exit_code = Run(ctx, *args); });
}

}  // namespace backaid::cli
