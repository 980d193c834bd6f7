// The diary's part of the vocabulary (include/backaid/vocabulary.h): what a
// diary entry takes (activities, red-flag options, note prompts), and the
// composition of the whole vocabulary object. It lives here, above the
// assessment in the module order, so that the assessment includes nothing
// of the diary (tests/layering_test.py).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "backaid/assess.h"
#include "backaid/case_json.h"
#include "backaid/report.h"
#include "backaid/vocabulary.h"
#include "src/assess/questionnaire_model.h"
#include "src/assess/vocabulary_members.h"
#include "src/diary/diary_model.h"

namespace backaid {
namespace diary {
namespace {

// Every answer option of the assessment that reports a warning sign: it sets
// a finding marked `red_flag` in findings.yaml to a value other than its
// normal one. Derived from the knowledge base (never a copy), so the diary
// offers each red flag the questions can record, in asking order, grouped by
// section ("group"), each set of findings once (a closer-look question that
// repeats a sign in other words is not offered twice). A single-choice "yes"
// is named by its finding's meaning, since its label ("Yes") says nothing
// alone.
void AppendRedFlagOptions(const KnowledgeBase& kb, std::string_view region,
                          std::string* out) {
  out->push_back('[');
  bool first = true;
  const auto& model = assess::QuestionnaireOf(kb);
  std::vector<std::vector<std::pair<FindingId, int32_t>>> offered;
  if (model) {
    for (const assess::QuestionDef& q : model->questions) {
      if (q.view.kind == QuestionKind::kNumber) continue;
      for (size_t i = 0; i < q.view.options.size(); ++i) {
        const QuestionOption& option = q.view.options[i];
        if (option.role != OptionRole::kAnswer || q.options[i].sets.empty())
          continue;
        Case sets = kb.NewCase();
        for (const auto& [finding, value] : q.options[i].sets)
          kb.SetFinding(finding, value, &sets);
        std::vector<std::pair<FindingId, int32_t>> key;
        const FindingDef* flag = nullptr;
        for (size_t f = 0; f < sets.values.size(); ++f) {
          if (sets.values[f] == kUnknown) continue;
          key.emplace_back(static_cast<FindingId>(f), sets.values[f]);
          const FindingDef& def = kb.findings()[f];
          if (def.red_flag && (!def.normal || *def.normal != sets.values[f]) &&
              flag == nullptr)
            flag = &def;
        }
        if (flag == nullptr ||
            std::find(offered.begin(), offered.end(), key) != offered.end())
          continue;
        offered.push_back(key);
        // The sexes whose answer already rules out every warning sign of
        // this option (questions.yaml: "Male" sets vaginal_bleeding: false):
        // the diary does not offer it to them. Unknown sex keeps it.
        std::vector<std::string> not_for_sex;
        const std::optional<FindingId> sex = kb.FindFinding("sex");
        for (const assess::QuestionDef& sq : model->questions) {
          for (const assess::OptionDef& so : sq.options) {
            std::optional<int32_t> sex_value;
            for (const auto& [finding, value] : so.sets)
              if (sex && finding == *sex) sex_value = value;
            if (!sex_value) continue;
            bool rules_out = true;
            for (const auto& [finding, value] : key) {
              if (!kb.IsAbnormal(finding, value)) continue;
              bool normal_here = false;
              for (const auto& [f2, v2] : so.sets)
                if (f2 == finding && !kb.IsAbnormal(f2, v2)) normal_here = true;
              rules_out = rules_out && normal_here;
            }
            const FindingDef& sex_def = kb.findings()[*sex];
            if (rules_out && *sex_value >= 0 &&
                static_cast<size_t>(*sex_value) < sex_def.values.size())
              not_for_sex.push_back(
                  sex_def.values[static_cast<size_t>(*sex_value)]);
          }
        }
        std::string label = option.label;
        if (q.view.kind == QuestionKind::kSingle && option.id == "yes") {
          label = flag->meaning;
          if (!label.empty())
            label[0] = static_cast<char>(
                std::toupper(static_cast<unsigned char>(label[0])));
        }
        if (!first) out->push_back(',');
        first = false;
        *out += "{\"id\":";
        AppendJsonString(q.view.id + "." + option.id, out);
        *out += ",\"label\":";
        AppendJsonString(RegionTextKeepingNumber(kb, region, label), out);
        *out += ",\"group\":";
        AppendJsonString(
            RegionTextKeepingNumber(kb, region, q.view.section_title), out);
        *out += ",\"sets\":";
        AppendFindingsJson(kb, sets, out);
        // The question's help, for a label that refers to it.
        *out += ",\"help\":";
        AppendJsonString(RegionTextKeepingNumber(kb, region, q.view.help),
                         out);
        *out += ",\"not_for_sex\":[";
        for (size_t i = 0; i < not_for_sex.size(); ++i) {
          if (i) out->push_back(',');
          AppendJsonString(not_for_sex[i], out);
        }
        *out += "]}";
      }
    }
  }
  out->push_back(']');
}

}  // namespace

// "diary":{..} of the vocabulary, or null without diary.yaml.
void AppendDiaryVocabulary(const KnowledgeBase& kb, std::string* out,
                           std::string_view region) {
  const DiaryModel* diary = DiaryModelOf(kb);
  if (diary == nullptr) {
    *out += "null";
    return;
  }
  *out += "{\"activities\":[";
  for (size_t i = 0; i < diary->activities.size(); ++i) {
    if (i) out->push_back(',');
    *out += "{\"id\":";
    AppendJsonString(diary->activities[i].id, out);
    *out += ",\"label\":";
    AppendJsonString(
        RegionTextKeepingNumber(kb, region, diary->activities[i].label), out);
    out->push_back('}');
  }
  *out += fmt::format("],\"meaningful_change\":{},\"red_flag_options\":",
                      diary->meaningful_change);
  AppendRedFlagOptions(kb, region, out);
  *out += ",\"note_prompts\":[";
  for (size_t i = 0; i < diary->note_prompts.size(); ++i) {
    const NotePrompt& p = diary->note_prompts[i];
    if (i) out->push_back(',');
    *out += "{\"id\":";
    AppendJsonString(p.id, out);
    *out += ",\"words\":[";
    for (size_t w = 0; w < p.words.size(); ++w) {
      if (w) out->push_back(',');
      AppendJsonString(p.words[w], out);
    }
    *out += "],\"findings\":[";
    for (size_t f = 0; f < p.findings.size(); ++f) {
      if (f) out->push_back(',');
      AppendJsonString(kb.findings()[p.findings[f]].key, out);
    }
    out->push_back(']');
    out->push_back('}');
  }
  *out += "]}";
}

}  // namespace diary

void AppendVocabularyJson(const KnowledgeBase& kb, std::string* out,
                          std::string_view region) {
  out->push_back('{');
  assess::AppendVocabularyMembers(kb, out, region);
  *out += ",\"diary\":";
  diary::AppendDiaryVocabulary(kb, out, region);
  out->push_back('}');
}

}  // namespace backaid
