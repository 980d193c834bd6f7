// The answers object of an assessment, already parsed: what CaseFromAnswers
// (include/backaid/assess.h) does after parsing, for a front that has parsed
// the request body once with simdjson (the diary's ParseEpisodeStart) and
// hands over its "answers" member instead of text to parse again.
#ifndef BACKAID_SRC_ASSESS_ANSWERS_H_
#define BACKAID_SRC_ASSESS_ANSWERS_H_

#include <simdjson.h>

#include "backaid/assess.h"
#include "backaid/knowledge_base.h"
#include "backaid/status.h"

namespace backaid::assess {

// As CaseFromAnswers, from the parsed object: kFailedPrecondition without a
// questionnaire, kInvalidArgument naming a wrong answer.
Result<AnsweredCase> CaseFromAnswerObject(const KnowledgeBase& kb,
                                          simdjson::dom::object answers);

}  // namespace backaid::assess

#endif  // BACKAID_SRC_ASSESS_ANSWERS_H_
