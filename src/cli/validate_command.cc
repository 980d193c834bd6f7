// backaid validate: triage cases that carry "expected" and report how
// backaid compares (src/triage/validate.cc).
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "backaid/batch.h"
#include "src/cli/commands.h"

namespace backaid::cli {
namespace {

struct ValidateArgs {
  std::vector<std::string> inputs;
  std::string format = "text";
  bool interview = false;
};

int Run(const CommandContext& ctx, ValidateArgs args) {
  auto kb = LoadKnowledgeBaseOrReport(*ctx.kb_dir);
  if (!kb) return 2;
  if (args.inputs.empty()) args.inputs.push_back("-");
  std::string text;
  for (const std::string& path : args.inputs) {
    const int fd = OpenInput(path);
    if (fd < 0) return 2;
    std::string chunk;
    char buf[1 << 16];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) != 0) {
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        std::cerr << fmt::format("backaid validate: cannot read '{}': {}\n",
                                 path, strerror(errno));
        return 2;
      }
      chunk.append(buf, static_cast<size_t>(n));
    }
    if (fd != STDIN_FILENO) ::close(fd);
    text += chunk;
    if (!chunk.empty() && chunk.back() != '\n') text += '\n';
  }
  ValidateOptions vopts;
  vopts.interview = args.interview;
  auto report = ValidateText(kb, text, vopts);
  if (!report.ok()) {
    std::cerr << "backaid validate: " << report.status().message() << "\n";
    return 2;
  }
  std::cout << (args.format == "json" ? RenderValidationJson(*report)
                                      : RenderValidationText(*report));
  return report->under.empty() && report->errors == 0 ? 0 : 1;
}

}  // namespace

void RegisterValidateCommand(CLI::App& app, CommandContext ctx) {
  auto args = std::make_shared<ValidateArgs>();
  auto* validate = app.add_subcommand(
      "validate",
      "Compare triage with each case's \"expected\": confusion matrix, exact "
      "rate, under- and over-triage, self-care exact, condition recall. Exit "
      "status 1 on any under-triage or unreadable case.");
  validate->add_option("input", args->inputs,
                       "Cases files (joined), or - for stdin (the default)");
  validate->add_flag(
      "--interview", args->interview,
      "The vignette-study protocol: answer the questionnaire from each "
      "case (stated findings; the normal answer where the case is silent; "
      "'not sure' where no option fits) and report the questions asked");
  validate->add_option("--format", args->format, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  validate->callback([ctx, args] { *ctx.exit_code = Run(ctx, *args); });
}

}  // namespace backaid::cli
