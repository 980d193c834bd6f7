// Loads and lints knowledge/questions.yaml into the questionnaire
// (src/assess/questionnaire_model.h): the document, sections, questions,
// number questions and retired questions, and the questions extension. A
// question's options and the checklist lint are in
// question_options_loader.cc. Every problem is a lint issue with the file and
// the line of the YAML node it concerns.
#include "src/assess/questions_loader.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "src/knowledge/extension.h"

namespace backaid::kb {

using assess::OptionDef;
using assess::QuestionDef;
using assess::Questionnaire;
using assess::Setting;

bool QuestionsLoader::Text(const YAML::Node& map, const char* key,
                           std::string* out, bool required,
                           std::string_view what) {
  const YAML::Node n = map[key];
  if (!n.IsDefined() || n.IsNull()) {
    if (required) At(map, fmt::format("{} is missing '{}'", what, key));
    return false;
  }
  if (!n.IsScalar() || n.Scalar().empty()) {
    At(n, fmt::format("'{}' in {} must be non-empty text", key, what));
    return false;
  }
  *out = n.Scalar();
  return true;
}

std::optional<int32_t> QuestionsLoader::Encode(const FindingDef& def,
                                               const YAML::Node& n,
                                               std::string_view what) {
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    switch (def.type) {
      case FindingType::kBool:
        if (s == "true") return 1;
        if (s == "false") return 0;
        break;
      case FindingType::kEnum:
        for (size_t i = 0; i < def.values.size(); ++i)
          if (def.values[i] == s) return static_cast<int32_t>(i);
        break;
      case FindingType::kInt:
      case FindingType::kNumber:
        if (auto d = YamlNumber(n)) {
          const double scaled = *d * def.scale;
          // Bounds first, as doubles: narrowing a huge value could wrap.
          if (!(scaled >= def.min && scaled <= def.max)) break;
          const auto v = static_cast<int32_t>(std::lround(scaled));
          if (std::fabs(scaled - v) < 1e-6) return v;
        }
        break;
    }
  }
  std::string expected;
  switch (def.type) {
    case FindingType::kBool:
      expected = "true or false";
      break;
    case FindingType::kEnum:
      for (const auto& v : def.values) {
        if (!expected.empty()) expected += ", ";
        expected += v;
      }
      expected = "one of " + expected;
      break;
    default:
      expected =
          fmt::format("a number from {} to {}", ValueToString(def, def.min),
                      ValueToString(def, def.max));
  }
  At(n, fmt::format("{}: '{}' is not a valid value for finding '{}' ({})", what,
                    n.IsScalar() ? n.Scalar() : "(not a value)", def.key,
                    expected));
  return std::nullopt;
}

const FindingDef* QuestionsLoader::Finding(const YAML::Node& key_node,
                                           std::string_view what,
                                           FindingId* id) {
  const std::string key = key_node.IsScalar() ? key_node.Scalar() : "";
  auto it = impl_.finding_index.find(key);
  if (it == impl_.finding_index.end()) {
    At(key_node, fmt::format("{}: unknown finding '{}'", what, key));
    return nullptr;
  }
  *id = it->second;
  return &impl_.findings[it->second];
}

