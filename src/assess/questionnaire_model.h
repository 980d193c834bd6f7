// The loaded questionnaire (knowledge/questions.yaml): questions with the
// findings each option sets and the condition under which each is asked.
// Built by questions_loader.cc (the questions extension, kept by the
// knowledge base); the helpers below are in questionnaire_model.cc.
#ifndef BACKAID_SRC_ASSESS_QUESTIONNAIRE_MODEL_H_
#define BACKAID_SRC_ASSESS_QUESTIONNAIRE_MODEL_H_

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "backaid/assess.h"
#include "backaid/knowledge_base.h"
#include "src/knowledge/expr.h"

namespace backaid::assess {

// A finding and the encoded value an option gives it.
using Setting = std::pair<FindingId, int32_t>;

struct OptionDef {
  std::vector<Setting> sets;  // kAnswer; for kNone the explicit extras
};

struct QuestionDef {
  Question view;                   // what a front shows
  std::vector<OptionDef> options;  // parallel to view.options
  // Checklists: what an unticked item means unless "not sure" was ticked.
  // An answer records only what it states: a finding gets its normal value
  // only when the checklist's items cover every abnormal value of it
  // (`normals`). Otherwise (e.g. "weakness in both legs" for leg_weakness,
  // whose abnormal values are one and both) leaving the items unticked only
  // rules out the values they name (`excludes`: finding, mask of encoded
  // values); the finding gets its normal value once every abnormal value has
  // been ruled out, by this and earlier answers.
  std::vector<Setting> normals;
  std::vector<std::pair<FindingId, uint32_t>> excludes;
  // Numbers: the finding set, and the accepted range, encoded.
  FindingId finding = 0;
  int32_t min = 0, max = 0;
  int32_t scale = 1;
  // From the section's `diary: true` (no longer used: the diary offers
  // every option that sets a red-flag finding, vocabulary.cc).
  bool diary = false;
  bool has_ask_when = false;
  kb::Expr ask_when;
  std::string ask_when_text;
  SourceLocation where;
};

struct Questionnaire {
  std::vector<QuestionDef> questions;          // in asking order
  std::unordered_map<std::string, int> index;  // question id -> position
  // By FindingId: the first question that sets it and the option (-1 for a
  // number question); {-1, -1} when no question asks it.
  std::vector<std::pair<int, int>> asked_by;
  // Questions of earlier knowledge-base versions that were merged into
  // others (questions.yaml `retired`): an answer stored under such an id
  // (a diary episode's initial answers) still says which findings were
  // asked, and a client that sends one is told where its question went.
  struct Retired {
    std::vector<std::string> now;     // the current questions that ask it
    std::vector<FindingId> findings;  // what it asked
  };
  std::unordered_map<std::string, Retired> retired;
};

// Three-valued evaluation of `e` over encoded finding values: 1 true,
// 0 false, -1 unknown (Kleene logic; unknown(x)/known(x) are never
// unknown).
int EvalTri(const kb::Expr& e, const std::vector<int32_t>& values);

// The findings a question's answer may set (options, normals, excludes,
// the number's finding).
FindingSet SettableFindings(const QuestionDef& q);

// The abnormal values of an enum or yes/no finding as a mask of encoded
// values (0 for numbers: their abnormal values cannot be listed).
uint32_t AbnormalMask(const FindingDef& f);

// True unless the question's ask_when is definitely false (an unknown
// condition errs towards asking).
bool ShouldAsk(const QuestionDef& q, const std::vector<int32_t>& values);

// The questionnaire of `kb` (questions.yaml, loaded by questions_loader.cc
// as a knowledge-base extension), or null when it could not be loaded.
// Owned by `kb`. The built-in knowledge base parses it on the first call.
const Questionnaire* QuestionnaireOf(const KnowledgeBase& kb);

}  // namespace backaid::assess

#endif  // BACKAID_SRC_ASSESS_QUESTIONNAIRE_MODEL_H_
