// `backaid plan`: triages one case and prints its care plan and schedule
// (text, Markdown or JSON), optionally writing the schedule as iCalendar.
//
// Exit status: 0 on success; 2 if the knowledge base, the case file, the
// options (--start, --tz, --awake) or the output file cannot be used.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "backaid/calendar.h"
#include "backaid/case_json.h"
#include "backaid/engine.h"
#include "backaid/plan.h"
#include "backaid/report.h"
#include "src/cli/commands.h"

namespace backaid::cli {
namespace {

struct PlanArgs {
  std::string case_path;
  std::string start;
  std::string tz = "UTC";
  std::string awake = "07:00-22:00";
  std::string ics;
  std::string format = "text";
  std::string region;  // "" = the knowledge base's default region
};

void AppendScheduleText(const std::vector<ScheduledEvent>& events,
                        const ScheduleOptions& o, bool markdown,
                        std::string* out) {
  if (events.empty()) return;
  *out += markdown ? fmt::format("\n## Your timetable ({})\n\n", o.time_zone)
                   : fmt::format("\nYOUR TIMETABLE ({})\n", o.time_zone);
  for (const ScheduledEvent& e : events) {
    std::string start = e.start_local;
    start[10] = ' ';
    *out += fmt::format("{}{} to {}  {}\n", markdown ? "- " : "  ", start,
                        e.end_local.substr(11), e.title);
  }
}

int Run(const CommandContext& ctx, const PlanArgs& args) {
  ScheduleOptions options;
  options.time_zone = args.tz;
  if (Status s = ParseAwakeWindow(args.awake, &options); !s.ok()) {
    std::cerr << "backaid plan: " << s.message() << "\n";
    return 2;
  }
  options.start = args.start;
  auto kb = LoadKnowledgeBaseOrReport(*ctx.kb_dir);
  if (!kb) return 2;
  if (!args.region.empty()) {
    std::string known;
    bool listed = false;
    for (const Region& r : Regions(*kb)) {
      known += (known.empty() ? "" : ", ") + r.id;
      listed = listed || r.id == args.region;
    }
    if (!listed) {
      std::cerr << fmt::format(
          "backaid plan: --region: '{}' is not a region of the knowledge "
          "base ({})\n",
          args.region, known.empty() ? "it has none" : known);
      return 2;
    }
  }

  std::ifstream in(args.case_path, std::ios::binary);
  if (!in) {
    std::cerr << fmt::format("backaid plan: cannot open case file '{}'\n",
                             args.case_path);
    return 2;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    std::cerr << fmt::format("backaid plan: cannot read case file '{}'\n",
                             args.case_path);
    return 2;
  }
  CaseReader reader(*kb);
  Case c = kb->NewCase();
  if (Status s = reader.Read(buffer.str(), &c); !s.ok()) {
    std::cerr << fmt::format("backaid plan: {}: {}\n", args.case_path,
                             s.message());
    return 2;
  }
  const TriageResult result = Evaluate(*kb, c);
  auto plan = BuildCarePlan(*kb, c, result, args.region);
  if (!plan.ok()) {
    std::cerr << "backaid plan: " << plan.status().message() << "\n";
    return 2;
  }
  auto events = Schedule(*plan, options);
  if (!events.ok()) {
    std::cerr << "backaid plan: " << events.status().message() << "\n";
    return 2;
  }
  if (!args.ics.empty()) {
    auto ics = ToICalendar(*events, options);
    if (!ics.ok()) {
      std::cerr << "backaid plan: " << ics.status().message() << "\n";
      return 2;
    }
    std::ofstream file(args.ics, std::ios::binary | std::ios::trunc);
    file << *ics;
    file.close();
    if (!file) {
      std::cerr << fmt::format("backaid plan: cannot write '{}'\n", args.ics);
      return 2;
    }
  }
  std::string out;
  if (args.format == "json") {
    out += "{\"id\":";
    AppendJsonString(c.id, &out);
    out += ",\"plan\":";
    AppendPlanJson(*plan, &out);
    out += ",\"schedule\":";
    AppendScheduleJson(*events, options, &out);
    out += "}\n";
  } else {
    const bool markdown = args.format == "markdown";
    AppendPlanText(*kb, *plan, markdown, &out);
    AppendScheduleText(*events, options, markdown, &out);
  }
  std::cout << out;
  std::cout.flush();
  return std::cout ? 0 : 2;
}

}  // namespace

void RegisterPlanCommand(CLI::App& app, CommandContext ctx) {
  auto args = std::make_shared<PlanArgs>();
  auto* cmd = app.add_subcommand(
      "plan",
      "Triage one case and print its care plan with a timetable of ice, "
      "heat, walking breaks and check-ins (waking hours only); --ics also "
      "writes the timetable as an iCalendar file with reminders. Exit "
      "status 2 on a bad case, option or file.");
  cmd->add_option("--case", args->case_path,
                  "The case: one JSON object (shared/case-format.md)")
      ->required();
  cmd->add_option("--start", args->start,
                  "When the plan starts, local time YYYY-MM-DDTHH:MM "
                  "(required)")
      ->required();
  cmd->add_option("--tz", args->tz, "IANA time zone, e.g. Europe/London")
      ->capture_default_str();
  cmd->add_option("--awake", args->awake,
                  "Waking hours HH:MM-HH:MM; reminders only fall in them")
      ->capture_default_str();
  cmd->add_option("--ics", args->ics, "Write the timetable as iCalendar here");
  cmd->add_option("--format", args->format, "text, markdown or json")
      ->check(CLI::IsMember({"text", "markdown", "json"}))
      ->capture_default_str();
  cmd->add_option("--region", args->region,
                  "Where you are, for the regional wording (who to call, "
                  "medicine names): a region of the knowledge base "
                  "(knowledge/regions.yaml; by default its default region)");
  cmd->callback([ctx, args] { *ctx.exit_code = Run(ctx, *args); });
}

}  // namespace backaid::cli