std::shared_ptr<const Questionnaire> QuestionsLoader::Load(
    const YAML::Node& doc) {
  auto q = std::make_shared<Questionnaire>();
  CheckKeys(doc, {"sections", "questions", "retired"}, "questions.yaml");
  if (!doc.IsMap()) {
    At(doc,
       "questions.yaml must be a mapping with 'sections' and "
       "'questions'");
    return nullptr;
  }
  LoadSections(doc["sections"], doc);
  const YAML::Node list = doc["questions"];
  if (!list.IsSequence() || list.size() == 0) {
    At(list.IsDefined() ? list : doc,
       "questions.yaml needs a non-empty 'questions' list");
    return nullptr;
  }
  FindingSet set_so_far;
  for (const auto& n : list) {
    QuestionDef def;
    if (!LoadQuestion(n, set_so_far, &def)) continue;
    if (q->index.count(def.view.id)) {
      At(n["id"], fmt::format("duplicate question id '{}'", def.view.id));
      continue;
    }
    auto mark = [&](FindingId f) { set_so_far.set(f); };
    if (def.view.kind == QuestionKind::kNumber) mark(def.finding);
    for (const OptionDef& o : def.options)
      for (const Setting& s : o.sets) mark(s.first);
    q->index[def.view.id] = static_cast<int>(q->questions.size());
    q->questions.push_back(std::move(def));
  }
  LoadRetired(doc["retired"], q.get());
  CheckScreens(*q);
  // The first question (and option) that asks each finding.
  q->asked_by.assign(impl_.findings.size(), {-1, -1});
  for (size_t i = 0; i < q->questions.size(); ++i) {
    const QuestionDef& d = q->questions[i];
    if (d.view.kind == QuestionKind::kNumber &&
        q->asked_by[d.finding].first < 0)
      q->asked_by[d.finding] = {static_cast<int>(i), -1};
    for (size_t o = 0; o < d.options.size(); ++o) {
      if (d.view.options[o].role != OptionRole::kAnswer) continue;
      for (const Setting& st : d.options[o].sets)
        if (q->asked_by[st.first].first < 0)
          q->asked_by[st.first] = {static_cast<int>(i), static_cast<int>(o)};
    }
  }
  for (size_t f = 0; f < impl_.findings.size(); ++f) {
    const FindingDef& fd = impl_.findings[f];
    if (fd.red_flag && !set_so_far.test(f)) {
      LintIssue issue;
      issue.where = SourceLocation{kQuestionsFile, 0, 0};
      issue.message = fmt::format(
          "red-flag finding '{}' is not set by any question (the "
          "assessment could never find it)",
          fd.key);
      issues_->push_back(std::move(issue));
    }
  }
  return q;
}

void QuestionsLoader::LoadRetired(const YAML::Node& list, Questionnaire* q) {
  if (!list.IsDefined()) return;
  if (!list.IsSequence()) {
    At(list, "'retired' must be a list");
    return;
  }
  for (const auto& n : list) {
    if (!n.IsMap()) {
      At(n, "a retired question must be a mapping");
      continue;
    }
    CheckKeys(n, {"id", "now", "findings"}, "a retired question");
    std::string id;
    if (!Text(n, "id", &id, true, "a retired question")) continue;
    const std::string what = "retired question " + id;
    if (q->index.count(id) || q->retired.count(id)) {
      At(n["id"], fmt::format("{}: the id is in use", what));
      continue;
    }
    Questionnaire::Retired r;
    const YAML::Node now = n["now"];
    if (!now.IsSequence() || now.size() == 0) {
      At(now.IsDefined() ? now : n,
         fmt::format("{}: 'now' must list the questions that ask it", what));
      continue;
    }
    for (const auto& x : now) {
      if (!x.IsScalar() || !q->index.count(x.Scalar())) {
        At(x, fmt::format("{}: 'now' names no current question", what));
        continue;
      }
      r.now.push_back(x.Scalar());
    }
    const YAML::Node findings = n["findings"];
    if (!findings.IsSequence() || findings.size() == 0) {
      At(findings.IsDefined() ? findings : n,
         fmt::format("{}: 'findings' must list what it asked", what));
      continue;
    }
    for (const auto& x : findings) {
      auto it = x.IsScalar() ? impl_.finding_index.find(x.Scalar())
                             : impl_.finding_index.end();
      if (it == impl_.finding_index.end()) {
        At(x, fmt::format("{}: unknown finding", what));
        continue;
      }
      r.findings.push_back(it->second);
    }
    q->retired.emplace(std::move(id), std::move(r));
  }
}

void QuestionsLoader::LoadSections(const YAML::Node& list,
                                   const YAML::Node& doc) {
  if (!list.IsSequence() || list.size() == 0) {
    At(list.IsDefined() ? list : doc,
       "questions.yaml needs a non-empty 'sections' list");
    return;
  }
  for (const auto& n : list) {
    CheckKeys(n, {"id", "title", "diary"}, "a section");
    Section section;
    std::string id;
    if (!Text(n, "id", &id, true, "a section")) continue;
    Text(n, "title", &section.title, true, "section " + id);
    if (const YAML::Node diary = n["diary"]; diary.IsDefined()) {
      if (diary.IsScalar() &&
          (diary.Scalar() == "true" || diary.Scalar() == "false")) {
        section.diary = diary.Scalar() == "true";
      } else {
        At(diary, fmt::format("section {}: 'diary' must be true or false", id));
      }
    }
    if (sections_.count(id)) {
      At(n["id"], fmt::format("duplicate section id '{}'", id));
      continue;
    }
    sections_[id] = std::move(section);
  }
}

