// The care plan's advice as loaded from knowledge/plan.yaml (linted by
// src/plan/plan_loader.cc, held by KnowledgeBase::Impl::plan). Immutable
// once loaded; BuildCarePlan (src/plan/plan.cc) only selects, orders and
// fills it in.
#ifndef BACKAID_SRC_PLAN_PLAN_MODEL_H_
#define BACKAID_SRC_PLAN_PLAN_MODEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "backaid/case.h"
#include "backaid/knowledge_base.h"
#include "backaid/plan.h"
#include "src/knowledge/expr.h"

namespace backaid::plan {

// An optional condition: shown when `when` is definitely true (or absent)
// and `unless` is not definitely true (three-valued; unknown never counts as
// "no").
struct Condition {
  std::optional<kb::Expr> when;
  std::optional<kb::Expr> unless;
};

// Whether an item depends on the red flags the triage found.
enum class RedFlagGate : uint8_t { kAny, kNone, kPresent };

struct ItemModel {
  std::string id;
  PlanSection section = PlanSection::kNow;
  PlanItemRole role = PlanItemRole::kNone;
  uint8_t levels = 0;  // bit per TriageLevel
  Condition condition;
  RedFlagGate red_flags = RedFlagGate::kAny;
  std::string title;
  std::string text;
  std::vector<std::string> steps;
  std::vector<uint16_t> sources;  // indices into KnowledgeBase::sources()
  int conflict = -1;              // index into conflicts(), or -1
  // Contraindications (bool findings). Any true: `not_for_you`; none true
  // but some unknown: `check_first`; all false: the advice, plus
  // `caution_text` unless every caution is definitely false.
  std::vector<FindingId> contraindications;
  // Per contraindication: when this is definitely true the finding cannot
  // apply (e.g. pregnancy for a man) and is neither asked about nor shown.
  std::vector<std::optional<kb::Expr>> contraindication_unless;
  std::string not_for_you;
  std::string check_first;
  std::vector<kb::Expr> cautions;
  std::vector<std::string> caution_texts;  // as written, for messages
  std::string caution_text;
  // Screens against the person: when one's `unless` is definitely true the
  // item is left out and the plan says why, in one line.
  struct Screen {
    kb::Expr unless;
    std::string why;
  };
  std::vector<Screen> screens;
  // Activities (ids) whose timing this item states: one step per activity
  // still in the plan, written from the same numbers the calendar uses.
  std::vector<std::string> schedule;
};

// Where a timed activity's window is measured from.
enum class Anchor : uint8_t {
  kStart,  // the plan's start
  kOnset,  // the start of the episode (onset_days before the start; an
           // unknown onset counts as "now", the more cautious reading)
};

struct ActivityModel {
  std::string id;
  uint8_t levels = 0;
  Condition condition;
  Anchor anchor = Anchor::kStart;
  std::string title;
  std::string description;
  int from_minute = 0;   // relative to the anchor
  int until_minute = 0;  // relative to the anchor; exclusive; 0 with
                         // every_minutes == 0 means once
  int duration_minutes = 0;
  int every_minutes = 0;  // 0 = once, at from_minute
  int alarm_minutes_before = 0;
  bool waking_hours_only = true;
  std::vector<uint16_t> sources;
};

// A warning sign of the derived safety net: a finding (at one abnormal
// value) in the person's words. For a case, every sign whose value, added
// to what is already known, makes the triage rules give a higher level than
// the case's own becomes a line under that level's heading, so the safety
// net says exactly what the rules would do. `condition` limits where the
// wording applies (the first applicable sign for a finding and value wins).
struct SignModel {
  FindingId finding = 0;
  int32_t value = 1;  // encoded: 1 for yes/no findings, the enum index
  Condition condition;
  std::string text;
};

// The heading of the derived lines at one level ("Call the emergency
// number now if", ...).
struct NetHeading {
  bool present = false;
  std::string title;
  std::string text;
};

// A section's heading and how a result shows it (plan.yaml `sections`).
struct SectionModel {
  std::string title;
  std::string rest_title;  // "" = title
  bool open = false;
  bool timetable = false;
};

struct PlanModel {
  // By PlanSection (the lint requires every section, in reading order).
  std::vector<SectionModel> sections;
  std::vector<ItemModel> items;  // in file order; sorted by section at use
  std::vector<ActivityModel> activities;
  std::optional<FindingId> onset_days;   // the finding the onset anchor uses
  std::vector<SignModel> signs;          // the derived safety net's signs
  NetHeading net_headings[kLevelCount];  // by TriageLevel
};

enum class Truth : uint8_t { kFalse, kTrue, kUnknown };

// Kleene evaluation of a condition over a case's encoded values (kUnknown =
// not assessed). unknown(x)/known(x) are never unknown.
inline Truth Evaluate(const kb::Expr& e, const std::vector<int32_t>& values) {
  using Kind = kb::Expr::Kind;
  switch (e.kind) {
    case Kind::kNot: {
      const Truth t = Evaluate(e.children[0], values);
      return t == Truth::kUnknown ? t
             : t == Truth::kTrue  ? Truth::kFalse
                                  : Truth::kTrue;
    }
    case Kind::kAnd:
    case Kind::kOr:
    case Kind::kAtLeast: {
      size_t yes = 0, no = 0;
      for (const kb::Expr& c : e.children) {
        const Truth t = Evaluate(c, values);
        if (t == Truth::kTrue) ++yes;
        if (t == Truth::kFalse) ++no;
      }
      const size_t n = e.children.size();
      const size_t need = e.kind == Kind::kAnd  ? n
                          : e.kind == Kind::kOr ? 1
                                                : static_cast<size_t>(e.k);
      if (yes >= need) return Truth::kTrue;
      if (n - no < need) return Truth::kFalse;
      return Truth::kUnknown;
    }
    case Kind::kAtom:
      break;
  }
  const kb::Atom& a = e.atom;
  const int32_t v = a.finding < values.size() ? values[a.finding] : kUnknown;
  if (a.op == kb::AtomOp::kIsUnknown)
    return v == kUnknown ? Truth::kTrue : Truth::kFalse;
  if (a.op == kb::AtomOp::kIsKnown)
    return v != kUnknown ? Truth::kTrue : Truth::kFalse;
  if (v == kUnknown) return Truth::kUnknown;
  return kb::TestAtom(a, v) ? Truth::kTrue : Truth::kFalse;
}

// True when the condition shows its item for these values.
inline bool Applies(const Condition& c, const std::vector<int32_t>& values) {
  if (c.when && Evaluate(*c.when, values) != Truth::kTrue) return false;
  if (c.unless && Evaluate(*c.unless, values) == Truth::kTrue) return false;
  return true;
}

// "15 min", "2 hours", "1 day": a duration in words.
inline std::string DurationWords(int m) {
  if (m % (24 * 60) == 0 && m > 0) {
    const int d = m / (24 * 60);
    return std::to_string(d) + (d == 1 ? " day" : " days");
  }
  if (m % 60 == 0 && m > 0) {
    const int h = m / 60;
    return std::to_string(h) + (h == 1 ? " hour" : " hours");
  }
  return std::to_string(m) + " min";
}

inline constexpr uint8_t LevelBit(TriageLevel l) {
  return static_cast<uint8_t>(1u << static_cast<unsigned>(l));
}

// The plan model of `kb` (plan.yaml, loaded by plan_loader.cc as a
// knowledge-base extension), or null when it could not be loaded. Owned by
// `kb`. The built-in knowledge base parses it on the first call.
const PlanModel* PlanModelOf(const KnowledgeBase& kb);

}  // namespace backaid::plan

#endif  // BACKAID_SRC_PLAN_PLAN_MODEL_H_
