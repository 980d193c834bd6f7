// Loads and lints knowledge/diary.yaml into KnowledgeBase::Impl::diary.
//
// Every problem is a LintIssue against "diary.yaml" with the line of the
// YAML node concerned: unknown keys, missing or empty text, duplicate or
// malformed activity ids, unknown findings or sources, a finding of the
// wrong type for its derivation, a missing derivation, and a meaningful
// change outside the pain scale; in note_prompts, a duplicate id, a word that
// is not lower-case text, a finding that is not a red flag.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "src/diary/diary_model.h"
#include "src/knowledge/extension.h"
#include "src/knowledge/program.h"
#include "src/knowledge/yaml_lint.h"

namespace backaid::kb {
namespace {

constexpr char kFile[] = "diary.yaml";

bool IsId(const std::string& s) {
  if (s.empty() || s.size() > 40) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  return s[0] >= 'a' && s[0] <= 'z';
}

class DiaryLinter : public YamlLint {
 public:
  DiaryLinter(const KnowledgeBase::Impl& impl, std::vector<LintIssue>* issues)
      : YamlLint(kFile, issues), impl_(impl) {
    for (size_t i = 0; i < impl.sources.size(); ++i)
      sources_[impl.sources[i].id] = static_cast<uint16_t>(i);
  }

  // Null when the file is too broken to use (the issues say why).
  std::unique_ptr<diary::DiaryModel> Run(const YAML::Node& doc) {
    if (!doc.IsMap()) {
      At(doc,
         "diary.yaml must be a mapping with 'activities', 'pain' and "
         "'course'");
      return nullptr;
    }
    const size_t before = issues_->size();
    auto model = std::make_unique<diary::DiaryModel>();
    CheckKeys(doc, {"activities", "pain", "course", "note_prompts"},
              "diary.yaml");
    LoadActivities(doc, model.get());
    LoadPain(doc, model.get());
    LoadCourse(doc, model.get());
    LoadNotePrompts(doc, model.get());
    if (issues_->size() != before) return nullptr;
    return model;
  }

 private:
  bool Text(const YAML::Node& map, const char* key, std::string* out,
            std::string_view what) {
    const YAML::Node n = map[key];
    if (!n.IsDefined() || n.IsNull()) {
      At(map, fmt::format("{} is missing '{}'", what, key));
      return false;
    }
    if (!n.IsScalar() || n.Scalar().empty()) {
      At(n, fmt::format("'{}' in {} must be non-empty text", key, what));
      return false;
    }
    *out = n.Scalar();
    return true;
  }

  // Reads `sources:` (a non-empty list of source ids) as citations.
  void Sources(const YAML::Node& map, std::string_view what,
               std::vector<std::string>* out) {
    const YAML::Node list = map["sources"];
    if (!list.IsDefined() || !list.IsSequence() || list.size() == 0) {
      At(list.IsDefined() ? list : map,
         fmt::format("{} needs a non-empty 'sources' list", what));
      return;
    }
    for (const auto& s : list) {
      const std::string id = s.IsScalar() ? s.Scalar() : "";
      auto it = sources_.find(id);
      if (it == sources_.end()) {
        At(s, fmt::format("{}: unknown source '{}'", what, id));
        continue;
      }
      out->push_back(impl_.sources[it->second].cite);
    }
  }

  const FindingDef* Finding(const YAML::Node& map, std::string_view what,
                            FindingId* id) {
    std::string key;
    if (!Text(map, "finding", &key, what)) return nullptr;
    auto it = impl_.finding_index.find(key);
    if (it == impl_.finding_index.end()) {
      At(map["finding"], fmt::format("{}: unknown finding '{}'", what, key));
      return nullptr;
    }
    *id = it->second;
    return &impl_.findings[it->second];
  }

  void LoadActivities(const YAML::Node& doc, diary::DiaryModel* model) {
    const YAML::Node list = doc["activities"];
    if (!list.IsDefined() || !list.IsSequence() || list.size() == 0) {
      At(list.IsDefined() ? list : doc,
         "diary.yaml needs a non-empty 'activities' list");
      return;
    }
    std::set<std::string> seen;
    for (const auto& n : list) {
      if (!n.IsMap()) {
        At(n, "an activity must be a mapping with 'id' and 'label'");
        continue;
      }
      CheckKeys(n, {"id", "label"}, "an activity");
      diary::Activity a;
      if (!Text(n, "id", &a.id, "an activity")) continue;
      if (!IsId(a.id)) {
        At(n["id"], fmt::format("activity id '{}' must be lower-case "
                                "letters, digits and '_' (at most 40)",
                                a.id));
        continue;
      }
      if (!seen.insert(a.id).second) {
        At(n["id"], fmt::format("duplicate activity id '{}'", a.id));
        continue;
      }
      if (!Text(n, "label", &a.label, "activity " + a.id)) continue;
      model->activities.push_back(std::move(a));
    }
  }

  void LoadPain(const YAML::Node& doc, diary::DiaryModel* model) {
    const YAML::Node pain = doc["pain"];
    if (!pain.IsDefined() || !pain.IsMap()) {
      At(pain.IsDefined() ? pain : doc,
         "diary.yaml needs 'pain' with 'finding', 'meaningful_change' and "
         "'sources'");
      return;
    }
    CheckKeys(pain, {"finding", "meaningful_change", "sources"}, "pain");
    FindingId id = 0;
    if (const FindingDef* f = Finding(pain, "pain", &id)) {
      if (f->type != FindingType::kInt || f->min != 0 || f->max != 10) {
        At(pain["finding"], fmt::format("pain: finding '{}' must be a whole "
                                        "number from 0 to 10",
                                        f->key));
      }
      model->pain_score = id;
    }
    const YAML::Node mc = pain["meaningful_change"];
    const std::optional<int> parsed = YamlInt(mc);
    const int points = parsed.value_or(0);
    if (!parsed || points < 1 || points > 10) {
      At(mc.IsDefined() ? mc : pain,
         "pain: 'meaningful_change' must be a whole number from 1 to 10");
    } else {
      model->meaningful_change = points;
    }
    Sources(pain, "pain", &model->meaningful_change_sources);
  }