namespace {

// The findings an expression reads.
void CollectFindings(const Expr& e, FindingSet* out) {
  if (e.kind == Expr::Kind::kAtom) {
    out->set(e.atom.finding);
    return;
  }
  for (const Expr& c : e.children) CollectFindings(c, out);
}

}  // namespace

// A screen shows its questions together, so none of them may depend on an
// answer given on the same screen: a question whose ask_when reads a finding
// that another question of its screen sets would have to appear or vanish
// while the person answers. A screen of one question is a mistake too (a
// misspelt id).
void QuestionsLoader::CheckScreens(const Questionnaire& q) {
  std::map<std::string, std::vector<int>> screens;
  for (size_t i = 0; i < q.questions.size(); ++i) {
    const std::string& id = q.questions[i].view.screen;
    if (!id.empty()) screens[id].push_back(static_cast<int>(i));
  }
  auto issue = [&](const QuestionDef& d, std::string message) {
    LintIssue li;
    li.where = d.where;
    li.message = std::move(message);
    issues_->push_back(std::move(li));
  };
  for (const auto& [id, members] : screens) {
    if (members.size() < 2) {
      issue(q.questions[members[0]],
            fmt::format("question {}: screen '{}' has no other question",
                        q.questions[members[0]].view.id, id));
      continue;
    }
    for (int a : members) {
      const QuestionDef& asked = q.questions[a];
      if (!asked.has_ask_when) continue;
      FindingSet reads;
      CollectFindings(asked.ask_when, &reads);
      for (int b : members) {
        if (a == b) continue;
        const QuestionDef& mate = q.questions[b];
        const FindingSet both = reads & assess::SettableFindings(mate);
        if (both.none()) continue;
        issue(asked,
              fmt::format("question {}: its ask_when reads '{}', which "
                          "question {} on the same screen '{}' sets (a "
                          "screen cannot depend on its own answers)",
                          asked.view.id, impl_.findings[both._Find_first()].key,
                          mate.view.id, id));
      }
    }
  }
}

bool QuestionsLoader::LoadQuestion(const YAML::Node& n,
                                   const FindingSet& set_before,
                                   QuestionDef* def) {
  if (!n.IsMap()) {
    At(n, "a question must be a mapping");
    return false;
  }
  CheckKeys(n,
            {"id", "section", "kind", "text", "help", "options", "finding",
             "range", "unit", "ask_when", "screen"},
            "a question");
  def->where = Where(n);
  Question& v = def->view;
  if (!Text(n, "id", &v.id, true, "a question")) return false;
  const std::string what = "question " + v.id;
  if (Text(n, "section", &v.section, true, what)) {
    auto it = sections_.find(v.section);
    if (it == sections_.end()) {
      At(n["section"],
         fmt::format("{}: unknown section '{}'", what, v.section));
    } else {
      v.section_title = it->second.title;
      def->diary = it->second.diary;
    }
  }
  Text(n, "text", &v.text, true, what);
  Text(n, "help", &v.help, false, what);
  Text(n, "screen", &v.screen, false, what);
  std::string kind;
  if (!Text(n, "kind", &kind, true, what)) return false;
  if (kind == "single") {
    v.kind = QuestionKind::kSingle;
  } else if (kind == "checklist") {
    v.kind = QuestionKind::kChecklist;
  } else if (kind == "number") {
    v.kind = QuestionKind::kNumber;
  } else {
    At(n["kind"], fmt::format("{}: kind must be single, checklist or "
                              "number, not '{}'",
                              what, kind));
    return false;
  }
  if (v.kind == QuestionKind::kNumber) {
    // Without its finding a number question means nothing: drop it.
    if (!LoadNumber(n, what, def)) return false;
  } else {
    for (const char* key : {"finding", "range", "unit"}) {
      if (n[key].IsDefined()) {
        At(n[key],
           fmt::format("{}: '{}' is only for number questions", what, key));
      }
    }
    LoadOptions(n, what, def);
  }
  const YAML::Node when = n["ask_when"];
  if (when.IsDefined()) {
    if (!when.IsScalar()) {
      At(when, fmt::format("{}: ask_when must be a condition written as "
                           "text",
                           what));
    } else {
      ParseError err;
      if (!ParseExpr(when.Scalar(), impl_.findings, impl_.finding_index,
                     &def->ask_when, &err)) {
        At(when, fmt::format("{} ask_when: {}", what, err.message),
           err.column - 1);
      } else {
        def->has_ask_when = true;
        def->ask_when_text = when.Scalar();
        FindingSet used;
        CollectFindings(def->ask_when, &used);
        for (size_t f = used._Find_first(); f < used.size();
             f = used._Find_next(f)) {
          if (!set_before.test(f)) {
            At(when, fmt::format("{} ask_when: finding '{}' is not set by any "
                                 "earlier question",
                                 what, impl_.findings[f].key));
          }
        }
      }
    }
  }
  // Problems above are reported; the question is kept so that later
  // questions are checked against what it sets (no follow-on noise).
  return true;
}

