// Human-readable rendering of a triage result (text for a terminal,
// Markdown for documents). The clinical wording comes from the knowledge
// base; this only lays it out.
//
// Contract for every call here: arguments are borrowed for the call; the
// Append* calls append to `out` and never clear it. None fails or throws:
// what the knowledge base lacks (no regions.yaml) is said in words, never
// guessed. All are thread-safe given a const knowledge base.
#ifndef BACKAID_REPORT_H_
#define BACKAID_REPORT_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backaid/case.h"
#include "backaid/engine.h"
#include "backaid/knowledge_base.h"

namespace backaid {

struct CarePlan;  // backaid/plan.h
struct Question;  // backaid/assess.h

// Appends `text` word-wrapped to `width` columns; the first line starts with
// `first`, the others with `indent`. A word longer than a line stands alone.
void AppendWrapped(std::string_view first, std::string_view indent,
                   std::string_view text, size_t width, std::string* out);

// The regional wording of the knowledge base (knowledge/regions.yaml), the
// one place that says which regions there are, their emergency numbers and
// how a front announces a level. A region id that the knowledge base does
// not list means its default region. A knowledge base without
// regions.yaml has no regions: the number is then "the emergency number"
// (words, never a number that could be wrong for the person).
struct Region {
  std::string id;
  std::string name;
  std::string emergency_number;
  bool is_default = false;
};
// Every region, in the file's order.
std::vector<Region> Regions(const KnowledgeBase& kb);
// The region's emergency number ("112", "999", "911").
std::string EmergencyNumber(const KnowledgeBase& kb, std::string_view region);
// The level's headline with the region's number, e.g. "Emergency: call 999
// now" (the level's name without regions.yaml).
std::string LevelHeadline(const KnowledgeBase& kb, TriageLevel level,
                          std::string_view region);
// What is said with every emergency result ("Call 112 now. Do not drive
// yourself.").
std::string EmergencyAdvice(const KnowledgeBase& kb, std::string_view region);
// Shown before the first question: when to call instead of using backaid
// ("" without regions.yaml).
std::string BeforeYouStart(const KnowledgeBase& kb, std::string_view region);
// A knowledge-base text in the region's words: the one place where
// regional wording is substituted, for every front. "{number}" is the
// region's emergency number and "{term}" the region's wording of a term of
// regions.yaml ("{doctor}": "GP" in uk, "primary care doctor" in us;
// "{Term}" starts it with a capital). Without regions.yaml a term is its
// name in words and the number "the emergency number".
std::string RegionText(const KnowledgeBase& kb, std::string_view region,
                       std::string_view text);
// The same, but "{number}" is kept for a front that fills in the number of
// the region the person picks later (GET /v1/vocabulary).
std::string RegionTextKeepingNumber(const KnowledgeBase& kb,
                                    std::string_view region,
                                    std::string_view text);
// The question as a front shows it in the region's words (RegionText on
// its section title, text, help, unit and option labels).
Question QuestionInRegion(const KnowledgeBase& kb, std::string_view region,
                          const Question& q);
// The id of the region `region` means ("" or an unlisted id: the default
// region's); "" without regions.yaml.
std::string RegionId(const KnowledgeBase& kb, std::string_view region);

// What to do now, first on every result for the person: at most three
// steps, in order. At emergency the region's EmergencyAdvice comes first
// (id "emergency.call_now", text empty, role "emergency_call"), standing
// for the plan's own call item (plan.yaml `role: emergency_call`, left
// out); then the plan's `now` items in plan.yaml's order (most important
// first), without those marked not for this person. Empty when there is
// no plan and no emergency. The one choice of every front (backaid assess
// text and Markdown, the API's `what_to_do_now` of an assessment and of a
// diary review, the web page's result, call screen and diary).
struct NowStep {
  std::string id;     // the plan item's id, or the emergency advice's
  std::string title;  // the item's title, or the whole emergency advice
  std::string text;   // the item's text ("" for the emergency advice)
  std::vector<std::string> steps;    // the item's numbered steps, if any
  std::vector<std::string> sources;  // readable citations
  // "emergency_call" for the emergency advice (a front that shows the call
  // on its own shows the other steps under it), else "".
  std::string role;
  // The plan items this step says (its own id; at emergency also the
  // plan's call items), so that the rest of the plan does not repeat them.
  std::vector<std::string> covers;
};
std::vector<NowStep> WhatToDoNow(const KnowledgeBase& kb, const TriageResult& r,
                                 const CarePlan* plan, std::string_view region);
// Appends the steps as a JSON array, the one shape of `what_to_do_now`:
// [{"id","title","text","sources":[..],"role"?}] ("role" only when set).
void AppendNowStepsJson(const std::vector<NowStep>& steps, std::string* out);

// What to tell the emergency call handler (regions.yaml
// `emergency_call_script`), filled in for this person: "{signs}" is the
// warning signs found (each red flag's meaning; the reasons of the
// emergency rules that fired when no red flag was reported), "{number}"
// and the region's terms as RegionText, and "{finding}" the person's value
// of a line's `known` finding (e.g. "{pregnancy_weeks}"). A line is said
// only when its `when` finding is yes, its `known` finding is known and
// its `unknown` finding is not. The one filling of every front (backaid
// assess, the API's `call_script`, the web page's call screen). Empty (no
// id, no lines) below emergency or without a script in the knowledge base.
struct CallScriptText {
  std::string id;
  std::string title;
  std::vector<std::string> lines;
};
CallScriptText CallHandlerScript(const KnowledgeBase& kb, const Case& c,
                                 const TriageResult& r,
                                 std::string_view region);
// Appends it as JSON: null when empty, else {"id","title","lines":[..]}.
void AppendCallScriptJson(const CallScriptText& script, std::string* out);

// The one-time notice that backaid gives information and triage, not a
// diagnosis.
const char* NotADiagnosisNotice();

// When the red-flag screen is incomplete or unanswered findings leave a more
// urgent level open: says so and lists the questions that would decide
// (OpenQuestions, include/backaid/assess.h), each with the level it could
// lead to. Writes nothing otherwise, or at emergency (the call comes first).
// `only`: keep just the open questions with these question ids (a front
// that ran the questionnaire passes the ones answered "not sure": the
// others were skipped because they could not apply).
// The questions are in the words of `region` (RegionText; "" = the
// default region).
void AppendOpenQuestionsText(const KnowledgeBase& kb, const Case& c,
                             const TriageResult& r, bool markdown,
                             std::string* out,
                             const std::vector<std::string>* only = nullptr,
                             std::string_view region = {});

// Renders one result (an incomplete one opens with
// AppendOpenQuestionsText): the level and its meaning first, then red flags,
// what to check for, who to see, why (each fired rule with its sources),
// what was not assessed.
void AppendResultText(const KnowledgeBase& kb, const Case& c,
                      const TriageResult& r, bool markdown, std::string* out);

// Renders one result for the person it is about (backaid assess), leading
// with what to do: the open questions (only those in `only`, when given),
// then at most three things to do now (EmergencyAdvice first at emergency,
// then the plan's `now` items in plan.yaml's order) and, at emergency, what
// to tell the call handler (CallHandlerScript), then the level and its
// meaning, who to see and why (sources as readable citations), the
// not-a-diagnosis notice (said once in the whole result), the warning
// signs told, what was not checked, the rest of the care plan when given
// (without what was said above), when to call, and "About this result"
// (the only place with the knowledge base version). Lines
// that carry the level go through `emphasis` (a terminal colours them;
// null = as they are).
void AppendPersonText(
    const KnowledgeBase& kb, const Case& c, const TriageResult& r,
    const CarePlan* plan, std::string_view region, bool markdown,
    const std::function<std::string(TriageLevel, std::string_view)>& emphasis,
    const std::vector<std::string>* only, std::string* out);

}  // namespace backaid

#endif  // BACKAID_REPORT_H_
