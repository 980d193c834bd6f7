// The follow-up diary: an episode opened from an assessment, then daily
// entries (pain 0-10, what was done, new or changed findings, free text).
// Every entry is re-triaged against the whole episode: the initial findings,
// overlaid by each entry's findings in order, plus what the course itself
// says (days since onset, days of self-care, a meaningful rise or fall in
// pain). The thresholds and the activities a person can report are data
// (knowledge/diary.yaml), each with its source.
//
// Documents: the episode and each entry are stored as JSON documents that
// this module writes and reads (storage treats them as opaque). Findings in
// documents are kept by key, as in case-format.md, so a document stays
// readable by a later knowledge base version.
//
// Escalation: the level of an episode never silently drops below the level
// of the previous review while a red flag that raised it is still present;
// a rise in level is reported as `escalated`.
#ifndef BACKAID_DIARY_H_
#define BACKAID_DIARY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "backaid/assess.h"
#include "backaid/case.h"
#include "backaid/engine.h"
#include "backaid/knowledge_base.h"
#include "backaid/plan.h"
#include "backaid/status.h"

namespace backaid {

// Limits applied when decoding requests (each violation is an
// kInvalidArgument naming the field and the limit).
inline constexpr size_t kMaxNoteBytes = 2000;
inline constexpr size_t kMaxDoneItems = 16;

// The top-level members each body may hold: the one list, used by the
// decoders below (through the shared shape check, src/caseio/json_check.h)
// and by the fronts that describe them.
inline constexpr std::string_view kEpisodeStartMembers[] = {
    "answers", "findings", "age", "sex", "time_zone", "region", "open_episode"};
inline constexpr std::string_view kDiaryEntryMembers[] = {"pain", "done",
                                                          "findings", "note"};

// How many pain points a review carries (the most recent ones); the trend's
// first, last, lowest and highest are over every point.
inline constexpr size_t kPainWindow = 50;

// How an episode starts: the assessment (answers or findings) and context.
struct EpisodeStart {
  Case initial;                                        // the assessed case
  std::vector<std::pair<std::string, Reply>> answers;  // empty if findings
  int64_t started_at_ms = 0;                           // Unix milliseconds
  std::string time_zone = "UTC";  // IANA name, for the calendar
  std::string region;  // an id of regions.yaml (the emergency number); the
                       // knowledge base's default region when not given
};

// Decodes the body of POST /v1/episodes (and the episode part of
// POST /v1/assessments): {"answers":{..}} or {"findings":{..}} (exactly one),
// optional "time_zone" (IANA, checked as the calendar checks it), "region"
// (an id of the knowledge base's regions.yaml), "open_episode" (a boolean,
// ignored here), and with "findings" only, "age" and "sex" as in a case
// (answers ask them as questions). Unknown members, duplicate keys, nesting
// deeper than 8, wrong types, out-of-range values and invalid time zones are
// kInvalidArgument naming the member. A null finding means "not assessed", as
// in a case.
Result<EpisodeStart> ParseEpisodeStart(const KnowledgeBase& kb,
                                       std::string_view json, int64_t now_ms);

// One diary entry.
struct DiaryEntry {
  int64_t at_ms = 0;              // when it was recorded
  std::optional<int> pain;        // 0-10; nullopt = not given
  std::vector<std::string> done;  // activity ids (knowledge/diary.yaml)
  // New or changed findings, as (finding id, encoded value). kUnknown is
  // not allowed here: an entry can report, not un-report.
  std::vector<std::pair<FindingId, int32_t>> findings;
  std::string note;  // free text, <= kMaxNoteBytes, UTF-8
};

// Decodes the body of POST /v1/episodes/{id}/entries:
// {"pain": 0-10, "done": [ids], "findings": {key: value}, "note": "..."}.
// At least one of pain, done, findings, note. `at_ms` = now_ms. Pain is
// given only as "pain" (findings.pain_score is rejected) and sets the
// pain_score finding at review; a null finding is rejected (an entry
// reports, it cannot un-report). Findings are kept in FindingId order.
Result<DiaryEntry> ParseDiaryEntry(const KnowledgeBase& kb,
                                   std::string_view json, int64_t now_ms);

// Pain over the episode: the initial score (if known) and each entry's.
struct PainPoint {
  int64_t at_ms = 0;
  int pain = 0;
};

// A day count (days since onset, days of self-care) known at `at_ms`;
// counted on to the review. nullopt = unknown (stays unknown).
struct DayCount {
  std::optional<int32_t> value;
  int64_t at_ms = 0;
};

// The pain points so far, summarised: O(1) in the episode's length.
struct PainSummary {
  int64_t count = 0;  // points so far
  std::optional<int> first, last, before_last, lowest, highest;
  std::vector<PainPoint> recent;  // the last kPainWindow points, in order
};

// The decision of the last review, kept as the floor of the next one: the
// level does not drop while a red flag that raised it is still present.
struct ReviewFloor {
  TriageLevel level = TriageLevel::kSelfCare;
  uint32_t see = 0;         // bit i = kb.services()[i]
  uint32_t conditions = 0;  // bit i = kb.conditions()[i]
  FindingSet red_flags;
};

// What the review of the next entry needs, kept in the episode's document
// (issue 12 finding 1): a write reads one row and triages twice, whatever
// the episode's length, instead of re-reading and re-triaging every entry.
struct ReviewState {
  int64_t entries = 0;  // entries so far (= the last entry's seq)
  Case overlaid;        // the initial case overlaid by each entry's findings
  DayCount onset, self_care;
  PainSummary pain;
  ReviewFloor floor;  // the decision after the last entry
  TriageLevel previous_level = TriageLevel::kSelfCare;  // before the last
  bool escalated = false;  // what the last entry changed
  // Times of the entries of the last 24 hours (for the per-day cap), oldest
  // first; at most kMaxRecentEntryTimes are kept.
  std::vector<int64_t> recent_at;
};
inline constexpr size_t kMaxRecentEntryTimes = 1024;

// Storage documents (JSON) and back. Reading a document written by an older
// knowledge base skips findings this one does not know (reported in the
// Status only if nothing could be read). The episode document holds the
// start, the last level and the review state.
std::string EpisodeDocument(const KnowledgeBase& kb, const EpisodeStart& e,
                            const ReviewState& state);
struct StoredEpisode {
  EpisodeStart start;
  TriageLevel last_level = TriageLevel::kSelfCare;  // level at last review
  // Absent in documents written before the state was kept: rebuild it with
  // StateOfEpisode from the entries once.
  std::optional<ReviewState> state;
};
Result<StoredEpisode> EpisodeFromDocument(const KnowledgeBase& kb,
                                          std::string_view document);
std::string EntryDocument(const KnowledgeBase& kb, const DiaryEntry& entry);
Result<DiaryEntry> EntryFromDocument(const KnowledgeBase& kb,
                                     std::string_view document);

enum class PainDirection : uint8_t { kUnknown, kBetter, kSame, kWorse };
std::string_view PainDirectionName(PainDirection d);  // "better", ...
struct PainTrend {
  std::vector<PainPoint> points;  // the last kPainWindow (ReviewEpisode and
                                  // FullPainTrend: all)
  int64_t count = 0;              // points in the whole episode
  int meaningful_change = 2;      // points on 0-10 (from diary.yaml)
  PainDirection direction = PainDirection::kUnknown;  // last vs first
  std::optional<int> first, last, lowest, highest;
};

// The episode re-triaged after all its entries.
struct EpisodeReview {
  Case current;  // initial + entries + derived findings
  TriageResult result;
  TriageLevel previous_level = TriageLevel::kSelfCare;  // before the last
                                                        // entry
  bool escalated = false;  // result.level > previous_level
  PainTrend trend;
  CarePlan plan;
  // The episode's region: the plan, the texts of "triage" and `derived`'s
  // reasons are in its words (RegionText, backaid/report.h).
  std::string region;
  std::vector<std::string> derived;  // findings the course set, by key,
                                     // with why (plain words)
};

// Re-triages the episode with entries [0, entries.size()). previous_level is
// the level with entries [0, size-1) (the initial level if there is one
// entry or none), reviewed at the same `now_ms`, so `escalated` is what the
// last entry changed, not the passage of time. `now_ms` sets the days
// elapsed since the episode began. Every prefix is reviewed in turn: when a
// prefix's level would drop below the one before while a red flag that
// raised it is still present, the level (and its services) is kept and
// `derived` says why. kFailedPrecondition without diary.yaml.
Result<EpisodeReview> ReviewEpisode(const KnowledgeBase& kb,
                                    const EpisodeStart& start,
                                    const std::vector<DiaryEntry>& entries,
                                    int64_t now_ms);

// The incremental review (O(1) in the episode's length).
//
// InitialState: the state of an episode without entries, reviewed at
// `now_ms` (its floor is the initial triage). kFailedPrecondition without
// diary.yaml; kInvalidArgument if `start` was made with another knowledge
// base.
Result<ReviewState> InitialState(const KnowledgeBase& kb,
                                 const EpisodeStart& start, int64_t now_ms);
// AppendEntry: reviews `entry` on top of `*state` at `now_ms` and advances
// the state. previous_level is the state before the entry re-reviewed at
// `now_ms` (with the stored floor), so `escalated` is what the entry
// changed, not the passage of time. Two triages and one care plan,
// whatever state->entries is. On error `*state` is unchanged.
Result<EpisodeReview> AppendEntry(const KnowledgeBase& kb,
                                  const EpisodeStart& start,
                                  const DiaryEntry& entry, int64_t now_ms,
                                  ReviewState* state);
// ReviewFromState: the episode as it stands, reviewed at `now_ms` with the
// stored floor; previous_level and escalated are those of the last entry.
Result<EpisodeReview> ReviewFromState(const KnowledgeBase& kb,
                                      const EpisodeStart& start,
                                      const ReviewState& state, int64_t now_ms);
// The state after `entries`, each appended at its own time (for documents
// written before the state was kept). O(entries).
Result<ReviewState> StateOfEpisode(const KnowledgeBase& kb,
                                   const EpisodeStart& start,
                                   const std::vector<DiaryEntry>& entries);
// Every pain point of the episode (for the handover's chart).
PainTrend FullPainTrend(const KnowledgeBase& kb, const EpisodeStart& start,
                        const std::vector<DiaryEntry>& entries);
// Times of the state's entries within 24 hours before `now_ms` (the
// per-day cap), oldest first.
std::vector<int64_t> EntriesInLastDay(const ReviewState& state, int64_t now_ms);

// JSON for the API (objects, no newline):
// entry:  {"seq":..,"at":"RFC 3339 UTC","pain":..,"done":[..],
//          "findings":{..},"note":".."}
void AppendEntryJson(const KnowledgeBase& kb, int64_t seq,
                     const DiaryEntry& entry, std::string* out);
// trend:  {"points":[{"at":..,"pain":..}],"count":..,"meaningful_change":..,
//          "direction":..,"first":..,"last":..,"lowest":..,"highest":..}
void AppendPainTrendJson(const PainTrend& trend, std::string* out);
// review: {"level":..,"previous_level":..,"escalated":..,"triage":{result
//          object with could_not_rule_out},"what_to_do_now":[the steps of
//          WhatToDoNow, AppendNowStepsJson],"call_script":..,"derived":[..],
//          "pain_trend":{..},"plan":{..}}
void AppendReviewJson(const KnowledgeBase& kb, const EpisodeReview& review,
                      std::string* out);

// "YYYY-MM-DDTHH:MM:SSZ" for Unix milliseconds.
std::string FormatUtc(int64_t ms);

}  // namespace backaid

#endif  // BACKAID_DIARY_H_
