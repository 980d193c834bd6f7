#include "backaid/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "backaid/assess.h"
#include "backaid/case_json.h"
#include "backaid/plan.h"
#include "src/caseio/regions.h"
#include "src/knowledge/expr.h"
#include "src/knowledge/program.h"

namespace backaid {
namespace {

constexpr size_t kWidth = 78;

void Wrap(std::string_view first, std::string_view indent,
          std::string_view text, std::string* out) {
  AppendWrapped(first, indent, text, kWidth, out);
}

std::string Upper(std::string_view s) {
  std::string u(s);
  for (char& ch : u) {
    if (ch == '_')
      ch = ' ';
    else if (ch >= 'a' && ch <= 'z')
      ch = static_cast<char>(ch - 'a' + 'A');
  }
  return u;
}

// Re-wraps every line of `text` wider than kWidth, continuing it under its
// own indent (past a "- ", "* " or "1. " marker).
std::string Rewrap(std::string_view text) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.size() <= kWidth) {
      out.append(line).push_back('\n');
      continue;
    }
    size_t indent = line.find_first_not_of(' ');
    if (indent == std::string_view::npos) indent = 0;
    size_t marker = 0;
    const std::string_view rest = line.substr(indent);
    if (rest.size() > 2 && (rest[0] == '-' || rest[0] == '*') &&
        rest[1] == ' ') {
      marker = 2;
    } else {
      size_t d = 0;
      while (d < rest.size() && rest[d] >= '0' && rest[d] <= '9') ++d;
      if (d > 0 && d + 1 < rest.size() && rest[d] == '.' && rest[d + 1] == ' ')
        marker = d + 2;
    }
    const size_t head = std::min(indent + marker, kWidth / 2);
    Wrap(line.substr(0, head), std::string(head, ' '), line.substr(head), &out);
  }
  if (!text.empty() && text.back() != '\n' && !out.empty()) out.pop_back();
  return out;
}

std::string FindingList(const KnowledgeBase& kb, const FindingSet& set) {
  std::string s;
  for (size_t f = set._Find_first(); f < set.size(); f = set._Find_next(f)) {
    if (!s.empty()) s += ", ";
    s += kb.findings()[f].key;
  }
  return s;
}

}  // namespace

void AppendWrapped(std::string_view first, std::string_view indent,
                   std::string_view text, size_t width, std::string* out) {
  std::string line(first);
  size_t line_start_len = line.size();
  size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && text[pos] == ' ') ++pos;
    size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(pos, end - pos);
    pos = end;
    if (word.empty()) continue;
    if (line.size() > line_start_len && line.size() + 1 + word.size() > width) {
      out->append(line).push_back('\n');
      line.assign(indent);
      line_start_len = line.size();
    }
    if (line.size() > line_start_len) line.push_back(' ');
    line.append(word);
  }
  out->append(line).push_back('\n');
}

const char* NotADiagnosisNotice() {
  return "backaid gives information and triage, not a diagnosis. It does not "
         "replace a doctor, a pharmacist or a physiotherapist who examines "
         "you. If you feel very unwell or something frightens you, call the "
         "emergency number.";
}

void AppendOpenQuestionsText(const KnowledgeBase& kb, const Case& c,
                             const TriageResult& r, bool md, std::string* out,
                             const std::vector<std::string>* only,
                             std::string_view region) {
  // At emergency nothing is more urgent: the call comes first.
  if (r.level == TriageLevel::kEmergency) return;
  std::vector<OpenQuestion> open = OpenQuestions(kb, c, r);
  if (only != nullptr) {
    std::erase_if(open, [&](const OpenQuestion& q) {
      return std::find(only->begin(), only->end(), q.question) == only->end();
    });
    if (open.empty()) return;
  }
  if (open.empty() && r.not_assessed.none()) return;
  const std::string bullet = md ? "- " : "  - ";
  const std::string cont = md ? "  " : "    ";
  Wrap(md ? "**" : "", "",
       std::string(r.not_assessed.any()
                       ? "The warning-sign questions are not all answered. "
                       : "") +
           (open.empty() ? "" : "Answers to these could change this result:") +
           (md ? "**" : ""),
       out);
  if (md && !open.empty()) out->push_back('\n');
  constexpr size_t kShown = 8;
  for (size_t i = 0; i < open.size() && i < kShown; ++i) {
    Wrap(bullet, cont,
         fmt::format("{} (could make it {})",
                     RegionText(kb, region, open[i].text),
                     Upper(LevelName(open[i].level))),
         out);
  }
  if (open.size() > kShown) {
    Wrap(bullet, cont, fmt::format("and {} more", open.size() - kShown), out);
  }
  if (md) out->push_back('\n');
}