bool QuestionsLoader::LoadNumber(const YAML::Node& n, const std::string& what,
                                 QuestionDef* def) {
  if (n["options"].IsDefined()) {
    At(n["options"], fmt::format("{}: a number question has no options "
                                 "(\"not sure\" is built in)",
                                 what));
    return false;
  }
  const YAML::Node fn = n["finding"];
  if (!fn.IsDefined()) {
    At(n, fmt::format("{}: a number question needs 'finding'", what));
    return false;
  }
  FindingId id = 0;
  const FindingDef* f = Finding(fn, what, &id);
  if (!f) return false;
  if (f->type != FindingType::kInt && f->type != FindingType::kNumber) {
    At(fn, fmt::format("{}: finding '{}' is not a number", what, f->key));
    return false;
  }
  def->finding = id;
  def->scale = f->scale;
  def->min = f->min;
  def->max = f->max;
  const YAML::Node range = n["range"];
  if (range.IsDefined()) {
    std::optional<int32_t> lo, hi;
    // A bad range is reported and the finding's own range kept.
    if (range.IsSequence() && range.size() == 2) {
      lo = Encode(*f, range[0], what + " range");
      hi = Encode(*f, range[1], what + " range");
    } else {
      At(range, fmt::format("{}: 'range' must be [min, max]", what));
    }
    if (lo && hi && *lo > *hi) {
      At(range, fmt::format("{}: range minimum is above its maximum", what));
    } else if (lo && hi) {
      def->min = *lo;
      def->max = *hi;
    }
  }
  def->view.min = static_cast<double>(def->min) / def->scale;
  def->view.max = static_cast<double>(def->max) / def->scale;
  Text(n, "unit", &def->view.unit, false, what);
  return true;
}

namespace {

std::shared_ptr<const void> LoadQuestions(const YAML::Node& doc,
                                          const ExtensionContext& ctx) {
  QuestionsLoader loader(ctx.core, ctx.issues);
  std::shared_ptr<const Questionnaire> model = loader.Load(doc);
  // The built-in knowledge base got asked_as from backaid_kbc before it
  // was shared (tables is null then); it is read without a lock, so it is
  // never written here.
  KnowledgeBase::Impl* t = ctx.tables;
  if (t != nullptr && model != nullptr) {
    t->asked_as.assign(t->findings.size(), {});
    for (size_t f = 0; f < model->asked_by.size() && f < t->findings.size();
         ++f) {
      const auto [qi, oi] = model->asked_by[f];
      if (qi < 0) continue;
      const Question& view = model->questions[qi].view;
      t->asked_as[f].question = std::string(view.id);
      t->asked_as[f].text = oi >= 0 && view.kind == QuestionKind::kChecklist
                                ? std::string(view.options[oi].label)
                                : std::string(view.text);
    }
  }
  return model;
}

}  // namespace
}  // namespace backaid::kb

namespace backaid::assess {

extern const kb::Extension kQuestionsExtension;
const kb::Extension kQuestionsExtension{"questions.yaml",
                                        "the assessment's questions",
                                        /*required=*/true, &kb::LoadQuestions};

const Questionnaire* QuestionnaireOf(const KnowledgeBase& kb) {
  return kb::ModelOf<Questionnaire>(kb, "questions.yaml");
}

}  // namespace backaid::assess
