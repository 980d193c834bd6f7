// The backaid command line: decodes arguments, calls the core, encodes.
// No clinical logic lives here.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "backaid/batch.h"
#include "backaid/knowledge_base.h"
#include "backaid/report.h"
#include "backaid/version.h"
#include "src/cli/commands.h"

namespace backaid::cli {

std::shared_ptr<const KnowledgeBase> LoadKnowledgeBaseOrReport(
    const std::string& dir) {
  auto kb = dir.empty() ? backaid::LoadEmbeddedKnowledgeBase()
                        : backaid::LoadKnowledgeBase(dir);
  if (!kb.ok()) {
    std::cerr << "backaid: " << kb.status().message() << "\n";
    return nullptr;
  }
  return *kb;
}

}  // namespace backaid::cli

namespace {

using backaid::KnowledgeBase;

std::shared_ptr<const KnowledgeBase> LoadKb(const std::string& dir) {
  return backaid::cli::LoadKnowledgeBaseOrReport(dir);
}

// Opens FILE or "-" (standard input). Returns -1 after printing an error.
int OpenInput(const std::string& path) {
  if (path.empty() || path == "-") return STDIN_FILENO;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    std::cerr << fmt::format("backaid: cannot open '{}': {}\n", path,
                             strerror(errno));
  }
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  // The commonest probe, answered before the command line parser is built
  // (the same text and status as the --version flag below).
  if (argc == 2 && std::string_view(argv[1]) == "--version") {
    std::cout << "backaid " << backaid::kVersion << "\n";
    return 0;
  }
  CLI::App app{
      "backaid: assessment, triage and self-care guidance for back spasms.\n" +
      std::string(backaid::NotADiagnosisNotice())};
  app.set_version_flag("--version",
                       std::string("backaid ") + backaid::kVersion);
  app.require_subcommand(1);
  std::string kb_dir;
  app.add_option("--kb", kb_dir,
                 "Load the knowledge base from this directory instead of the "
                 "one built in (it must lint clean)")
      ->check(CLI::ExistingDirectory);

  // triage
  auto* triage = app.add_subcommand(
      "triage",
      "Triage cases given as JSON Lines (shared/case-format.md): one result "
      "per line, in order. Exit status 1 if any case could not be read.");
  std::string triage_input = "-";
  std::string triage_format = "json";
  int threads = 0;
  triage->add_option("input", triage_input, "Cases file, or - for stdin")
      ->capture_default_str();
  triage->add_option("--format", triage_format, "json, text or markdown")
      ->check(CLI::IsMember({"json", "text", "markdown"}))
      ->capture_default_str();
  bool could_not_rule_out = false;
  triage->add_flag("--could-not-rule-out", could_not_rule_out,
                   "JSON: also list the more urgent rules that unanswered "
                   "questions left open, with the findings they need");
  triage->add_option("--threads", threads, "Worker threads (0 = one per core)")
      ->check(CLI::Range(0, 64))
      ->capture_default_str();

  // validate
  auto* validate = app.add_subcommand(
      "validate",
      "Compare triage with each case's \"expected\": confusion matrix, exact "
      "rate, under- and over-triage, self-care exact, condition recall. Exit "
      "status 1 on any under-triage or unreadable case.");
  std::vector<std::string> validate_inputs;
  std::string validate_format = "text";
  bool validate_interview = false;
  validate->add_option("input", validate_inputs,
                       "Cases files (joined), or - for stdin (the default)");
  validate->add_flag(
      "--interview", validate_interview,
      "The vignette-study protocol: answer the questionnaire from each "
      "case (stated findings; the normal answer where the case is silent; "
      "'not sure' where no option fits) and report the questions asked");
  validate->add_option("--format", validate_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();

  // kb
  auto* kb_cmd = app.add_subcommand("kb", "Knowledge base tools");
  kb_cmd->require_subcommand(1);
  auto* lint = kb_cmd->add_subcommand(
      "lint",
      "Report every problem in the knowledge base with file:line; exit "
      "status 1 if there is any");
  auto* info = kb_cmd->add_subcommand(
      "info", "Print the knowledge base version and what it contains");

  int command_exit = -1;
  const backaid::cli::CommandContext context{&kb_dir, &command_exit};
  backaid::cli::RegisterAssessCommand(app, context);
  backaid::cli::RegisterPlanCommand(app, context);
  backaid::cli::RegisterServeCommand(app, context);
  backaid::cli::RegisterDbCommand(app, context);

  // --kb may also follow the subcommand ("backaid kb lint --kb DIR").
  for (CLI::App* sub : app.get_subcommands({})) sub->fallthrough();
  for (CLI::App* sub : {lint, info}) sub->fallthrough();
  CLI11_PARSE(app, argc, argv);
  if (command_exit >= 0) return command_exit;

  if (lint->parsed()) {
    const auto issues = backaid::LintKnowledgeBase(kb_dir);
    for (const auto& i : issues) std::cout << i.ToString() << "\n";
    if (!issues.empty()) {
      std::cerr << fmt::format("backaid kb lint: {} problem{}\n", issues.size(),
                               issues.size() == 1 ? "" : "s");
      return 1;
    }
    auto kb = LoadKb(kb_dir);
    if (!kb) return 1;
    std::cout << fmt::format("knowledge base {} lints clean\n", kb->version());
    return 0;
  }

  auto kb = LoadKb(kb_dir);
  if (!kb) return 2;

  if (info->parsed()) {
    std::cout << fmt::format(
        "version:    {}\nfindings:   {}\nconditions: {}\nrules:      {}\n"
        "sources:    {}\nconflicts:  {}\n",
        kb->version(), kb->findings().size(), kb->conditions().size(),
        kb->rules().size(), kb->sources().size(), kb->conflicts().size());
    return 0;
  }

  if (triage->parsed()) {
    const int fd = OpenInput(triage_input);
    if (fd < 0) return 2;
    backaid::BatchOptions options;
    options.threads = threads;
    options.could_not_rule_out = could_not_rule_out;
    options.format = triage_format == "json" ? backaid::OutputFormat::kJson
                     : triage_format == "text"
                         ? backaid::OutputFormat::kText
                         : backaid::OutputFormat::kMarkdown;
    if (options.format != backaid::OutputFormat::kJson) {
      std::string notice = std::string(backaid::NotADiagnosisNotice()) + "\n\n";
      if (::write(STDOUT_FILENO, notice.data(), notice.size()) < 0) return 2;
    }
    auto stats = backaid::TriageStream(*kb, fd, STDOUT_FILENO, options);
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

  if (validate->parsed()) {
    if (validate_inputs.empty()) validate_inputs.push_back("-");
    std::string text;
    for (const std::string& path : validate_inputs) {
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
    backaid::ValidateOptions vopts;
    vopts.interview = validate_interview;
    auto report = backaid::ValidateText(kb, text, vopts);
    if (!report.ok()) {
      std::cerr << "backaid validate: " << report.status().message() << "\n";
      return 2;
    }
    std::cout << (validate_format == "json"
                      ? backaid::RenderValidationJson(*report)
                      : backaid::RenderValidationText(*report));
    return report->under.empty() && report->errors == 0 ? 0 : 1;
  }
  return 0;
}
