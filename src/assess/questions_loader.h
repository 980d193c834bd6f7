// The loader of knowledge/questions.yaml (questions_loader.cc: the
// document, sections, questions, numbers, retired questions and the
// extension; question_options_loader.cc: a question's options and the
// checklist lint of what an unticked item records). Internal to the
// questions extension; every problem is a lint issue with the file and the
// line of the YAML node it concerns.
#ifndef BACKAID_SRC_ASSESS_QUESTIONS_LOADER_H_
#define BACKAID_SRC_ASSESS_QUESTIONS_LOADER_H_

#include <yaml-cpp/yaml.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "src/assess/questionnaire_model.h"
#include "src/knowledge/program.h"
#include "src/knowledge/yaml_lint.h"

namespace backaid::kb {

inline constexpr const char* kQuestionsFile = "questions.yaml";

class QuestionsLoader : public YamlLint {
 public:
  QuestionsLoader(const KnowledgeBase::Impl& impl,
                  std::vector<LintIssue>* issues)
      : YamlLint(kQuestionsFile, issues), impl_(impl) {}

  // The questionnaire of `doc`, or null when it has no sections or
  // questions lists; every problem is added to the issues.
  std::shared_ptr<const assess::Questionnaire> Load(const YAML::Node& doc);

 private:
  // Reads a text member; reports a missing (when required) or non-text one.
  bool Text(const YAML::Node& map, const char* key, std::string* out,
            bool required, std::string_view what);
  // The encoded value of `n` for finding `def`, or a lint issue.
  std::optional<int32_t> Encode(const FindingDef& def, const YAML::Node& n,
                                std::string_view what);
  // The finding `key_node` names (its id in `id`), or null and a lint issue.
  const FindingDef* Finding(const YAML::Node& key_node, std::string_view what,
                            FindingId* id);

  // `retired`: [{id, now: [question ids], findings: [finding keys]}].
  void LoadRetired(const YAML::Node& list, assess::Questionnaire* q);
  void LoadSections(const YAML::Node& list, const YAML::Node& doc);
  // Lint: screens (see the definition).
  void CheckScreens(const assess::Questionnaire& q);
  // False when the question is dropped (no id, no kind, a number question
  // without its finding); problems of a kept question are reported.
  bool LoadQuestion(const YAML::Node& n, const FindingSet& set_before,
                    assess::QuestionDef* def);
  bool LoadNumber(const YAML::Node& n, const std::string& what,
                  assess::QuestionDef* def);

  // question_options_loader.cc: the options of a single or checklist
  // question, and for a checklist what an unticked item records.
  bool LoadOptions(const YAML::Node& n, const std::string& what,
                   assess::QuestionDef* def);
  // Lint: what a checklist records without a tick (see the definition).
  bool LintUntickedNormals(const assess::QuestionDef& def, const YAML::Node& at,
                           std::string_view what);

  const KnowledgeBase::Impl& impl_;
  struct Section {
    std::string title;
    bool diary = false;  // its checklists' options are diary symptoms
  };
  std::unordered_map<std::string, Section> sections_;
};

}  // namespace backaid::kb

#endif  // BACKAID_SRC_ASSESS_QUESTIONS_LOADER_H_
