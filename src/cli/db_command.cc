// `backaid db check|migrate --db URL`: operations on the storage without
// starting the server (the crash tests use `check` after every restart).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "src/cli/commands.h"
#include "src/storage/storage.h"

namespace backaid::cli {

void RegisterDbCommand(CLI::App& app, CommandContext ctx) {
  auto db = std::make_shared<std::string>("sqlite:data/backaid.sqlite");
  CLI::App* cmd =
      app.add_subcommand("db", "Storage operations: migrate, check integrity");
  cmd->require_subcommand(1);
  CLI::App* migrate = cmd->add_subcommand(
      "migrate", "Bring the schema up to date (serve does this at start)");
  CLI::App* check = cmd->add_subcommand(
      "check", "Check the database's integrity; exit 1 if it fails");
  for (CLI::App* sub : {migrate, check}) {
    sub->add_option("--db", *db, "sqlite:PATH or postgresql://...")
        ->capture_default_str();
  }
  migrate->callback([db, ctx] {
    // OpenStorage migrates.
    auto s = storage::OpenStorage(*db);
    if (!s.ok()) {
      std::cerr << "backaid db migrate: " << s.status().message() << "\n";
      *ctx.exit_code = 2;
      return;
    }
    std::cout << "schema up to date (" << (*s)->backend() << ")\n";
    *ctx.exit_code = 0;
  });
  check->callback([db, ctx] {
    auto s = storage::OpenStorage(*db);
    if (!s.ok()) {
      std::cerr << "backaid db check: " << s.status().message() << "\n";
      *ctx.exit_code = 2;
      return;
    }
    auto report = (*s)->CheckIntegrity();
    if (!report.ok()) {
      std::cerr << "backaid db check: " << report.status().message() << "\n";
      *ctx.exit_code = 2;
      return;
    }
    std::cout << fmt::format("{}: {} episodes, {} entries: {}\n",
                             report->ok ? "ok" : "FAILED", report->episodes,
                             report->entries, report->detail);
    *ctx.exit_code = report->ok ? 0 : 1;
  });
}

}  // namespace backaid::cli
