// The vignette-study protocol (Semigran 2015, Hill 2020): a simulated person
// answers the real questionnaire from a case's stated findings. See
// InterviewCase in include/backaid/assess.h for the answering rules.
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "backaid/assess.h"
#include "src/assess/questionnaire_model.h"
#include "src/knowledge/program.h"

namespace backaid {
namespace {

using assess::OptionDef;
using assess::QuestionDef;
using assess::Questionnaire;
using assess::Setting;

// How one option's settings compare with what the case states.
struct Fit {
  bool contradicts = false;   // sets a stated finding to another value
  int matched = 0;            // settings equal to a stated value
  int matched_abnormal = 0;   // ... of which the value is not the normal one
  int unstated_abnormal = 0;  // abnormal settings the case says nothing about
  bool all_normal = true;     // every setting is its finding's normal value
};

bool IsNormal(const KnowledgeBase& kb, const Setting& s) {
  const auto& normal = kb.findings()[s.first].normal;
  return normal && *normal == s.second;
}

Fit FitOf(const KnowledgeBase& kb, const OptionDef& o, const Case& truth) {
  Fit f;
  for (const Setting& s : o.sets) {
    const int32_t stated = truth.values[s.first];
    const bool normal = IsNormal(kb, s);
    f.all_normal &= normal;
    if (stated == kUnknown) {
      if (!normal) ++f.unstated_abnormal;
    } else if (stated == s.second) {
      ++f.matched;
      if (!normal) ++f.matched_abnormal;
    } else {
      f.contradicts = true;
    }
  }
  return f;
}

std::string OptionWithRole(const Question& q, OptionRole role) {
  for (const auto& o : q.options)
    if (o.role == role) return o.id;
  return std::string(kNotSure);
}

bool Speaks(const QuestionDef& def, const Case& truth) {
  for (const OptionDef& o : def.options)
    for (const Setting& s : o.sets)
      if (truth.values[s.first] != kUnknown) return true;
  return false;
}

// The "not sure" option, when the case states exactly what it records
// (said_not_sure findings): the person said "not sure" to this question.
const char* StatedUnsure(const QuestionDef& def, const Case& truth) {
  for (size_t i = 0; i < def.options.size(); ++i) {
    if (def.view.options[i].role != OptionRole::kUnsure) continue;
    const auto& sets = def.options[i].sets;
    if (sets.empty()) return nullptr;
    for (const Setting& s : sets)
      if (truth.values[s.first] != s.second) return nullptr;
    return def.view.options[i].id.c_str();
  }
  return nullptr;
}

}  // namespace

Reply InterviewReply(const KnowledgeBase& kb, const Question& q,
                     const Case& truth) {
  const Questionnaire& model = *assess::QuestionnaireOf(kb);
  const QuestionDef& def = model.questions[model.index.at(q.id)];
  if (q.kind == QuestionKind::kNumber) {
    const int32_t v = truth.values[def.finding];
    if (v == kUnknown || v < def.min || v > def.max) return Reply::NotSure();
    return Reply::Number(static_cast<double>(v) / def.scale);
  }
  if (const char* unsure = StatedUnsure(def, truth))
    return Reply::Option(unsure);
  if (q.kind == QuestionKind::kSingle) {
    int best = -1;
    Fit best_fit;
    for (size_t i = 0; i < def.options.size(); ++i) {
      if (q.options[i].role != OptionRole::kAnswer) continue;
      const Fit f = FitOf(kb, def.options[i], truth);
      if (f.contradicts || f.matched == 0) continue;
      const bool better =
          best < 0 || f.matched_abnormal > best_fit.matched_abnormal ||
          (f.matched_abnormal == best_fit.matched_abnormal &&
           (f.matched > best_fit.matched ||
            (f.matched == best_fit.matched &&
             f.unstated_abnormal < best_fit.unstated_abnormal)));
      if (better) {
        best = static_cast<int>(i);
        best_fit = f;
      }
    }
    if (best >= 0) return Reply::Option(q.options[best].id);
    if (!Speaks(def, truth)) {
      // Silent: the normal answer, when one option is wholly normal.
      for (size_t i = 0; i < def.options.size(); ++i) {
        if (q.options[i].role != OptionRole::kAnswer) continue;
        if (def.options[i].sets.empty()) continue;
        if (FitOf(kb, def.options[i], truth).all_normal)
          return Reply::Option(q.options[i].id);
      }
    }
    return Reply::Option(OptionWithRole(q, OptionRole::kUnsure));
  }
  // Checklist: tick what the case states; the rest is the normal answer
  // (unticked), as a person who has none of the others would answer. An
  // option that says more than the case states (an abnormal setting the
  // case is silent on) is not ticked: the silent part takes its normal
  // answer, so the option as a whole is not true for this person.
  std::vector<std::string> ticks;
  for (size_t i = 0; i < def.options.size(); ++i) {
    if (q.options[i].role != OptionRole::kAnswer) continue;
    const Fit f = FitOf(kb, def.options[i], truth);
    if (!f.contradicts && f.matched_abnormal > 0 && f.unstated_abnormal == 0)
      ticks.push_back(q.options[i].id);
  }
  if (!ticks.empty()) return Reply::Options(std::move(ticks));
  for (size_t i = 0; i < def.options.size(); ++i) {
    if (q.options[i].role != OptionRole::kNone) continue;
    if (FitOf(kb, def.options[i], truth).contradicts) break;
    return Reply::Option(q.options[i].id);
  }
  return Reply::Option(OptionWithRole(q, OptionRole::kUnsure));
}

Result<InterviewOutcome> InterviewCase(std::shared_ptr<const KnowledgeBase> kb,
                                       const Case& truth) {
  auto started = Assessment::Start(kb);
  if (!started.ok()) return started.status();
  Assessment a = std::move(started).value();
  int screens = 0;
  for (std::vector<const Question*> screen = a.NextScreen(); !screen.empty();
       screen = a.NextScreen()) {
    std::vector<Reply> replies;
    for (const Question* q : screen)
      replies.push_back(InterviewReply(*kb, *q, truth));
    Status s = a.AnswerScreen(replies);
    if (!s.ok()) {
      // A chosen reply was refused (it should not be): say "not sure" to
      // every question of the screen.
      replies.clear();
      for (const Question* q : screen) {
        replies.push_back(
            Reply::Option(q->kind == QuestionKind::kNumber
                              ? std::string(kNotSure)
                              : OptionWithRole(*q, OptionRole::kUnsure)));
      }
      s = a.AnswerScreen(replies);
      if (!s.ok()) return s;
    }
    ++screens;
  }
  InterviewOutcome out;
  out.answers = a.answers();
  out.questions = static_cast<int>(out.answers.size());
  out.screens = screens;
  out.c = a.current_case();
  out.c.id = truth.id;
  out.result = a.result();
  return out;
}

}  // namespace backaid