  void LoadCourse(const YAML::Node& doc, diary::DiaryModel* model) {
    const YAML::Node course = doc["course"];
    if (!course.IsDefined() || !course.IsMap()) {
      At(course.IsDefined() ? course : doc,
         "diary.yaml needs 'course' with onset_days, self_care_days, "
         "worsening and improving");
      return;
    }
    CheckKeys(course,
              {diary::kDerivationIds[0], diary::kDerivationIds[1],
               diary::kDerivationIds[2], diary::kDerivationIds[3]},
              "course");
    for (int d = 0; d < diary::kDerivationCount; ++d) {
      const char* name = diary::kDerivationIds[d];
      const std::string what = fmt::format("course {}", name);
      const YAML::Node n = course[name];
      if (!n.IsDefined() || !n.IsMap()) {
        At(n.IsDefined() ? n : course,
           fmt::format("course is missing '{}' (finding, why, sources)", name));
        continue;
      }
      CheckKeys(n, {"finding", "why", "sources"}, what);
      diary::DerivationDef& def = model->course[d];
      FindingId id = 0;
      if (const FindingDef* f = Finding(n, what, &id)) {
        const bool days =
            d == static_cast<int>(diary::Derivation::kOnsetDays) ||
            d == static_cast<int>(diary::Derivation::kSelfCareDays);
        if (days && f->type != FindingType::kInt) {
          At(n["finding"], fmt::format("{}: finding '{}' must be a whole "
                                       "number of days",
                                       what, f->key));
        } else if (!days && f->type != FindingType::kBool) {
          At(n["finding"],
             fmt::format("{}: finding '{}' must be yes/no", what, f->key));
        }
        def.finding = id;
      }
      Text(n, "why", &def.why, what);
      Sources(n, what, &def.sources);
    }
  }

  // Optional: a diary without note prompts asks nothing about notes.
  void LoadNotePrompts(const YAML::Node& doc, diary::DiaryModel* model) {
    const YAML::Node list = doc["note_prompts"];
    if (!list.IsDefined()) return;
    if (!list.IsSequence()) {
      At(list, "'note_prompts' must be a list");
      return;
    }
    std::set<std::string> seen;
    for (const auto& n : list) {
      if (!n.IsMap()) {
        At(n,
           "a note prompt must be a mapping with 'id', 'words', "
           "'findings' and 'sources'");
        continue;
      }
      CheckKeys(n, {"id", "words", "findings", "sources"}, "a note prompt");
      diary::NotePrompt p;
      if (!Text(n, "id", &p.id, "a note prompt")) continue;
      const std::string what = "note prompt " + p.id;
      if (!IsId(p.id) || !seen.insert(p.id).second) {
        At(n["id"], fmt::format("{}: id must be new, lower-case letters, "
                                "digits and '_'",
                                what));
        continue;
      }
      const YAML::Node words = n["words"];
      if (!words.IsSequence() || words.size() == 0) {
        At(words.IsDefined() ? words : n,
           fmt::format("{} needs a non-empty 'words' list", what));
      } else {
        for (const auto& w : words) {
          const std::string word = w.IsScalar() ? w.Scalar() : "";
          bool lower = !word.empty();
          for (char c : word)
            if (c >= 'A' && c <= 'Z') lower = false;
          if (!lower) {
            At(w, fmt::format("{}: a word must be non-empty lower-case text",
                              what));
            continue;
          }
          p.words.push_back(word);
        }
      }
      const YAML::Node findings = n["findings"];
      if (!findings.IsSequence() || findings.size() == 0) {
        At(findings.IsDefined() ? findings : n,
           fmt::format("{} needs a non-empty 'findings' list", what));
      } else {
        for (const auto& f : findings) {
          const std::string key = f.IsScalar() ? f.Scalar() : "";
          auto it = impl_.finding_index.find(key);
          if (it == impl_.finding_index.end()) {
            At(f, fmt::format("{}: unknown finding '{}'", what, key));
          } else if (!impl_.findings[it->second].red_flag) {
            At(f, fmt::format("{}: finding '{}' is not a red flag", what, key));
          } else {
            p.findings.push_back(it->second);
          }
        }
      }
      Sources(n, what, &p.sources);
      model->note_prompts.push_back(std::move(p));
    }
  }

  const KnowledgeBase::Impl& impl_;
  std::unordered_map<std::string, uint16_t> sources_;
};

}  // namespace

namespace {

std::shared_ptr<const void> LoadDiary(const YAML::Node& doc,
                                      const ExtensionContext& ctx) {
  DiaryLinter linter(ctx.core, ctx.issues);
  return linter.Run(doc);
}

}  // namespace
}  // namespace backaid::kb

namespace backaid::diary {

// Optional so that knowledge bases without a diary (the small test
// knowledge bases, older reviewer copies) still load.
extern const kb::Extension kDiaryExtension;
const kb::Extension kDiaryExtension{kb::kFile, "the follow-up diary",
                                    /*required=*/false, &kb::LoadDiary};

const DiaryModel* DiaryModelOf(const KnowledgeBase& kb) {
  return kb::ModelOf<DiaryModel>(kb, kb::kFile);
}

}  // namespace backaid::diary
