// The personal care plan: built from a case, its triage result and the
// knowledge base's advice (knowledge/plan.yaml). Every item carries its
// sources. For an emergency or urgent result the plan is short: what to do
// now and while waiting, and nothing else.
#ifndef BACKAID_PLAN_H_
#define BACKAID_PLAN_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "backaid/case.h"
#include "backaid/engine.h"
#include "backaid/knowledge_base.h"
#include "backaid/status.h"

namespace backaid {

// Plan sections, in the order a person reads them.
enum class PlanSection : uint8_t {
  kNow,        // stop, ease, position, relaxation (or: what to do now)
  kIceHeat,    // ice then heat, with timings
  kActivity,   // rest without bed rest, walking breaks
  kMedicines,  // NSAID (or why not), paracetamol safety, muscle relaxants
  kExercises,  // only once pain allows and no red flag
  kPrevention,
  kAvoid,      // what not to do
  kSafetyNet,  // exactly when to call a doctor / the emergency number
  kFollowUp,   // checks at 24 h, 72 h, 1 week, 2 weeks
};
std::string_view PlanSectionName(PlanSection s);  // "now", "ice_heat", ...

// How an item with contraindications (e.g. an NSAID) applies to this case.
enum class PlanItemVariant : uint8_t {
  kAdvice,      // no contraindication applies: the advice as written
  kCaution,     // advice, plus a caution that may apply (e.g. older age)
  kCheckFirst,  // some contraindications were not assessed: check them
                // first and do not take it if any applies
  kNotForYou,   // a contraindication is present: not advised, and why
};
std::string_view PlanItemVariantName(PlanItemVariant v);  // "advice", ...

// What a front does with an item besides showing it (plan.yaml `role`):
// kEmergencyCall is the plan's own "call the emergency number" item, which
// a result at emergency replaces by the region's emergency advice
// (WhatToDoNow, backaid/report.h). The lint requires one at emergency.
enum class PlanItemRole : uint8_t { kNone, kEmergencyCall };
std::string_view PlanItemRoleName(PlanItemRole r);  // "", "emergency_call"

// How a plan section is headed and shown (plan.yaml `sections`), in the
// region's words.
struct PlanSectionInfo {
  PlanSection section = PlanSection::kNow;
  std::string title;  // "Ice and heat"
  // The heading of the section's other items when a result has led with
  // some of them ("More to do now"); "" = `title`.
  std::string rest_title;
  bool open = false;       // shown open in a result (what to watch for)
  bool timetable = false;  // the plan's timetable follows this section
};

struct PlanItem {
  std::string id;  // advice id in plan.yaml, e.g. "ice.first_48h"
  PlanSection section;
  PlanItemVariant variant = PlanItemVariant::kAdvice;
  PlanItemRole role = PlanItemRole::kNone;
  std::string title;               // short, plain words
  std::string text;                // the advice, plain words (reading age ~12)
  std::vector<std::string> steps;  // numbered steps, if any
  std::vector<std::string> sources;  // citations (SourceDef::cite)
  // Where the sources disagree on this advice: the position backaid takes
  // and why (ConflictDef::decision); empty otherwise.
  std::string conflict_id;
  std::string decision;
  // kNotForYou / kCheckFirst / kCaution: the findings concerned, in the
  // person's words (FindingDef::meaning).
  std::vector<std::string> concerns;
  // Derived safety-net items (id "safety_net.if.<level>"): the triage rules
  // (RuleDef::id) that one more warning sign would fire at that level.
  std::vector<std::string> rules;
};

// A timed activity of the plan (ice, heat, walking break, follow-up check),
// relative to the plan's start.
struct PlanActivity {
  std::string id;  // e.g. "ice", "heat", "walk", "check_24h"
  std::string title;
  std::string description;
  int start_minute = 0;  // first occurrence, minutes after the start
  int duration_minutes = 0;
  int every_minutes = 0;  // 0 = once
  int until_minute = 0;   // last possible start (exclusive); 0 = once
  bool waking_hours_only = true;
  int alarm_minutes_before = 0;  // reminder this long before the start
  std::vector<std::string> sources;
  // The same sources as a person reads them (SourceDef::title), for the
  // calendar's events: never a file name or an id.
  std::vector<std::string> source_titles;
};

// An item that would apply at this level but is left out because of who
// the person is (pregnancy, fragile bones, age, heart or kidney disease...).
struct PlanLeftOut {
  std::string id;
  std::string title;
  std::string why;  // one line, plain words
};

struct CarePlan {
  TriageLevel level = TriageLevel::kSelfCare;
  std::vector<PlanItem> items;           // in section order
  std::vector<PlanLeftOut> left_out;     // in plan.yaml order
  std::vector<PlanActivity> activities;  // the schedule's building blocks
  // Every section (those without items too), in reading order: headings
  // come from here, never from code.
  std::vector<PlanSectionInfo> sections;
  std::string kb_version;
};
// The heading of `s` in `plan` (its id when the plan has no sections).
std::string PlanSectionTitle(const CarePlan& plan, PlanSection s);

// Builds the plan for a triaged case. Fails only if the knowledge base has
// no plan content (it lints, so that means a programming error).
// The safety net's "if" lines are derived from the triage rules: each sign
// of plan.yaml's `safety_net` that, added to this case, would raise the
// level becomes a line under the heading of the level it would reach.
// Every text is in the words of `region` (a region id of regions.yaml; ""
// or an unlisted id: its default region), through RegionText
// (backaid/report.h).
Result<CarePlan> BuildCarePlan(const KnowledgeBase& kb, const Case& c,
                               const TriageResult& result,
                               std::string_view region = {});

// How AppendPlanText lays a plan out. The default is the plan alone
// (`backaid plan`): a title, the not-a-diagnosis notice, the level, every
// item and the knowledge base version. `embedded` is the plan inside a
// result that has said the notice, the level and the version already
// (AppendPersonText): none of them again. Items whose ids are in
// `already_shown` (the result's "What to do now") are not repeated; the
// other `now` items are then headed "More to do now".
struct PlanTextOptions {
  bool embedded = false;
  std::vector<std::string> already_shown;
  size_t width = 79;  // plain text's line width
};

// Appends the plan for a person to read: the level's meaning, then each
// section with its items (steps numbered, sources listed), then the timed
// activities. `markdown` lays it out as Markdown, otherwise plain text.
// Alone, it begins with the not-a-diagnosis notice (said once).
void AppendPlanText(const KnowledgeBase& kb, const CarePlan& plan,
                    bool markdown, std::string* out,
                    const PlanTextOptions& options = {});

// Appends the plan as one JSON object (no newline):
// {"level":..,"kb_version":..,"sections":[{"id","title","rest_title",
//  "open","timetable"}],"items":[{"id","section","variant","title",
//  "text","steps","sources","conflict","decision","concerns","role"}],
//  "activities":[{"id","title","description","start_minute",
//  "duration_minutes","every_minutes","until_minute","waking_hours_only",
//  "alarm_minutes_before","sources"}],"left_out":[{"id","title","why"}]}.
void AppendPlanJson(const CarePlan& plan, std::string* out);

}  // namespace backaid

#endif  // BACKAID_PLAN_H_
