// The review of an episode: the initial case overlaid by each entry, what
// the course derives (diary.yaml: days since onset, days of self-care, a
// meaningful rise or fall in pain), the triage, the floor that keeps a
// level while the red flag that raised it is present, and the care plan.
//
// The state an entry's review needs (ReviewState) is small and kept with
// the episode, so a write costs the same at any length (issue 12 finding 1).
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "backaid/diary.h"
#include "backaid/report.h"
#include "src/diary/diary_internal.h"
#include "src/diary/diary_model.h"

namespace backaid {
namespace {

using diary::Derivation;
using diary::DiaryModel;
using diary_internal::Model;
using diary_internal::NoDiary;

constexpr int64_t kMsPerDay = 24LL * 60 * 60 * 1000;

PainTrend TrendOf(const PainSummary& p, int meaningful_change) {
  PainTrend t;
  t.points = p.recent;
  t.count = p.count;
  t.meaningful_change = meaningful_change;
  t.first = p.first;
  t.last = p.last;
  t.lowest = p.lowest;
  t.highest = p.highest;
  if (p.count >= 2) {
    const int change = *p.last - *p.first;
    t.direction = change <= -meaningful_change  ? PainDirection::kBetter
                  : change >= meaningful_change ? PainDirection::kWorse
                                                : PainDirection::kSame;
  }
  return t;
}

void AddPain(PainPoint point, PainSummary* p) {
  if (p->count == 0) {
    p->first = p->lowest = p->highest = point.pain;
  } else {
    p->before_last = p->last;
    p->lowest = std::min(*p->lowest, point.pain);
    p->highest = std::max(*p->highest, point.pain);
  }
  p->last = point.pain;
  ++p->count;
  p->recent.push_back(point);
  if (p->recent.size() > kPainWindow) p->recent.erase(p->recent.begin());
}

int64_t WholeDays(int64_t from_ms, int64_t to_ms) {
  return to_ms <= from_ms ? 0 : (to_ms - from_ms) / kMsPerDay;
}

// Applies the course derivations to `c`. Every one only adds information
// (a longer duration, a worsening or improving trend); none sets a finding
// to its normal value, because the absence of a trend is not evidence that
// all is well: an unknown must never be turned into reassurance.
void Derive(const KnowledgeBase& kb, const DiaryModel& m,
            const ReviewState& course, int64_t now_ms, Case* c,
            std::vector<std::string>* derived) {
  auto def = [&](Derivation d) -> const diary::DerivationDef& {
    return m.course[static_cast<int>(d)];
  };
  auto count = [&](Derivation d, const DayCount& dc) {
    if (!dc.value) return;  // an unknown duration stays unknown
    const FindingDef& f = kb.findings()[def(d).finding];
    const int64_t days = WholeDays(dc.at_ms, now_ms);
    if (days == 0) return;
    const auto v = static_cast<int32_t>(
        std::min<int64_t>(f.max, static_cast<int64_t>(*dc.value) + days));
    if (c->values[def(d).finding] == v) return;
    kb.SetFinding(def(d).finding, v, c);
    derived->push_back(fmt::format("{}={}: {} ({} + {} day{} since)", f.key, v,
                                   def(d).why, *dc.value, days,
                                   days == 1 ? "" : "s"));
  };
  count(Derivation::kOnsetDays, course.onset);
  count(Derivation::kSelfCareDays, course.self_care);
  const int mc = m.meaningful_change;
  const PainSummary& p = course.pain;
  auto set_true = [&](Derivation d, const std::string& detail) {
    const FindingDef& f = kb.findings()[def(d).finding];
    if (c->values[def(d).finding] == 1) return;
    kb.SetFinding(def(d).finding, 1, c);
    derived->push_back(
        fmt::format("{}=true: {} ({})", f.key, def(d).why, detail));
  };
  if (p.count >= 2) {
    const int last = *p.last;
    const int before = *p.before_last;
    if (last - *p.lowest >= mc && last >= before) {
      set_true(Derivation::kWorsening,
               fmt::format("pain {} now, lowest {}", last, *p.lowest));
    }
    if (*p.first - last >= mc) {
      set_true(Derivation::kImproving,
               fmt::format("pain {} now, {} at first", last, *p.first));
    }
  }
}

// One review step: the triage of the course so far.
struct Step {
  Case current;
  TriageResult result;
  PainTrend trend;
  std::vector<std::string> derived;
};

ReviewFloor FloorOf(const TriageResult& r) {
  ReviewFloor f;
  f.level = r.level;
  f.see = r.see;
  f.conditions = r.conditions;
  f.red_flags = r.red_flags;
  return f;
}

Step Review(const KnowledgeBase& kb, const DiaryModel& m,
            const ReviewState& course, int64_t now_ms,
            const ReviewFloor* floor) {
  Step s;
  s.current = course.overlaid;
  s.trend = TrendOf(course.pain, m.meaningful_change);
  Derive(kb, m, course, now_ms, &s.current, &s.derived);
  Evaluate(kb, s.current, &s.result);
  if (floor == nullptr) return s;
  // The level does not drop while a red flag that raised it is present.
  const FindingSet still = floor->red_flags & s.current.abnormal;
  if (s.result.level < floor->level && still.any()) {
    std::string keys;
    for (size_t f = still._Find_first(); f < still.size();
         f = still._Find_next(f)) {
      if (!keys.empty()) keys += ", ";
      keys += kb.findings()[f].key;
    }
    s.derived.push_back(fmt::format(
        "level={}: kept, because the warning sign{} that raised it ({}) "
        "{} still present",
        LevelName(floor->level), still.count() == 1 ? "" : "s", keys,
        still.count() == 1 ? "is" : "are"));
    s.result.level = floor->level;
    s.result.see = floor->see;
    s.result.conditions |= floor->conditions;
  }
  s.result.red_flags |= still;
  return s;
}

void ApplyEntry(const KnowledgeBase& kb, const DiaryModel& m,
                const DiaryEntry& e, ReviewState* st) {
  for (const auto& [f, v] : e.findings) {
    if (f >= st->overlaid.values.size() || v == kUnknown) continue;
    kb.SetFinding(f, v, &st->overlaid);
    // A day count the person gives is counted on from when they gave it.
    if (f == m.course[static_cast<int>(Derivation::kOnsetDays)].finding)
      st->onset = DayCount{v, e.at_ms};
    if (f == m.course[static_cast<int>(Derivation::kSelfCareDays)].finding)
      st->self_care = DayCount{v, e.at_ms};
  }
  if (e.pain) {
    kb.SetFinding(m.pain_score, *e.pain, &st->overlaid);
    AddPain(PainPoint{e.at_ms, *e.pain}, &st->pain);
  }
  ++st->entries;
  auto& times = st->recent_at;
  times.erase(times.begin(), std::upper_bound(times.begin(), times.end(),
                                              e.at_ms - kMsPerDay));
  times.push_back(e.at_ms);
  std::sort(times.begin(), times.end());
  if (times.size() > kMaxRecentEntryTimes) times.erase(times.begin());
}

Status CheckStart(const KnowledgeBase& kb, const EpisodeStart& start) {
  if (Model(kb) == nullptr) return NoDiary();
  if (start.initial.values.size() != kb.findings().size()) {
    return Status::InvalidArgument(
        "the episode's case was not made with this knowledge base");
  }
  return Status::Ok();
}

// The state of an episode without entries, before any review.
ReviewState BaseState(const DiaryModel& m, const EpisodeStart& start) {
  ReviewState st;
  st.overlaid = start.initial;
  const auto onset_f =
      m.course[static_cast<int>(Derivation::kOnsetDays)].finding;
  const auto self_care_f =
      m.course[static_cast<int>(Derivation::kSelfCareDays)].finding;
  const int32_t onset = start.initial.values[onset_f];
  if (onset != kUnknown) st.onset = DayCount{onset, start.started_at_ms};
  const int32_t self_care = start.initial.values[self_care_f];
  st.self_care =
      DayCount{self_care == kUnknown ? 0 : self_care, start.started_at_ms};
  const int32_t pain = start.initial.values[m.pain_score];
  if (pain != kUnknown) AddPain(PainPoint{start.started_at_ms, pain}, &st.pain);
  return st;
}

// Reviews `entry` on top of `*st` at `now_ms` and advances `*st`; returns
// the step after the entry and, in *previous, the level before it.
Step Advance(const KnowledgeBase& kb, const DiaryModel& m,
             const DiaryEntry& entry, int64_t now_ms, ReviewState* st,
             TriageLevel* previous) {
  const Step before = Review(kb, m, *st, now_ms, &st->floor);
  ApplyEntry(kb, m, entry, st);
  const ReviewFloor floor = FloorOf(before.result);
  Step after = Review(kb, m, *st, now_ms, &floor);
  st->floor = FloorOf(after.result);
  st->previous_level = before.result.level;
  st->escalated = after.result.level > before.result.level;
  *previous = before.result.level;
  return after;
}

Result<EpisodeReview> Finish(const KnowledgeBase& kb, Step step,
                             TriageLevel previous, std::string_view region) {
  EpisodeReview out;
  out.current = std::move(step.current);
  out.result = std::move(step.result);
  out.previous_level = previous;
  out.escalated = out.result.level > out.previous_level;
  out.trend = std::move(step.trend);
  out.derived = std::move(step.derived);
  // diary.yaml's `why` may use the regional terms, as its other texts do.
  for (std::string& d : out.derived) d = RegionText(kb, region, d);
  auto plan = BuildCarePlan(kb, out.current, out.result, region);
  if (!plan.ok()) return plan.status();
  out.plan = std::move(plan).value();
  out.region = std::string(region);
  return out;
}

}  // namespace

std::string_view PainDirectionName(PainDirection d) {
  switch (d) {
    case PainDirection::kUnknown:
      return "unknown";
    case PainDirection::kBetter:
      return "better";
    case PainDirection::kSame:
      return "same";
    case PainDirection::kWorse:
      return "worse";
  }
  return "unknown";
}

Result<EpisodeReview> ReviewEpisode(const KnowledgeBase& kb,
                                    const EpisodeStart& start,
                                    const std::vector<DiaryEntry>& entries,
                                    int64_t now_ms) {
  if (Status s = CheckStart(kb, start); !s.ok()) return s;
  const DiaryModel& m = *Model(kb);
  ReviewState st = BaseState(m, start);
  // Each prefix of the entries in turn, all reviewed at `now_ms`, so that
  // the "kept while a red flag is present" floor carries through.
  Step step = Review(kb, m, st, now_ms, nullptr);
  TriageLevel previous = step.result.level;
  for (const DiaryEntry& e : entries) {
    ApplyEntry(kb, m, e, &st);
    previous = step.result.level;
    const ReviewFloor floor = FloorOf(step.result);
    step = Review(kb, m, st, now_ms, &floor);
  }
  step.trend = FullPainTrend(kb, start, entries);
  return Finish(kb, std::move(step), previous, start.region);
}

Result<ReviewState> InitialState(const KnowledgeBase& kb,
                                 const EpisodeStart& start, int64_t now_ms) {
  if (Status s = CheckStart(kb, start); !s.ok()) return s;
  const DiaryModel& m = *Model(kb);
  ReviewState st = BaseState(m, start);
  const Step step = Review(kb, m, st, now_ms, nullptr);
  st.floor = FloorOf(step.result);
  st.previous_level = step.result.level;
  return st;
}

Result<EpisodeReview> AppendEntry(const KnowledgeBase& kb,
                                  const EpisodeStart& start,
                                  const DiaryEntry& entry, int64_t now_ms,
                                  ReviewState* state) {
  if (Status s = CheckStart(kb, start); !s.ok()) return s;
  if (state->overlaid.values.size() != kb.findings().size()) {
    return Status::InvalidArgument(
        "the episode's state was not made with this knowledge base");
  }
  ReviewState next = *state;
  TriageLevel previous = TriageLevel::kSelfCare;
  Step step = Advance(kb, *Model(kb), entry, now_ms, &next, &previous);
  auto review = Finish(kb, std::move(step), previous, start.region);
  if (review.ok()) *state = std::move(next);
  return review;
}

Result<EpisodeReview> ReviewFromState(const KnowledgeBase& kb,
                                      const EpisodeStart& start,
                                      const ReviewState& state,
                                      int64_t now_ms) {
  if (Status s = CheckStart(kb, start); !s.ok()) return s;
  if (state.overlaid.values.size() != kb.findings().size()) {
    return Status::InvalidArgument(
        "the episode's state was not made with this knowledge base");
  }
  Step step = Review(kb, *Model(kb), state, now_ms, &state.floor);
  auto review = Finish(kb, std::move(step), state.previous_level, start.region);
  if (review.ok()) review->escalated = state.escalated;
  return review;
}

Result<ReviewState> StateOfEpisode(const KnowledgeBase& kb,
                                   const EpisodeStart& start,
                                   const std::vector<DiaryEntry>& entries) {
  auto st = InitialState(kb, start, start.started_at_ms);
  if (!st.ok()) return st.status();
  TriageLevel previous = TriageLevel::kSelfCare;
  for (const DiaryEntry& e : entries) {
    Advance(kb, *Model(kb), e, e.at_ms, &*st, &previous);
  }
  return st;
}

PainTrend FullPainTrend(const KnowledgeBase& kb, const EpisodeStart& start,
                        const std::vector<DiaryEntry>& entries) {
  const DiaryModel* m = Model(kb);
  PainSummary p;
  std::vector<PainPoint> all;
  auto add = [&](PainPoint point) {
    AddPain(point, &p);
    all.push_back(point);
  };
  if (m != nullptr && start.initial.values.size() > m->pain_score &&
      start.initial.values[m->pain_score] != kUnknown) {
    add(PainPoint{start.started_at_ms, start.initial.values[m->pain_score]});
  }
  for (const DiaryEntry& e : entries) {
    if (e.pain) add(PainPoint{e.at_ms, *e.pain});
  }
  PainTrend t = TrendOf(p, m != nullptr ? m->meaningful_change : 2);
  t.points = std::move(all);
  return t;
}

std::vector<int64_t> EntriesInLastDay(const ReviewState& state,
                                      int64_t now_ms) {
  std::vector<int64_t> out;
  for (int64_t t : state.recent_at) {
    if (t > now_ms - kMsPerDay) out.push_back(t);
  }
  return out;
}

}  // namespace backaid
