#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "backaid/assess.h"
#include "backaid/case_json.h"
#include "src/assess/questionnaire_model.h"
#include "src/knowledge/expr.h"
#include "src/knowledge/program.h"

namespace backaid {
namespace {

using assess::QuestionDef;
using assess::Questionnaire;
using assess::Setting;

const Questionnaire& Model(const KnowledgeBase& kb) {
  return *assess::QuestionnaireOf(kb);
}

int FindOption(const Question& q, std::string_view id) {
  for (size_t i = 0; i < q.options.size(); ++i)
    if (q.options[i].id == id) return static_cast<int>(i);
  return -1;
}

std::string OptionList(const Question& q) {
  std::string s;
  for (const auto& o : q.options) {
    if (!s.empty()) s += ", ";
    s += o.id;
  }
  return s;
}

std::string FormatNumber(double v) {
  return v == std::floor(v) ? fmt::format("{}", static_cast<long long>(v))
                            : fmt::format("{:.1f}", v);
}

// Applies `reply` to question `q` on `c`. Checks everything before changing
// anything, so a failed reply leaves `c` as it was.
Status Apply(const KnowledgeBase& kb, const QuestionDef& def,
             const Reply& reply, Case* c) {
  const Question& q = def.view;
  if (q.kind == QuestionKind::kNumber) {
    if (reply.number) {
      if (!reply.options.empty()) {
        return Status::InvalidArgument(
            fmt::format("question '{}': give a number or \"{}\", not both",
                        q.id, kNotSure));
      }
      const double v = *reply.number;
      const double scaled = v * def.scale;
      if (!std::isfinite(v) || std::fabs(scaled - std::round(scaled)) > 1e-6) {
        return Status::InvalidArgument(
            fmt::format("question '{}': {} is not a {}", q.id, FormatNumber(v),
                        def.scale == 1 ? "whole number"
                                       : "number with at most one "
                                         "decimal place"));
      }
      const auto encoded = static_cast<int32_t>(std::lround(scaled));
      if (encoded < def.min || encoded > def.max) {
        return Status::InvalidArgument(fmt::format(
            "question '{}': {} is out of range (from {} to {})", q.id,
            FormatNumber(v), FormatNumber(q.min), FormatNumber(q.max)));
      }
      kb.SetFinding(def.finding, encoded, c);
      return Status::Ok();
    }
    if (reply.options.size() == 1 && reply.options[0] == kNotSure)
      return Status::Ok();
    return Status::InvalidArgument(
        fmt::format("question '{}' needs a number from {} to {} (or \"{}\")",
                    q.id, FormatNumber(q.min), FormatNumber(q.max), kNotSure));
  }
  if (reply.number) {
    return Status::InvalidArgument(
        fmt::format("question '{}' needs an option ({}), not a number", q.id,
                    OptionList(q)));
  }
  if (reply.options.empty()) {
    return Status::InvalidArgument(fmt::format(
        "question '{}': no option given ({})", q.id, OptionList(q)));
  }
  std::vector<int> picked;
  for (const std::string& id : reply.options) {
    const int i = FindOption(q, id);
    if (i < 0) {
      return Status::InvalidArgument(
          fmt::format("question '{}': unknown option '{}' (options: {})", q.id,
                      id, OptionList(q)));
    }
    if (std::find(picked.begin(), picked.end(), i) != picked.end()) {
      return Status::InvalidArgument(
          fmt::format("question '{}': option '{}' given twice", q.id, id));
    }
    picked.push_back(i);
  }
  if (q.kind == QuestionKind::kSingle) {
    if (picked.size() != 1) {
      return Status::InvalidArgument(
          fmt::format("question '{}' takes exactly one option", q.id));
    }
    for (const Setting& s : def.options[picked[0]].sets)
      kb.SetFinding(s.first, s.second, c);
    return Status::Ok();
  }
  // Checklist.
  bool none = false, unsure = false;
  for (int i : picked) {
    none |= q.options[i].role == OptionRole::kNone;
    unsure |= q.options[i].role == OptionRole::kUnsure;
  }
  if (none && picked.size() > 1) {
    return Status::InvalidArgument(fmt::format(
        "question '{}': \"{}\" cannot be ticked together with other options",
        q.id,
        q.options[picked[0]].role == OptionRole::kNone
            ? q.options[picked[0]].id
            : q.options[picked[1]].id));
  }
  // Ticked items: when two set the same finding, the larger encoded value
  // (the more abnormal one: true over false, both over one) wins.
  std::vector<Setting> ticked;
  for (int i : picked) {
    if (q.options[i].role != OptionRole::kAnswer) continue;
    for (const Setting& s : def.options[i].sets) {
      auto it =
          std::find_if(ticked.begin(), ticked.end(),
                       [&](const Setting& t) { return t.first == s.first; });
      if (it == ticked.end()) {
        ticked.push_back(s);
      } else {
        it->second = std::max(it->second, s.second);
      }
    }
  }
  if (!unsure) {
    // Unticked items (or "none of these"): their normal values.
    for (const Setting& s : def.normals) {
      const bool set_by_tick =
          std::any_of(ticked.begin(), ticked.end(),
                      [&](const Setting& t) { return t.first == s.first; });
      if (!set_by_tick) kb.SetFinding(s.first, s.second, c);
    }
  }
  if (none || unsure) {
    // "None of these" may set extra normals; "not sure" may record that the
    // person said so (said_not_sure findings, checked by the loader).
    for (int i : picked) {
      if (q.options[i].role == OptionRole::kAnswer) continue;
      for (const Setting& s : def.options[i].sets)
        kb.SetFinding(s.first, s.second, c);
    }
  }
  for (const Setting& s : ticked) kb.SetFinding(s.first, s.second, c);
  return Status::Ok();
}

}  // namespace

std::string_view QuestionKindName(QuestionKind k) {
  switch (k) {
    case QuestionKind::kSingle:
      return "single";
    case QuestionKind::kChecklist:
      return "checklist";
    case QuestionKind::kNumber:
      return "number";
  }
  return "single";
}

Assessment::Assessment(std::shared_ptr<const KnowledgeBase> kb)
    : kb_(std::move(kb)), case_(kb_->NewCase()) {
  case_.id = "assessment";
  Evaluate(*kb_, case_, &result_);
}

Result<Assessment> Assessment::Start(std::shared_ptr<const KnowledgeBase> kb) {
  if (!kb || !assess::QuestionnaireOf(*kb) ||
      assess::QuestionnaireOf(*kb)->questions.empty()) {
    return Status::FailedPrecondition(
        "the knowledge base has no questionnaire (questions.yaml)");
  }
  return Assessment(std::move(kb));
}

int Assessment::NextFrom(int from) const {
  const auto& qs = Model(*kb_).questions;
  for (int i = from; i < static_cast<int>(qs.size()); ++i) {
    if (assess::ShouldAsk(qs[i], case_.values)) return i;
  }
  return -1;
}

const Question* Assessment::NextQuestion() const {
  if (result_.level == TriageLevel::kEmergency) return nullptr;
  const int i = NextFrom(steps_.empty() ? 0 : steps_.back().question + 1);
  return i < 0 ? nullptr : &Model(*kb_).questions[i].view;
}

Status Assessment::Answer(const Reply& reply) {
  const Question* q = NextQuestion();
  if (q == nullptr) {
    return Status::FailedPrecondition("the assessment is finished");
  }
  const int index = Model(*kb_).index.at(q->id);
  Case next = case_;
  Status s = Apply(*kb_, Model(*kb_).questions[index], reply, &next);
  if (!s.ok()) return s;
  steps_.push_back(Step{index, reply, std::move(case_)});
  case_ = std::move(next);
  Evaluate(*kb_, case_, &result_);
  return Status::Ok();
}

bool Assessment::Back() {
  if (steps_.empty()) return false;
  case_ = std::move(steps_.back().before);
  steps_.pop_back();
  Evaluate(*kb_, case_, &result_);
  return true;
}

Progress Assessment::progress() const {
  Progress p;
  p.answered = static_cast<int>(steps_.size());
  p.about = p.answered;
  if (result_.level == TriageLevel::kEmergency) return p;
  const auto& qs = Model(*kb_).questions;
  for (size_t i = steps_.empty() ? 0 : steps_.back().question + 1;
       i < qs.size(); ++i) {
    if (assess::ShouldAsk(qs[i], case_.values)) ++p.about;
  }
  return p;
}

std::vector<std::pair<std::string, Reply>> Assessment::answers() const {
  std::vector<std::pair<std::string, Reply>> out;
  for (const Step& s : steps_)
    out.emplace_back(Model(*kb_).questions[s.question].view.id, s.reply);
  return out;
}

std::string Assessment::DescribeReply(const Question& q, const Reply& r) const {
  if (r.number) {
    return q.unit.empty() ? FormatNumber(*r.number)
                          : FormatNumber(*r.number) + " " + q.unit;
  }
  std::string s;
  for (const std::string& id : r.options) {
    const int i = FindOption(q, id);
    if (!s.empty()) s += "; ";
    s += i >= 0 ? q.options[i].label : std::string("not sure");
  }
  return s;
}

Result<AnsweredCase> CaseFromAnswers(const KnowledgeBase& kb,
                                     std::string_view json_answers) {
  if (!assess::QuestionnaireOf(kb)) {
    return Status::FailedPrecondition(
        "the knowledge base has no questionnaire (questions.yaml)");
  }
  const Questionnaire& model = Model(kb);
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(json_answers);
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(
        fmt::format("answers are not valid JSON: {}", e.what()));
  }
  if (!doc.is_object()) {
    return Status::InvalidArgument(
        "answers must be a JSON object: question id -> answer");
  }
  std::vector<std::pair<int, Reply>> replies;
  for (const auto& [key, value] : doc.items()) {
    auto it = model.index.find(key);
    if (it == model.index.end()) {
      return Status::InvalidArgument(
          fmt::format("unknown question id '{}'", key));
    }
    const Question& q = model.questions[it->second].view;
    Reply r;
    if (value.is_number()) {
      r.number = value.get<double>();
    } else if (value.is_string()) {
      r.options.push_back(value.get<std::string>());
    } else if (value.is_array() && q.kind == QuestionKind::kChecklist) {
      for (const auto& item : value) {
        if (!item.is_string()) {
          return Status::InvalidArgument(fmt::format(
              "question '{}': a checklist answer is a list of option ids",
              key));
        }
        r.options.push_back(item.get<std::string>());
      }
    } else {
      return Status::InvalidArgument(fmt::format(
          "question '{}': the answer must be {}", key,
          q.kind == QuestionKind::kNumber      ? "a number or \"unsure\""
          : q.kind == QuestionKind::kChecklist ? "a list of option ids"
                                               : "an option id"));
    }
    replies.emplace_back(it->second, std::move(r));
  }
  std::sort(replies.begin(), replies.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  AnsweredCase out{kb.NewCase(), {}};
  out.c.id = "assessment";
  for (const auto& [index, reply] : replies) {
    const QuestionDef& def = model.questions[index];
    if (!assess::ShouldAsk(def, out.c.values)) {
      return Status::InvalidArgument(fmt::format(
          "question '{}' is not asked after the other answers (it is asked "
          "only when {})",
          def.view.id, def.ask_when_text));
    }
    Status s = Apply(kb, def, reply, &out.c);
    if (!s.ok()) return s;
    out.answers.emplace_back(def.view.id, reply);
  }
  return out;
}

Result<Assessment> ResumeAssessment(std::shared_ptr<const KnowledgeBase> kb,
                                    std::string_view json_answers) {
  if (!kb) return Status::FailedPrecondition("no knowledge base");
  // CaseFromAnswers checks every answer and orders them; the replay below
  // only has to find gaps.
  auto answered = CaseFromAnswers(*kb, json_answers);
  if (!answered.ok()) return answered.status();
  auto started = Assessment::Start(kb);
  if (!started.ok()) return started.status();
  Assessment a = std::move(started).value();
  const Questionnaire& model = Model(*kb);
  for (const auto& [id, reply] : answered->answers) {
    const int index = model.index.at(id);
    const Question* next = a.NextQuestion();
    if (next != nullptr && next->id != id) {
      return Status::InvalidArgument(fmt::format(
          "question '{}' must be answered before '{}' (answer \"{}\" if it "
          "is not known)",
          next->id, id, kNotSure));
    }
    if (next != nullptr) {
      Status s = a.Answer(reply);
      if (!s.ok()) return s;
      continue;
    }
    // Finished at emergency: apply the answer all the same.
    Case after = a.case_;
    Status s = Apply(*kb, model.questions[index], reply, &after);
    if (!s.ok()) return s;
    a.steps_.push_back(Assessment::Step{index, reply, std::move(a.case_)});
    a.case_ = std::move(after);
    Evaluate(*kb, a.case_, &a.result_);
  }
  return a;
}

void AppendAnswersJson(const std::vector<std::pair<std::string, Reply>>& a,
                       std::string* out) {
  out->push_back('{');
  bool first = true;
  for (const auto& [id, r] : a) {
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(id, out);
    out->push_back(':');
    if (r.number) {
      *out += FormatNumber(*r.number);
    } else if (r.options.size() == 1) {
      AppendJsonString(r.options[0], out);
    } else {
      out->push_back('[');
      for (size_t i = 0; i < r.options.size(); ++i) {
        if (i) out->push_back(',');
        AppendJsonString(r.options[i], out);
      }
      out->push_back(']');
    }
  }
  out->push_back('}');
}

void AppendFindingsJson(const KnowledgeBase& kb, const Case& c,
                        std::string* out) {
  out->push_back('{');
  bool first = true;
  for (size_t f = 0; f < kb.findings().size(); ++f) {
    if (c.values[f] == kUnknown) continue;
    if (!first) out->push_back(',');
    first = false;
    const FindingDef& def = kb.findings()[f];
    AppendJsonString(def.key, out);
    out->push_back(':');
    const std::string v = kb::ValueToString(def, c.values[f]);
    if (def.type == FindingType::kEnum) {
      AppendJsonString(v, out);
    } else {
      *out += v;
    }
  }
  out->push_back('}');
}

}  // namespace backaid
