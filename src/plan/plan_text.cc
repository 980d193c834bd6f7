// Rendering of a care plan: text / Markdown for people, JSON for programs.
// The wording comes from plan.yaml; this only lays it out.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <vector>

#include "backaid/plan.h"
#include "backaid/report.h"

namespace backaid {
namespace {

std::string_view ConcernsLabel(PlanItemVariant v) {
  switch (v) {
    case PlanItemVariant::kNotForYou:
      return "Not for you because of";
    case PlanItemVariant::kCheckFirst:
      return "Check these first (not yet asked)";
    default:
      return "";
  }
}

std::string Minutes(int m) {
  if (m % (24 * 60) == 0 && m > 0) {
    const int d = m / (24 * 60);
    return fmt::format("{} day{}", d, d == 1 ? "" : "s");
  }
  if (m % 60 == 0 && m > 0) {
    const int h = m / 60;
    return fmt::format("{} hour{}", h, h == 1 ? "" : "s");
  }
  return fmt::format("{} min", m);
}

// Appends `text` word-wrapped to `width` columns (plain text only): the
// first line starts with `first`, the others with `rest`. Markdown is left
// to the reader's renderer.
void WrapTo(std::string_view first, std::string_view rest,
            std::string_view text, bool markdown, std::string* out,
            size_t width) {
  if (markdown) {
    *out += first;
    *out += text;
    *out += '\n';
    return;
  }
  // Words per line first, so that a last line of one word can take the
  // word before it (no single word left alone on a wrapped line).
  std::vector<std::vector<std::string_view>> lines(1);
  size_t used = first.size();
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    size_t j = text.find(' ', i);
    if (j == std::string_view::npos) j = text.size();
    const std::string_view word = text.substr(i, j - i);
    i = j;
    if (word.empty()) break;
    if (!lines.back().empty() && used + 1 + word.size() > width) {
      lines.emplace_back();
      used = rest.size();
    }
    used += (lines.back().empty() ? 0 : 1) + word.size();
    lines.back().push_back(word);
  }
  if (lines.size() >= 2 && lines.back().size() == 1 &&
      lines[lines.size() - 2].size() >= 3 &&
      rest.size() + lines[lines.size() - 2].back().size() + 1 +
              lines.back().front().size() <=
          width) {
    auto& prev = lines[lines.size() - 2];
    lines.back().insert(lines.back().begin(), prev.back());
    prev.pop_back();
  }
  for (size_t l = 0; l < lines.size(); ++l) {
    std::string line(l == 0 ? first : rest);
    for (size_t w = 0; w < lines[l].size(); ++w) {
      if (w) line += ' ';
      line += lines[l][w];
    }
    *out += line + '\n';
  }
}

}  // namespace

