// `backaid plan` (being written: see issue 3).
#include "src/cli/commands.h"

namespace backaid::cli {

void RegisterPlanCommand(CLI::App& app, CommandContext ctx) {}

}  // namespace backaid::cli
