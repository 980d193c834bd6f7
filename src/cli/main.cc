// The backaid command line: the top-level options and one subcommand per
// *_command.cc (triage, validate, kb, assess, plan, serve, db). Commands
// decode arguments, call the core, encode; no clinical logic lives here.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>

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

int OpenInput(const std::string& path) {
  if (path.empty() || path == "-") return STDIN_FILENO;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    std::cerr << fmt::format("backaid: cannot open '{}': {}\n", path,
                             strerror(errno));
  }
  return fd;
}

}  // namespace backaid::cli

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

  int command_exit = -1;
  const backaid::cli::CommandContext context{&kb_dir, &command_exit};
  backaid::cli::RegisterTriageCommand(app, context);
  backaid::cli::RegisterValidateCommand(app, context);
  backaid::cli::RegisterKbCommand(app, context);
  backaid::cli::RegisterAssessCommand(app, context);
  backaid::cli::RegisterPlanCommand(app, context);
  backaid::cli::RegisterServeCommand(app, context);
  backaid::cli::RegisterDbCommand(app, context);

  // --kb may also follow the subcommand ("backaid triage --kb DIR").
  for (CLI::App* sub : app.get_subcommands({})) sub->fallthrough();
  CLI11_PARSE(app, argc, argv);
  return command_exit >= 0 ? command_exit : 0;
}