void AppendPlanText(const KnowledgeBase& kb, const CarePlan& plan,
                    bool markdown, std::string* out,
                    const PlanTextOptions& options) {
  std::string& o = *out;
  auto Wrap = [&](std::string_view first, std::string_view rest,
                  std::string_view text, bool md, std::string* to) {
    WrapTo(first, rest, text, md, to, options.width);
  };
  const LevelDef& level = kb.level(plan.level);
  // "self care", not the id "self_care", for a person.
  std::string level_name = level.name;
  std::replace(level_name.begin(), level_name.end(), '_', ' ');
  // Alone, the plan says once that it is not a diagnosis, and its level;
  // inside a result, the result has said both.
  bool first = true;
  if (options.embedded) {
    // Nothing before the first section.
  } else if (markdown) {
    o += fmt::format("# Your care plan\n\n> {}\n\n**Level: {}** - {}\n",
                     NotADiagnosisNotice(), level_name, level.meaning);
  } else {
    o += "YOUR CARE PLAN\n";
    Wrap("", "", NotADiagnosisNotice(), false, out);
    o += "\n";
    Wrap("", "  ", fmt::format("Level: {} - {}", level_name, level.meaning),
         false, out);
  }
  auto shown = [&](const PlanItem& item) {
    return std::find(options.already_shown.begin(), options.already_shown.end(),
                     item.id) != options.already_shown.end();
  };
  // Whether the result led with some of a section's items.
  auto led_with = [&](PlanSection s) {
    return std::any_of(
        plan.items.begin(), plan.items.end(),
        [&](const PlanItem& item) { return item.section == s && shown(item); });
  };
  PlanSection current = PlanSection::kNow;
  const std::string_view indent = markdown ? "" : "  ";
  for (const PlanItem& item : plan.items) {
    if (shown(item)) continue;
    if (first || item.section != current) {
      current = item.section;
      const bool lead = first && options.embedded;
      first = false;
      // plan.yaml's headings; a section some of whose items the result
      // led with has its own heading for the rest ("More to do now").
      std::string heading = PlanSectionTitle(plan, current);
      for (const PlanSectionInfo& info : plan.sections) {
        if (info.section == current && !info.rest_title.empty() &&
            led_with(current))
          heading = info.rest_title;
      }
      if (markdown) {
        o += fmt::format("{}## {}\n", lead ? "" : "\n", heading);
      } else {
        for (char& ch : heading)
          ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        o += fmt::format("{}{}\n", lead ? "" : "\n", heading);
      }
    }
    if (markdown) {
      o += fmt::format("\n### {}\n\n", item.title);
    } else {
      o += "\n";
      Wrap("* ", "  ", item.title, false, out);
    }
    Wrap(indent, indent, item.text, markdown, out);
    if (!item.concerns.empty() && !ConcernsLabel(item.variant).empty()) {
      o += fmt::format("{}{}:\n", indent, ConcernsLabel(item.variant));
      if (markdown) o += "\n";
      for (const auto& c : item.concerns)
        Wrap(fmt::format("{}- ", indent), fmt::format("{}  ", indent), c,
             markdown, out);
    }
    if (!item.steps.empty()) {
      if (markdown) o += "\n";
      for (size_t i = 0; i < item.steps.size(); ++i)
        Wrap(fmt::format("{}{}. ", indent, i + 1), fmt::format("{}   ", indent),
             item.steps[i], markdown, out);
    }
    if (!item.decision.empty()) {
      if (markdown) {
        o += fmt::format("\n*Where sources disagree:* {}\n", item.decision);
      } else {
        Wrap("  ", "  ", "Where sources disagree: " + item.decision, false,
             out);
      }
    }
    std::string sources;
    for (const auto& s : item.sources)
      sources += (sources.empty() ? "" : "; ") + s;
    if (markdown) o += "\n";
    Wrap(indent, fmt::format("{}  ", indent), "Sources: " + sources, markdown,
         out);
  }
  if (!plan.left_out.empty()) {
    o += markdown ? "\n## Left out for you\n\n" : "\nLEFT OUT FOR YOU\n";
    for (const PlanLeftOut& l : plan.left_out) {
      if (markdown) {
        o += fmt::format("- **{}:** {}\n", l.title, l.why);
      } else {
        Wrap("  - ", "    ", fmt::format("{}: {}", l.title, l.why), false, out);
      }
    }
  }
  if (!plan.activities.empty()) {
    o += markdown ? "\n## Schedule\n\n" : "\nSCHEDULE\n";
    for (const PlanActivity& a : plan.activities) {
      std::string when;
      if (a.every_minutes > 0) {
        when = fmt::format(
            "{} every {}, from {} to {} after the start",
            Minutes(a.duration_minutes), Minutes(a.every_minutes),
            a.start_minute == 0 ? std::string("now") : Minutes(a.start_minute),
            Minutes(a.until_minute));
      } else {
        when = fmt::format("once, {} after the start", Minutes(a.start_minute));
      }
      if (markdown) {
        o += fmt::format("- **{}:** {}. {}\n", a.title, when, a.description);
      } else {
        Wrap("  - ", "    ",
             fmt::format("{}: {}. {}", a.title, when, a.description), false,
             out);
      }
    }
    o += markdown ? "\nTimed reminders are only set in waking hours.\n"
                  : "  Timed reminders are only set in waking hours.\n";
  }
  // Inside a result, the version is said once, under "About this result".
  if (options.embedded) return;
  o += markdown ? fmt::format("\n*knowledge base {}*\n", plan.kb_version)
                : fmt::format("\nknowledge base {}\n", plan.kb_version);
}

namespace {

nlohmann::ordered_json ItemJson(const PlanItem& item) {
  nlohmann::ordered_json i;
  i["id"] = item.id;
  i["section"] = std::string(PlanSectionName(item.section));
  i["variant"] = std::string(PlanItemVariantName(item.variant));
  i["title"] = item.title;
  i["text"] = item.text;
  i["steps"] = item.steps;
  i["sources"] = item.sources;
  if (item.role != PlanItemRole::kNone)
    i["role"] = std::string(PlanItemRoleName(item.role));
  if (!item.conflict_id.empty()) {
    i["conflict"] = item.conflict_id;
    i["decision"] = item.decision;
  }
  if (!item.concerns.empty()) i["concerns"] = item.concerns;
  if (!item.rules.empty()) i["rules"] = item.rules;
  return i;
}

}  // namespace

void AppendPlanJson(const CarePlan& plan, std::string* out) {
  nlohmann::ordered_json j;
  j["level"] = std::string(LevelName(plan.level));
  j["kb_version"] = plan.kb_version;
  j["sections"] = nlohmann::ordered_json::array();
  for (const PlanSectionInfo& s : plan.sections) {
    nlohmann::ordered_json i;
    i["id"] = std::string(PlanSectionName(s.section));
    i["title"] = s.title;
    i["rest_title"] = s.rest_title.empty() ? s.title : s.rest_title;
    i["open"] = s.open;
    i["timetable"] = s.timetable;
    j["sections"].push_back(std::move(i));
  }
  j["items"] = nlohmann::ordered_json::array();
  for (const PlanItem& item : plan.items) j["items"].push_back(ItemJson(item));
  j["activities"] = nlohmann::ordered_json::array();
  for (const PlanActivity& a : plan.activities) {
    nlohmann::ordered_json i;
    i["id"] = a.id;
    i["title"] = a.title;
    i["description"] = a.description;
    i["start_minute"] = a.start_minute;
    i["duration_minutes"] = a.duration_minutes;
    i["every_minutes"] = a.every_minutes;
    i["until_minute"] = a.until_minute;
    i["waking_hours_only"] = a.waking_hours_only;
    i["alarm_minutes_before"] = a.alarm_minutes_before;
    i["sources"] = a.sources;
    j["activities"].push_back(std::move(i));
  }
  j["left_out"] = nlohmann::ordered_json::array();
  for (const PlanLeftOut& l : plan.left_out) {
    j["left_out"].push_back(nlohmann::ordered_json{
        {"id", l.id}, {"title", l.title}, {"why", l.why}});
  }
  *out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace backaid