void AppendResultText(const KnowledgeBase& kb, const Case& c,
                      const TriageResult& r, bool md, std::string* out) {
  const std::string h = md ? "### " : "";
  const std::string bullet = md ? "- " : "  - ";
  const std::string cont = md ? "  " : "    ";
  if (md) {
    *out += fmt::format("## Case {}\n\n", c.id);
  } else {
    *out += std::string(kWidth, '=') + "\n";
    *out += fmt::format("Case {}\n", c.id);
  }
  // An incomplete result opens with the questions that would decide it.
  AppendOpenQuestionsText(kb, c, r, md, out);
  Wrap(fmt::format("{}{}: ", md ? "**" : "", Upper(LevelName(r.level))) +
           (md ? "** " : ""),
       "", kb.level(r.level).meaning, out);
  if (md) out->push_back('\n');
  if (r.red_flags.any()) {
    Wrap(md ? "**Warning signs:** " : "Warning signs: ", "  ",
         FindingList(kb, r.red_flags), out);
  }
  if (r.conditions) {
    std::string names;
    for (uint32_t b = r.conditions; b; b &= b - 1) {
      if (!names.empty()) names += "; ";
      names += kb.conditions()[__builtin_ctz(b)].name;
    }
    Wrap(md ? "**To be checked for:** " : "To be checked for: ", "  ", names,
         out);
  }
  std::string see;
  for (uint16_t s : OrderedServices(kb, r)) {
    if (!see.empty()) see += "; ";
    // A service's name in the default region's words (a case carries no
    // region).
    see += RegionText(kb, "", kb.services()[s].name);
  }
  if (!see.empty())
    Wrap(md ? "**Who to see:** " : "Who to see: ", "  ", see, out);
  if (md) out->push_back('\n');
  *out += h + "Why\n";
  if (r.fired.empty()) {
    Wrap(bullet, cont,
         "None of the warning signs in the knowledge base were reported.", out);
  }
  for (uint16_t id : r.fired) {
    const RuleDef& rule = kb.rules()[id];
    Wrap(bullet, cont,
         fmt::format("[{}] {}", LevelName(rule.level), rule.reason), out);
    std::string because;
    for (FindingId f : Evidence(kb, c, id)) {
      if (!because.empty()) because += ", ";
      const FindingDef& def = kb.findings()[f];
      because += def.type == FindingType::kBool && c.values[f] == 1
                     ? def.key
                     : def.key + "=" + kb::ValueToString(def, c.values[f]);
    }
    if (!because.empty()) Wrap(cont + "because: ", cont + "  ", because, out);
    std::string sources;
    for (uint16_t s : rule.sources) {
      if (!sources.empty()) sources += "; ";
      sources += kb.sources()[s].cite;
    }
    Wrap(cont + "sources: ", cont + "  ", sources, out);
    Wrap(cont + "rule: ", cont, rule.id, out);
  }
  if (r.not_assessed.any()) {
    if (md) out->push_back('\n');
    Wrap(md ? "**Not assessed (not the same as 'no'):** "
            : "Not assessed (not the same as 'no'): ",
         "  ", FindingList(kb, r.not_assessed), out);
  }
  if (md) out->push_back('\n');
  Wrap(md ? "*knowledge base " : "knowledge base ", "",
       kb.version() + (md ? "*" : ""), out);
}

