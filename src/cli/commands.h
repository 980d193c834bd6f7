// The commands of the CLI, one per file (src/cli/*_command.cc). Each
// registers a CLI11 subcommand whose callback runs the command and stores
// its exit status. Commands decode, call the core, encode: no clinical
// logic here.
#ifndef BACKAID_SRC_CLI_COMMANDS_H_
#define BACKAID_SRC_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "backaid/knowledge_base.h"

namespace backaid::cli {

struct CommandContext {
  const std::string* kb_dir;  // --kb, empty for the built-in knowledge base
  int* exit_code;             // set by the command's callback
};

// Loads the knowledge base (--kb or the built-in one); prints the problems
// and returns null if it does not lint clean.
std::shared_ptr<const KnowledgeBase> LoadKnowledgeBaseOrReport(
    const std::string& dir);

// Opens FILE, or standard input for "" or "-". Returns -1 after printing
// an error naming the file.
int OpenInput(const std::string& path);

void RegisterTriageCommand(CLI::App& app, CommandContext ctx);
void RegisterValidateCommand(CLI::App& app, CommandContext ctx);
void RegisterKbCommand(CLI::App& app, CommandContext ctx);
void RegisterPlanCommand(CLI::App& app, CommandContext ctx);
void RegisterAssessCommand(CLI::App& app, CommandContext ctx);
void RegisterServeCommand(CLI::App& app, CommandContext ctx);
void RegisterDbCommand(CLI::App& app, CommandContext ctx);

}  // namespace backaid::cli

#endif  // BACKAID_SRC_CLI_COMMANDS_H_
