// Reading cases from JSON and writing results as JSON.
//
// The reader is strict where case-format.md is strict: unknown finding keys,
// wrong types, out-of-range values, duplicate keys and a missing id are
// errors naming the key. Other top-level members (narrative, source, ...)
// are ignored. A finding given as null is "not assessed".
//
// Contract: the reader borrows `kb`, which must outlive it; the writers
// borrow their arguments for the call only and append to `out` (never
// clear it). Errors are Status values (kInvalidArgument naming the member
// and the problem), never exceptions. The writers are thread-safe; a
// CaseReader is not (one per thread).
#ifndef BACKAID_CASE_JSON_H_
#define BACKAID_CASE_JSON_H_

#include <memory>
#include <string>
#include <string_view>

#include "backaid/case.h"
#include "backaid/engine.h"
#include "backaid/knowledge_base.h"
#include "backaid/status.h"

namespace backaid {

// Reads one case per call. Not thread-safe: use one reader per thread.
class CaseReader {
 public:
  explicit CaseReader(const KnowledgeBase& kb);
  ~CaseReader();

  // `json` must stay readable for `capacity` bytes (capacity >= size + 64);
  // the bytes past `size` are not interpreted. On failure `c->id` holds the
  // case id if one could be read, else is empty.
  Status Read(const char* json, size_t size, size_t capacity, Case* c,
              ExpectedOutcome* expected = nullptr);
  // Convenience: copies into a padded buffer.
  Status Read(std::string_view json, Case* c,
              ExpectedOutcome* expected = nullptr);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// How much of the open questions a result spells out.
//   kCompact: screen.open_questions is the list of question ids (most
//     urgent first, without repeats; their wording is in GET
//     /v1/questionnaire and the vocabulary). `backaid triage` and POST
//     /v1/triage: machine clients, a million results a run.
//   kFull: each open question is an object with the finding, the most
//     urgent level it decides, the question id and the words a person reads
//     (in the region's words). `backaid triage --full`, the fronts a person
//     reads (POST /v1/assessments, episodes, `backaid assess`).
// Everything else is the same in both, could_not_rule_out included.
enum class ResultDetail { kCompact, kFull };

// Appends the result object (one line, no newline) for a case:
// id, triage, conditions, red_flags, not_assessed, screen ({"complete":
// every red flag answered, "open_questions": OpenQuestions, as `detail`
// says}), see, explanation, could_not_rule_out (always: the rules above the
// result's level that unanswered questions left open, each with its level
// and the findings it needs; an unanswered question is never hidden),
// kb_version. The full open questions' texts are in the words of `region`
// (RegionText, backaid/report.h; "" = the default region).
void AppendResultJson(const KnowledgeBase& kb, const Case& c,
                      const TriageResult& r, std::string* out,
                      ResultDetail detail = ResultDetail::kCompact,
                      std::string_view region = {});

// Appends {"id": <id or null>, "error": <message>}: `id` is written only
// when `has_id`. Cannot fail.
void AppendErrorJson(std::string_view id, bool has_id, std::string_view error,
                     std::string* out);

// Appends `s` as a JSON string literal (quotes included). `s` must be UTF-8
// (the caller checks; invalid bytes are copied as they are).
void AppendJsonString(std::string_view s, std::string* out);

}  // namespace backaid

#endif  // BACKAID_CASE_JSON_H_
