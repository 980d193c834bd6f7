// `backaid assess` (being written: see issue 3).
#include "src/cli/commands.h"

namespace backaid::cli {

void RegisterAssessCommand(CLI::App& app, CommandContext ctx) {}

}  // namespace backaid::cli