std::vector<NowStep> WhatToDoNow(const KnowledgeBase& kb, const TriageResult& r,
                                 const CarePlan* plan,
                                 std::string_view region) {
  std::vector<NowStep> out;
  if (r.level == TriageLevel::kEmergency) {
    const regions::RegionModel* m = regions::RegionsOf(kb);
    NowStep call{m ? m->emergency_advice.id : "emergency.call_now",
                 EmergencyAdvice(kb, region),
                 "",
                 {},
                 {},
                 std::string(PlanItemRoleName(PlanItemRole::kEmergencyCall)),
                 {}};
    call.covers.push_back(call.id);
    if (m != nullptr)
      for (uint16_t s : m->emergency_advice.sources)
        call.sources.push_back(kb.sources()[s].cite);
    // The region's advice stands for the plan's own call items.
    if (plan != nullptr)
      for (const PlanItem& i : plan->items)
        if (i.role == PlanItemRole::kEmergencyCall) call.covers.push_back(i.id);
    out.push_back(std::move(call));
  }
  if (plan == nullptr) return out;
  for (const PlanItem& i : plan->items) {
    if (out.size() == 3) break;
    if (i.section != PlanSection::kNow ||
        i.variant == PlanItemVariant::kNotForYou)
      continue;
    // The emergency call is already the first step.
    if (r.level == TriageLevel::kEmergency &&
        i.role == PlanItemRole::kEmergencyCall)
      continue;
    out.push_back(NowStep{i.id,
                          i.title,
                          i.text,
                          i.steps,
                          i.sources,
                          std::string(PlanItemRoleName(i.role)),
                          {i.id}});
  }
  return out;
}

void AppendNowStepsJson(const std::vector<NowStep>& steps, std::string* out) {
  out->push_back('[');
  for (size_t i = 0; i < steps.size(); ++i) {
    const NowStep& step = steps[i];
    if (i) out->push_back(',');
    *out += "{\"id\":";
    AppendJsonString(step.id, out);
    *out += ",\"title\":";
    AppendJsonString(step.title, out);
    *out += ",\"text\":";
    AppendJsonString(step.text, out);
    *out += ",\"sources\":[";
    for (size_t s = 0; s < step.sources.size(); ++s) {
      if (s) out->push_back(',');
      AppendJsonString(step.sources[s], out);
    }
    out->push_back(']');
    if (!step.role.empty()) {
      *out += ",\"role\":";
      AppendJsonString(step.role, out);
    }
    out->push_back('}');
  }
  out->push_back(']');
}

CallScriptText CallHandlerScript(const KnowledgeBase& kb, const Case& c,
                                 const TriageResult& r,
                                 std::string_view region) {
  CallScriptText out;
  const regions::RegionModel* m = regions::RegionsOf(kb);
  if (r.level != TriageLevel::kEmergency || m == nullptr ||
      m->call_script.id.empty())
    return out;
  // The warning signs found, in the knowledge base's words; the emergency
  // rules' reasons when the emergency rests on no red flag.
  std::string signs;
  for (size_t f = r.red_flags._Find_first(); f < r.red_flags.size();
       f = r.red_flags._Find_next(f)) {
    if (!signs.empty()) signs += "; ";
    signs += kb.findings()[f].meaning;
  }
  if (signs.empty()) {
    for (uint16_t id : r.fired) {
      const RuleDef& rule = kb.rules()[id];
      if (rule.level != TriageLevel::kEmergency) continue;
      std::string reason = rule.reason;
      while (!reason.empty() && (reason.back() == '.' || reason.back() == ' '))
        reason.pop_back();
      if (!signs.empty()) signs += "; ";
      signs += reason;
    }
  }
  auto value = [&](const std::string& key) -> std::optional<int32_t> {
    const std::optional<FindingId> f = kb.FindFinding(key);
    if (!f || *f >= c.values.size() || c.values[*f] == kUnknown)
      return std::nullopt;
    return c.values[*f];
  };
  out.id = m->call_script.id;
  out.title = RegionText(kb, region, m->call_script.title);
  for (const regions::CallScriptLine& l : m->call_script.lines) {
    if (!l.when.empty() && value(l.when) != 1) continue;
    if (!l.known.empty() && !value(l.known)) continue;
    if (!l.unknown.empty() && value(l.unknown)) continue;
    std::string text = l.text;
    auto fill = [&text](std::string_view name, const std::string& with) {
      const std::string p = "{" + std::string(name) + "}";
      for (size_t at = text.find(p); at != std::string::npos;
           at = text.find(p, at + with.size()))
        text.replace(at, p.size(), with);
    };
    fill("signs", signs);
    if (!l.known.empty()) {
      const FindingDef& def = kb.findings()[*kb.FindFinding(l.known)];
      fill(l.known, FindingValueText(def, *value(l.known)));
    }
    out.lines.push_back(RegionText(kb, region, text));
  }
  return out;
}

