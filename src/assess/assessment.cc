#include <fmt/format.h>
#include <fmt/ranges.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "backaid/assess.h"
#include "backaid/case_json.h"
#include "src/assess/answers.h"
#include "src/assess/questionnaire_model.h"
#include "src/assess/selection.h"
#include "src/knowledge/expr.h"
#include "src/knowledge/program.h"

namespace backaid {
namespace {

using assess::QuestionDef;
using assess::Questionnaire;
using assess::RuledOut;
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

// Whole numbers print without a decimal point; a value too large for an
// integer (only ever a rejected reply) prints in exponent form.
std::string FormatNumber(double v) {
  if (!std::isfinite(v) || std::fabs(v) >= 1e15) return fmt::format("{:g}", v);
  return v == std::floor(v) ? fmt::format("{}", static_cast<long long>(v))
                            : fmt::format("{:.1f}", v);
}

// Records `v` for finding `f`, except that an answer never lowers what an
// earlier answer recorded: for a yes/no or graded finding (values run from
// the normal one to the most abnormal, which the loader checks) the more
// abnormal value stays. Both-leg weakness from the nerve checklist must not
// become one-leg weakness because the leg checklist's one-leg item was
// ticked too.
void Record(const KnowledgeBase& kb, FindingId f, int32_t v, Case* c) {
  const FindingDef& d = kb.findings()[f];
  const int32_t old = c->values[f];
  const bool graded =
      (d.type == FindingType::kBool || d.type == FindingType::kEnum) &&
      d.normal && *d.normal == 0;
  if (graded && old != kUnknown && old > v) return;
  kb.SetFinding(f, v, c);
}

// Applies `reply` to question `q` on `c`. Checks everything before changing
// anything, so a failed reply leaves `c` as it was.
Status Apply(const KnowledgeBase& kb, const QuestionDef& def,
             const Reply& reply, Case* c, RuledOut* ruled_out) {
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
      // Range-checked as a double first: a huge reply must not wrap into
      // range when narrowed to the encoded integer.
      if (scaled < def.min || scaled > def.max) {
        return Status::InvalidArgument(fmt::format(
            "question '{}': {} is out of range (from {} to {})", q.id,
            FormatNumber(v), FormatNumber(q.min), FormatNumber(q.max)));
      }
      const auto encoded = static_cast<int32_t>(std::lround(scaled));
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
      Record(kb, s.first, s.second, c);
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
    auto set_by_tick = [&](FindingId f) {
      return std::any_of(ticked.begin(), ticked.end(),
                         [&](const Setting& t) { return t.first == f; });
    };
    // Unticked items (or "none of these"): their normal values, where the
    // items cover every abnormal value of the finding.
    for (const Setting& s : def.normals) {
      if (!set_by_tick(s.first)) Record(kb, s.first, s.second, c);
    }
    // Elsewhere an unticked item only rules out the values it names; the
    // finding is normal once every abnormal value has been ruled out.
    for (const auto& [f, mask] : def.excludes) {
      if (set_by_tick(f)) continue;
      // A copy: clang 14 cannot capture a structured binding.
      const auto finding = f;
      auto it =
          std::find_if(ruled_out->begin(), ruled_out->end(),
                       [finding](const auto& x) { return x.first == finding; });
      if (it == ruled_out->end()) {
        ruled_out->emplace_back(f, mask);
        it = ruled_out->end() - 1;
      } else {
        it->second |= mask;
      }
      const FindingDef& fd = kb.findings()[f];
      const uint32_t abnormal = assess::AbnormalMask(fd);
      if (c->values[f] == kUnknown && fd.normal && abnormal != 0 &&
          (abnormal & ~it->second) == 0)
        kb.SetFinding(f, *fd.normal, c);
    }
  }
  if (none || unsure) {
    // "None of these" may set extra normals; "not sure" may record that the
    // person said so (said_not_sure findings, checked by the loader).
    for (int i : picked) {
      if (q.options[i].role == OptionRole::kAnswer) continue;
      for (const Setting& s : def.options[i].sets)
        Record(kb, s.first, s.second, c);
    }
  }
  for (const Setting& s : ticked) Record(kb, s.first, s.second, c);
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
  Refresh();
}

Result<Assessment> Assessment::Start(std::shared_ptr<const KnowledgeBase> kb) {
  if (!kb || !assess::QuestionnaireOf(*kb) ||
      assess::QuestionnaireOf(*kb)->questions.empty()) {
    return Status::FailedPrecondition(
        "the knowledge base has no questionnaire (questions.yaml)");
  }
  return Assessment(std::move(kb));
}

namespace {

std::vector<bool> AskedSet(size_t n, const std::vector<int>& asked) {
  std::vector<bool> out(n, false);
  for (int i : asked) out[i] = true;
  return out;
}

// Marks what no answer could matter for (not listed as not assessed) and
// returns the next question (-1: none, or the level is emergency); its
// screen (ScreenOf) goes to `screen` when given: only the one question at
// emergency. `open_screen`: the screen of the last answer. While some of
// its questions that would still be asked are unanswered (a front answered
// only part of the screen), they come next, before anything else: then
// answering a screen at once or a question at a time reaches the same state,
// and ResumeAssessment, which sees only the answers, replays either.
int MarkAndChoose(const KnowledgeBase& kb, const Questionnaire& model,
                  const std::vector<bool>& asked, Case* c, TriageResult* r,
                  std::vector<int>* screen = nullptr,
                  std::string_view open_screen = {}) {
  assess::Relevance rel;
  assess::ComputeRelevance(kb, *c, *r, &rel);
  FindingSet all;
  for (size_t f = 0; f < kb.findings().size(); ++f) all.set(f);
  c->not_needed = all & ~c->known & ~rel.any;
  r->not_assessed &= ~c->not_needed;
  int next;
  if (r->level == TriageLevel::kEmergency) {
    next = assess::ConfirmEmergency(kb, model, *c, *r, asked);
    if (screen) *screen = next < 0 ? std::vector<int>{} : std::vector{next};
    return next;
  }
  next = open_screen.empty()
             ? -1
             : assess::ChooseNext(model, *c, rel, asked, open_screen);
  if (next < 0) next = assess::ChooseNext(model, *c, rel, asked);
  if (screen) {
    *screen = next < 0 ? std::vector<int>{}
                       : assess::ScreenOf(model, *c, rel, asked, next);
  }
  return next;
}

}  // namespace

void Assessment::Refresh() {
  Evaluate(*kb_, case_, &result_);
  std::vector<int> asked;
  for (const Step& s : steps_) asked.push_back(s.question);
  const Questionnaire& model = Model(*kb_);
  const std::string_view open_screen =
      steps_.empty() ? std::string_view()
                     : model.questions[steps_.back().question].view.screen;
  next_ = MarkAndChoose(*kb_, model, AskedSet(model.questions.size(), asked),
                        &case_, &result_, &screen_, open_screen);
}

const Question* Assessment::NextQuestion() const {
  return next_ < 0 ? nullptr : &Model(*kb_).questions[next_].view;
}

std::vector<const Question*> Assessment::NextScreen() const {
  std::vector<const Question*> out;
  for (int i : screen_) out.push_back(&Model(*kb_).questions[i].view);
  return out;
}

Status Assessment::ApplyStep(int index, const Reply& reply, bool screen_start) {
  Case next = case_;
  RuledOut ruled = ruled_out_;
  Status s = Apply(*kb_, Model(*kb_).questions[index], reply, &next, &ruled);
  if (!s.ok()) return s;
  steps_.push_back(Step{index, reply, std::move(case_), std::move(ruled_out_),
                        screen_start});
  case_ = std::move(next);
  ruled_out_ = std::move(ruled);
  return Status::Ok();
}

Status Assessment::Answer(const Reply& reply) {
  if (next_ < 0) {
    return Status::FailedPrecondition("the assessment is finished");
  }
  Status s = ApplyStep(next_, reply, /*screen_start=*/true);
  if (!s.ok()) return s;
  Refresh();
  return Status::Ok();
}

Status Assessment::AnswerScreen(const std::vector<Reply>& replies) {
  if (next_ < 0) {
    return Status::FailedPrecondition("the assessment is finished");
  }
  const Questionnaire& model = Model(*kb_);
  if (replies.size() != screen_.size()) {
    std::string ids;
    for (int i : screen_) {
      if (!ids.empty()) ids += "', '";
      ids += model.questions[i].view.id;
    }
    return Status::InvalidArgument(
        fmt::format("this screen has {} question{} ('{}'), {} answer{} given",
                    screen_.size(), screen_.size() == 1 ? "" : "s", ids,
                    replies.size(), replies.size() == 1 ? "" : "s"));
  }
  // Every reply is checked (on a copy, in order) before anything changes.
  {
    Case c = case_;
    RuledOut ruled = ruled_out_;
    for (size_t k = 0; k < screen_.size(); ++k) {
      Status s =
          Apply(*kb_, model.questions[screen_[k]], replies[k], &c, &ruled);
      if (!s.ok()) return s;
    }
  }
  const std::vector<int> screen = screen_;
  for (size_t k = 0; k < screen.size(); ++k) {
    Status s = ApplyStep(screen[k], replies[k], /*screen_start=*/k == 0);
    if (!s.ok()) return s;  // not reached: checked above
  }
  Refresh();
  return Status::Ok();
}

Status Assessment::CheckReply(std::string_view question_id,
                              const Reply& reply) const {
  const Questionnaire& model = Model(*kb_);
  auto it = model.index.find(std::string(question_id));
  if (it == model.index.end()) {
    return Status::NotFound(
        fmt::format("unknown question id '{}'", question_id));
  }
  Case c = case_;
  RuledOut ruled = ruled_out_;
  return Apply(*kb_, model.questions[it->second], reply, &c, &ruled);
}

bool Assessment::Back() {
  if (steps_.empty()) return false;
  bool start;
  do {
    start = steps_.back().screen_start;
    case_ = std::move(steps_.back().before);
    ruled_out_ = std::move(steps_.back().ruled_out_before);
    steps_.pop_back();
  } while (!start && !steps_.empty());
  Refresh();
  return true;
}

Progress Assessment::progress() const {
  Progress p;
  p.answered = static_cast<int>(steps_.size());
  for (const Step& s : steps_) p.screens_answered += s.screen_start ? 1 : 0;
  p.about = p.answered;
  p.screens_about = p.screens_answered;
  if (next_ < 0) return p;
  // The screens still to come if every answer from here is the typical
  // one (the normal answer, "none of these").
  const Questionnaire& model = Model(*kb_);
  std::vector<bool> asked(model.questions.size(), false);
  for (const Step& s : steps_) asked[s.question] = true;
  Case c = case_;
  TriageResult r = result_;
  RuledOut ruled = ruled_out_;
  std::vector<int> screen = screen_;
  while (!screen.empty()) {
    ++p.screens_about;
    for (int i : screen) {
      ++p.about;
      asked[i] = true;
      Case after = c;
      if (Apply(*kb_, model.questions[i],
                assess::TypicalReply(*kb_, model.questions[i]), &after, &ruled)
              .ok()) {
        c = std::move(after);
      }
    }
    Evaluate(*kb_, c, &r);
    const std::string open_screen = model.questions[screen.back()].view.screen;
    MarkAndChoose(*kb_, model, asked, &c, &r, &screen, open_screen);
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
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto e =
          parser.parse(json_answers.data(), json_answers.size()).get(doc)) {
    return Status::InvalidArgument(fmt::format("answers are not valid JSON: {}",
                                               simdjson::error_message(e)));
  }
  simdjson::dom::object answers;
  if (doc.get_object().get(answers)) {
    return Status::InvalidArgument(
        "answers must be a JSON object: question id -> answer");
  }
  return assess::CaseFromAnswerObject(kb, answers);
}

namespace assess {

Result<AnsweredCase> CaseFromAnswerObject(const KnowledgeBase& kb,
                                          simdjson::dom::object answers) {
  if (!assess::QuestionnaireOf(kb)) {
    return Status::FailedPrecondition(
        "the knowledge base has no questionnaire (questions.yaml)");
  }
  const Questionnaire& model = Model(kb);
  // By question id, the last of a repeated id winning, in the ids' order:
  // which error is named first does not depend on the members' order.
  std::map<std::string_view, simdjson::dom::element> by_id;
  for (simdjson::dom::key_value_pair kv : answers) by_id[kv.key] = kv.value;
  std::vector<std::pair<int, Reply>> replies;
  for (const auto& [key_view, value] : by_id) {
    const std::string key(key_view);
    auto it = model.index.find(key);
    if (it == model.index.end()) {
      if (auto retired = model.retired.find(key);
          retired != model.retired.end()) {
        return Status::InvalidArgument(fmt::format(
            "question '{}' is no longer asked: it is part of '{}' now (answer "
            "that question instead)",
            key, fmt::join(retired->second.now, "', '")));
      }
      return Status::InvalidArgument(
          fmt::format("unknown question id '{}'", key));
    }
    const Question& q = model.questions[it->second].view;
    Reply r;
    double number = 0;
    std::string_view text;
    if (!value.get_double().get(number)) {
      r.number = number;
    } else if (!value.get_string().get(text)) {
      r.options.emplace_back(text);
    } else if (value.is_array() && q.kind == QuestionKind::kChecklist) {
      for (simdjson::dom::element item : simdjson::dom::array(value)) {
        if (item.get_string().get(text)) {
          return Status::InvalidArgument(fmt::format(
              "question '{}': a checklist answer is a list of option ids",
              key));
        }
        r.options.emplace_back(text);
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
  RuledOut ruled;
  std::vector<bool> asked(model.questions.size(), false);
  for (const auto& [index, reply] : replies) {
    const QuestionDef& def = model.questions[index];
    if (!assess::ShouldAsk(def, out.c.values)) {
      return Status::InvalidArgument(fmt::format(
          "question '{}' is not asked after the other answers (it is asked "
          "only when {})",
          def.view.id, def.ask_when_text));
    }
    Status s = Apply(kb, def, reply, &out.c, &ruled);
    if (!s.ok()) return s;
    out.answers.emplace_back(def.view.id, reply);
    asked[index] = true;
  }
  // What was left out because no answer could matter is not "not assessed".
  TriageResult r;
  Evaluate(kb, out.c, &r);
  MarkAndChoose(kb, model, asked, &out.c, &r);
  return out;
}

}  // namespace assess

Result<Assessment> ResumeAssessment(std::shared_ptr<const KnowledgeBase> kb,
                                    std::string_view json_answers) {
  if (!kb) return Status::FailedPrecondition("no knowledge base");
  // CaseFromAnswers checks every answer; the replay below asks them in the
  // session's own order and only has to find gaps.
  auto answered = CaseFromAnswers(*kb, json_answers);
  if (!answered.ok()) return answered.status();
  auto started = Assessment::Start(kb);
  if (!started.ok()) return started.status();
  Assessment a = std::move(started).value();
  const Questionnaire& model = Model(*kb);
  std::vector<std::pair<int, const Reply*>> left;  // in questionnaire order
  for (const auto& [id, reply] : answered->answers)
    left.emplace_back(model.index.at(id), &reply);
  // A screen at a time: the answers given for its questions (all of them,
  // or the part a client sent) are applied together, in the screen's order.
  for (;;) {
    bool applied = false;
    for (int index : std::vector<int>(a.screen_)) {
      auto it = std::find_if(left.begin(), left.end(),
                             [&](const auto& x) { return x.first == index; });
      if (it == left.end()) continue;
      Status s = a.ApplyStep(index, *it->second, /*screen_start=*/!applied);
      if (!s.ok()) return s;
      applied = true;
      left.erase(it);
    }
    if (!applied) break;
    a.Refresh();
  }
  if (!left.empty() && a.next_ >= 0) {
    // An answer to a question that could still matter, while the question
    // the session asks now has no answer: a gap.
    assess::Relevance rel;
    assess::ComputeRelevance(*kb, a.case_, a.result_, &rel);
    for (const auto& [index, reply] : left) {
      const QuestionDef& def = model.questions[index];
      if (assess::QuestionWeight(def, rel) > 0 &&
          assess::ShouldAsk(def, a.case_.values)) {
        return Status::InvalidArgument(fmt::format(
            "question '{}' must be answered before '{}' (answer \"{}\" if "
            "it is not known)",
            a.NextQuestion()->id, def.view.id, kNotSure));
      }
    }
  }
  // Finished (at emergency), or answers to questions that could no longer
  // matter: apply them all the same (they add information).
  for (const auto& [index, reply] : left) {
    Status s = a.ApplyStep(index, *reply, /*screen_start=*/true);
    if (!s.ok()) return s;
    a.Refresh();
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
