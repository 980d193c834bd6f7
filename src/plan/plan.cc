// BuildCarePlan: selects the plan.yaml items and activities that apply to a
// triaged case, in section order, and fills in the variant of items with
// contraindications. No clinical content lives here.
#include "backaid/plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <utility>

#include "backaid/report.h"
#include "src/knowledge/program.h"
#include "src/plan/plan_model.h"

namespace backaid {

std::string_view PlanSectionName(PlanSection s) {
  switch (s) {
    case PlanSection::kNow:
      return "now";
    case PlanSection::kIceHeat:
      return "ice_heat";
    case PlanSection::kActivity:
      return "activity";
    case PlanSection::kMedicines:
      return "medicines";
    case PlanSection::kExercises:
      return "exercises";
    case PlanSection::kPrevention:
      return "prevention";
    case PlanSection::kAvoid:
      return "avoid";
    case PlanSection::kSafetyNet:
      return "safety_net";
    case PlanSection::kFollowUp:
      return "follow_up";
  }
  return "now";
}

std::string_view PlanItemVariantName(PlanItemVariant v) {
  switch (v) {
    case PlanItemVariant::kAdvice:
      return "advice";
    case PlanItemVariant::kCaution:
      return "caution";
    case PlanItemVariant::kCheckFirst:
      return "check_first";
    case PlanItemVariant::kNotForYou:
      return "not_for_you";
  }
  return "advice";
}

std::string_view PlanItemRoleName(PlanItemRole r) {
  return r == PlanItemRole::kEmergencyCall ? "emergency_call" : "";
}

std::string PlanSectionTitle(const CarePlan& plan, PlanSection s) {
  for (const PlanSectionInfo& info : plan.sections)
    if (info.section == s) return info.title;
  return std::string(PlanSectionName(s));
}

namespace {

std::vector<std::string> Cites(const KnowledgeBase& kb,
                               const std::vector<uint16_t>& sources) {
  std::vector<std::string> out;
  for (uint16_t s : sources) out.push_back(kb.sources()[s].cite);
  return out;
}

// Fills the variant of an item with contraindications. An unassessed
// contraindication is never taken as absent.
void ApplyContraindications(const KnowledgeBase& kb, const plan::ItemModel& m,
                            const Case& c, PlanItem* item) {
  std::vector<std::string> present, unknown;
  for (size_t i = 0; i < m.contraindications.size(); ++i) {
    const FindingId f = m.contraindications[i];
    const auto& unless = m.contraindication_unless[i];
    if (unless && plan::Evaluate(*unless, c.values) == plan::Truth::kTrue)
      continue;  // cannot apply to this person
    const int32_t v = c.values[f];
    const std::string& meaning = kb.findings()[f].meaning;
    if (v == kUnknown) {
      unknown.push_back(meaning);
    } else if (v != 0) {
      present.push_back(meaning);
    }
  }
  if (!present.empty()) {
    item->variant = PlanItemVariant::kNotForYou;
    item->text = m.not_for_you;
    item->steps.clear();
    // The sources' disagreement was about giving this advice; it is not
    // given, so the decision (e.g. "paracetamol alone has not been shown to
    // help") would only undermine what the person can take instead.
    item->conflict_id.clear();
    item->decision.clear();
    item->concerns = std::move(present);
  } else if (!unknown.empty()) {
    item->variant = PlanItemVariant::kCheckFirst;
    item->text = m.check_first + " " + m.text;
    item->concerns = std::move(unknown);
  }
  if (item->variant == PlanItemVariant::kNotForYou) return;
  // A caution applies unless it is definitely false (an unknown age still
  // gets the caution).
  for (size_t i = 0; i < m.cautions.size(); ++i) {
    if (plan::Evaluate(m.cautions[i], c.values) != plan::Truth::kFalse) {
      if (item->variant == PlanItemVariant::kAdvice)
        item->variant = PlanItemVariant::kCaution;
      item->text += " " + m.caution_text;
      break;
    }
  }
}

// The derived safety net: for each sign not already present, the level the
// rules would give with it; signs that raise the level become lines under
// that level's heading, most urgent level first.
std::vector<PlanItem> DerivedNet(const KnowledgeBase& kb,
                                 const plan::PlanModel& model, const Case& c,
                                 const TriageResult& result) {
  std::vector<PlanItem> out;
  if (result.level == TriageLevel::kEmergency || model.signs.empty())
    return out;
  std::vector<std::string> lines[kLevelCount];
  std::vector<uint16_t> rules[kLevelCount];
  std::set<std::pair<FindingId, int32_t>> seen;
  Case probe = c;
  TriageResult r;
  for (const plan::SignModel& s : model.signs) {
    if (!plan::Applies(s.condition, c.values)) continue;
    if (!seen.insert({s.finding, s.value}).second) continue;
    const int32_t was = c.values[s.finding];
    if (was == s.value) continue;  // already present: the triage counts it
    kb.SetFinding(s.finding, s.value, &probe);
    Evaluate(kb, probe, &r);
    kb.SetFinding(s.finding, was, &probe);
    if (r.level <= result.level) continue;
    const int l = static_cast<int>(r.level);
    if (std::find(lines[l].begin(), lines[l].end(), s.text) == lines[l].end())
      lines[l].push_back(s.text);
    for (uint16_t rule : r.fired) {
      if (kb.rules()[rule].level == r.level &&
          std::find(rules[l].begin(), rules[l].end(), rule) == rules[l].end())
        rules[l].push_back(rule);
    }
  }
  for (int l = kLevelCount - 1; l >= 0; --l) {
    if (lines[l].empty() || !model.net_headings[l].present) continue;
    std::sort(rules[l].begin(), rules[l].end());
    PlanItem item;
    item.id =
        fmt::format("safety_net.if.{}", LevelName(static_cast<TriageLevel>(l)));
    item.section = PlanSection::kSafetyNet;
    item.title = model.net_headings[l].title;
    item.text = model.net_headings[l].text;
    item.steps = std::move(lines[l]);
    std::vector<uint16_t> sources;
    for (uint16_t rule : rules[l]) {
      item.rules.push_back(kb.rules()[rule].id);
      for (uint16_t src : kb.rules()[rule].sources)
        if (std::find(sources.begin(), sources.end(), src) == sources.end())
          sources.push_back(src);
    }
    item.sources = Cites(kb, sources);
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace

namespace {

// Every text of the plan in the region's words (RegionText: "{doctor}",
// "{advice_line}", "{paracetamol}", "{number}"), once, so that every front
// (text, Markdown, JSON, the calendar, the diary, the handover, FHIR)
// shows the same words.
void InRegionsWords(const KnowledgeBase& kb, std::string_view region,
                    CarePlan* plan) {
  auto words = [&](std::string* s) { *s = RegionText(kb, region, *s); };
  for (PlanItem& item : plan->items) {
    words(&item.title);
    words(&item.text);
    words(&item.decision);
    for (std::string& step : item.steps) words(&step);
    for (std::string& concern : item.concerns) words(&concern);
  }
  for (PlanActivity& a : plan->activities) {
    words(&a.title);
    words(&a.description);
  }
  for (PlanLeftOut& l : plan->left_out) {
    words(&l.title);
    words(&l.why);
  }
  for (PlanSectionInfo& s : plan->sections) {
    words(&s.title);
    words(&s.rest_title);
  }
}

}  // namespace

Result<CarePlan> BuildCarePlan(const KnowledgeBase& kb, const Case& c,
                               const TriageResult& result,
                               std::string_view region) {
  const auto& model = plan::PlanModelOf(kb);
  if (!model) {
    return Status::FailedPrecondition(
        "the knowledge base has no plan.yaml, so it cannot make a care plan");
  }
  if (c.values.size() != kb.findings().size()) {
    return Status::InvalidArgument(
        "the case was not made for this knowledge base");
  }
  CarePlan plan;
  plan.level = result.level;
  plan.kb_version = kb.version();
  for (size_t i = 0; i < model->sections.size(); ++i) {
    const plan::SectionModel& m = model->sections[i];
    plan.sections.push_back(PlanSectionInfo{static_cast<PlanSection>(i),
                                            m.title, m.rest_title, m.open,
                                            m.timetable});
  }
  const uint8_t level = plan::LevelBit(result.level);
  const bool red_flags = result.red_flags.any();
  // The derived safety net leads its section (stable sort below).
  plan.items = DerivedNet(kb, *model, c, result);
  for (const plan::ItemModel& m : model->items) {
    if (!(m.levels & level)) continue;
    if (m.red_flags == plan::RedFlagGate::kNone && red_flags) continue;
    if (m.red_flags == plan::RedFlagGate::kPresent && !red_flags) continue;
    if (!plan::Applies(m.condition, c.values)) continue;
    const plan::ItemModel::Screen* screened = nullptr;
    for (const auto& s : m.screens) {
      if (plan::Evaluate(s.unless, c.values) == plan::Truth::kTrue) {
        screened = &s;
        break;
      }
    }
    if (screened) {
      plan.left_out.push_back({m.id, m.title, screened->why});
      continue;
    }
    PlanItem item;
    item.id = m.id;
    item.section = m.section;
    item.role = m.role;
    item.title = m.title;
    item.text = m.text;
    item.steps = m.steps;
    item.sources = Cites(kb, m.sources);
    if (m.conflict >= 0) {
      const ConflictDef& conflict = kb.conflicts()[m.conflict];
      item.conflict_id = conflict.id;
      item.decision = conflict.decision;
    }
    if (!m.contraindications.empty() || !m.cautions.empty())
      ApplyContraindications(kb, m, c, &item);
    plan.items.push_back(std::move(item));
  }
  std::stable_sort(plan.items.begin(), plan.items.end(),
                   [](const PlanItem& a, const PlanItem& b) {
                     return a.section < b.section;
                   });

  // The onset anchor: the episode began onset_days before the start. Day 0
  // ("today") and an unknown onset both count as beginning now, so a fresh
  // strain always gets the ice period in full.
  int onset_offset = 0;
  if (model->onset_days) {
    const int32_t days = c.values[*model->onset_days];
    if (days != kUnknown && days > 0) onset_offset = days * 24 * 60;
  }
  for (const plan::ActivityModel& m : model->activities) {
    if (!(m.levels & level)) continue;
    if (!plan::Applies(m.condition, c.values)) continue;
    const int shift = m.anchor == plan::Anchor::kOnset ? onset_offset : 0;
    PlanActivity a;
    a.id = m.id;
    a.title = m.title;
    a.description = m.description;
    a.duration_minutes = m.duration_minutes;
    a.every_minutes = m.every_minutes;
    a.waking_hours_only = m.waking_hours_only;
    a.alarm_minutes_before = m.alarm_minutes_before;
    a.sources = Cites(kb, m.sources);
    for (uint16_t src : m.sources)
      a.source_titles.push_back(kb.sources()[src].title);
    if (m.every_minutes > 0) {
      const int until = m.until_minute - shift;
      if (until <= 0) continue;  // the window is already over
      int from = m.from_minute - shift;
      if (from < 0) {
        // Keep the rhythm from the anchor's point of view, but start no
        // earlier than now: the next session is due at once.
        from = 0;
      }
      a.start_minute = from;
      a.until_minute = until;
    } else {
      const int at = m.from_minute - shift;
      if (at < 0) continue;  // already past
      a.start_minute = at;
      a.until_minute = 0;
    }
    plan.activities.push_back(std::move(a));
  }

  // One timetable: items that state a timing get it from the activities
  // the calendar uses, as they stand for this person.
  for (PlanItem& item : plan.items) {
    const plan::ItemModel* m = nullptr;
    for (const plan::ItemModel& im : model->items)
      if (im.id == item.id) m = &im;
    if (!m || m->schedule.empty() ||
        item.variant == PlanItemVariant::kNotForYou)
      continue;
    std::vector<std::string> timing;
    for (const std::string& id : m->schedule) {
      const plan::ActivityModel* am = nullptr;
      for (const plan::ActivityModel& x : model->activities)
        if (x.id == id) am = &x;
      const PlanActivity* a = nullptr;
      for (const PlanActivity& x : plan.activities)
        if (x.id == id) a = &x;
      if (!am || !a) continue;  // not for this person, or already over
      const bool onset = am->anchor == plan::Anchor::kOnset;
      if (a->every_minutes > 0) {
        const std::string from =
            a->start_minute == 0
                ? std::string("from now")
                : "from " +
                      plan::DurationWords(onset ? am->from_minute
                                                : a->start_minute) +
                      (onset ? " after the pain began" : " from now");
        const std::string until =
            plan::DurationWords(onset ? am->until_minute : a->until_minute) +
            (onset ? " after the pain began" : " from now");
        timing.push_back(fmt::format(
            "{}: {} every {}{}, {} until {}.", a->title,
            plan::DurationWords(a->duration_minutes),
            plan::DurationWords(a->every_minutes),
            a->waking_hours_only ? " while you are awake" : "", from, until));
      } else {
        timing.push_back(fmt::format(
            "{} ({} {}): {}", a->title,
            plan::DurationWords(onset ? am->from_minute : a->start_minute),
            onset ? "after the pain began" : "from now", a->description));
      }
    }
    item.steps.insert(item.steps.begin(), timing.begin(), timing.end());
  }
  InRegionsWords(kb, region, &plan);
  return plan;
}

}  // namespace backaid