void AppendCallScriptJson(const CallScriptText& script, std::string* out) {
  if (script.id.empty()) {
    *out += "null";
    return;
  }
  *out += "{\"id\":";
  AppendJsonString(script.id, out);
  *out += ",\"title\":";
  AppendJsonString(script.title, out);
  *out += ",\"lines\":[";
  for (size_t i = 0; i < script.lines.size(); ++i) {
    if (i) out->push_back(',');
    AppendJsonString(script.lines[i], out);
  }
  *out += "]}";
}

void AppendPersonText(
    const KnowledgeBase& kb, const Case& c, const TriageResult& r,
    const CarePlan* plan, std::string_view region, bool md,
    const std::function<std::string(TriageLevel, std::string_view)>& emphasis,
    const std::vector<std::string>* only, std::string* result) {
  const std::string number = EmergencyNumber(kb, region);
  auto style_level = [&](TriageLevel l, std::string_view text) {
    return emphasis ? emphasis(l, text) : std::string(text);
  };
  std::string out;
  const std::string h = md ? "## " : "";
  const std::string bullet = md ? "- " : "  - ";
  const std::string cont = md ? "  " : "    ";
  const std::string level = Upper(LevelName(r.level));
  // An incomplete result opens with the questions that would decide it.
  {
    std::string open;
    AppendOpenQuestionsText(kb, c, r, md, &open, only, region);
    if (!open.empty()) out += open + (md ? "" : "\n");
  }
  // First, what to do now: at most three things, in the knowledge base's
  // order (plan.yaml lists each level's `now` items most important first);
  // an emergency's call comes before them. Then the level and why.
  out += h + "What to do now\n";
  if (md) out.push_back('\n');
  int shown = 0;
  std::vector<std::string> now_ids;
  for (const NowStep& step : WhatToDoNow(kb, r, plan, region)) {
    ++shown;
    const std::string first = (md ? "" : "  ") + std::to_string(shown) + ". ";
    const std::string indent = md ? "   " : "     ";
    if (step.text.empty()) {  // the emergency call
      Wrap(first, indent,
           md ? "**" + step.title + "**" : style_level(r.level, step.title),
           &out);
    } else {
      Wrap(first, indent,
           (md ? "**" + step.title + ".** " : step.title + ". ") + step.text,
           &out);
    }
    // The plan below does not repeat these steps: their own numbered
    // steps and sources are here.
    for (size_t k = 0; k < step.steps.size(); ++k) {
      const std::string mark = std::string(1, static_cast<char>('a' + k % 26));
      Wrap(indent + (md ? "- " : mark + ") "), indent + (md ? "  " : "   "),
           step.steps[k], &out);
    }
    if (!step.text.empty() && !step.sources.empty()) {
      std::string sources;
      for (const std::string& s : step.sources)
        sources += (sources.empty() ? "" : "; ") + s;
      Wrap(indent + "(sources: ", indent, sources + ")", &out);
    }
    // What the step says (the emergency advice: the plan's call item too).
    now_ids.insert(now_ids.end(), step.covers.begin(), step.covers.end());
  }
  if (shown == 0) Wrap(bullet, cont, kb.level(r.level).meaning, &out);
  out.push_back('\n');
  // At emergency, what to say when the call is answered (the knowledge
  // base's script, filled in for this person).
  const CallScriptText script = CallHandlerScript(kb, c, r, region);
  if (!script.lines.empty()) {
    out += h + script.title + "\n";
    if (md) out.push_back('\n');
    for (size_t i = 0; i < script.lines.size(); ++i) {
      Wrap((md ? "" : "  ") + std::to_string(i + 1) + ". ",
           md ? "   " : "     ", script.lines[i], &out);
    }
    out.push_back('\n');
  }
  if (md) {
    out += fmt::format("# {}: {}\n\n", level, kb.level(r.level).meaning);
  } else {
    std::string head;
    Wrap(level + ": ", "  ", kb.level(r.level).meaning, &head);
    out += style_level(r.level, head.substr(0, head.size() - 1)) + "\n";
  }
  {
    std::string see;
    for (uint16_t s : OrderedServices(kb, r)) {
      if (!see.empty()) see += "; ";
      see += RegionText(kb, region, kb.services()[s].name);
    }
    if (!see.empty())
      Wrap(md ? "**Who to see:** " : "Who to see: ", "  ", see, &out);
  }
  out += "\n" + h + "Why\n";
  if (md) out.push_back('\n');
  bool any = false;
  for (int l = kLevelCount - 1; l >= 0; --l) {
    for (uint16_t id : r.fired) {
      const RuleDef& rule = kb.rules()[id];
      if (static_cast<int>(rule.level) != l) continue;
      any = true;
      std::string sources;
      for (uint16_t s : rule.sources) {
        if (!sources.empty()) sources += "; ";
        sources += kb.sources()[s].cite;
      }
      Wrap(bullet, cont, rule.reason, &out);
      Wrap(cont + "(sources: ", cont, sources + ")", &out);
    }
  }
  if (!any) {
    Wrap(bullet, cont, "None of the warning signs we asked about were found.",
         &out);
  }
  out.push_back('\n');
  // Said once in the whole result (the plan below does not repeat it).
  Wrap("", "", NotADiagnosisNotice(), &out);
  if (r.red_flags.any()) {
    out += "\n" + h + "Warning signs you told us about\n";
    if (md) out.push_back('\n');
    for (size_t f = r.red_flags._Find_first(); f < r.red_flags.size();
         f = r.red_flags._Find_next(f)) {
      Wrap(bullet, cont, kb.findings()[f].meaning, &out);
    }
  }
  if (r.not_assessed.any()) {
    out += "\n" + h + "Not checked (this is not the same as \"no\")\n";
    if (md) out.push_back('\n');
    for (size_t f = r.not_assessed._Find_first(); f < r.not_assessed.size();
         f = r.not_assessed._Find_next(f)) {
      Wrap(bullet, cont, kb.findings()[f].meaning, &out);
    }
  }
  if (plan != nullptr) {
    out += "\n" + h + "Your plan\n\n";
    // The rest of the plan: not the notice, the level or the steps said
    // above; the version is said once, under "About this result".
    PlanTextOptions options;
    options.embedded = true;
    options.already_shown = now_ids;
    options.width = kWidth;
    std::string text;
    AppendPlanText(kb, *plan, md, &text, options);
    out += md ? text : Rewrap(text);
  }
  if (!md) out += "\n" + std::string(kWidth, '-') + "\n";
  Wrap(md ? "\n*" : "", "",
       fmt::format("If anything gets worse or you are worried, call {} or "
                   "see a doctor.",
                   number) +
           (md ? "*" : ""),
       &out);
  out += "\n" + h + "About this result\n";
  if (md) out.push_back('\n');
  Wrap("", "",
       fmt::format("Made by backaid from its knowledge base, version {}. Its "
                   "rules follow published guidelines and articles and await "
                   "clinical sign-off.",
                   kb.version()),
       &out);
  *result += out;
}

}  // namespace backaid
