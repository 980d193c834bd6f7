// The questionnaire as JSON for stateless fronts (the HTTP API and the web
// page): the questions as a front shows them, without ask_when (the server
// decides what comes next, see ResumeAssessment).
#include <fmt/format.h>

#include <cmath>
#include <string>
#include <unordered_set>

#include "backaid/assess.h"
#include "backaid/case_json.h"
#include "backaid/report.h"
#include "src/assess/questionnaire_model.h"
#include "src/knowledge/program.h"

namespace backaid {
namespace {

std::string_view RoleName(OptionRole r) {
  switch (r) {
    case OptionRole::kAnswer:
      return "answer";
    case OptionRole::kNone:
      return "none";
    case OptionRole::kUnsure:
      return "unsure";
  }
  return "answer";
}

// Numbers as JSON: whole numbers without a decimal point.
void AppendNumber(double v, std::string* out) {
  if (std::fabs(v) < 1e15 && v == std::floor(v)) {
    *out += fmt::format("{}", static_cast<long long>(v));
  } else {
    *out += fmt::format("{}", v);
  }
}

}  // namespace

void AppendQuestionJson(const Question& q, std::string* out) {
  *out += "{\"id\":";
  AppendJsonString(q.id, out);
  *out += ",\"section\":";
  AppendJsonString(q.section, out);
  *out += ",\"section_title\":";
  AppendJsonString(q.section_title, out);
  *out += ",\"text\":";
  AppendJsonString(q.text, out);
  *out += ",\"help\":";
  AppendJsonString(q.help, out);
  *out += ",\"kind\":";
  AppendJsonString(QuestionKindName(q.kind), out);
  *out += ",\"options\":[";
  for (size_t i = 0; i < q.options.size(); ++i) {
    if (i) out->push_back(',');
    *out += "{\"id\":";
    AppendJsonString(q.options[i].id, out);
    *out += ",\"label\":";
    AppendJsonString(q.options[i].label, out);
    *out += ",\"role\":";
    AppendJsonString(RoleName(q.options[i].role), out);
    out->push_back('}');
  }
  out->push_back(']');
  if (q.kind == QuestionKind::kNumber) {
    *out += ",\"min\":";
    AppendNumber(q.min, out);
    *out += ",\"max\":";
    AppendNumber(q.max, out);
    *out += ",\"unit\":";
    AppendJsonString(q.unit, out);
  } else {
    *out += ",\"min\":null,\"max\":null,\"unit\":null";
  }
  *out += ",\"screen\":";
  AppendJsonString(q.screen, out);
  out->push_back('}');
}

void AppendQuestionnaireJson(const KnowledgeBase& kb, std::string* out,
                             std::string_view region) {
  *out += "{\"kb_version\":";
  AppendJsonString(kb.version(), out);
  *out += ",\"sections\":[";
  const auto& model = assess::QuestionnaireOf(kb);
  if (model) {
    std::unordered_set<std::string> seen;
    bool first = true;
    for (const auto& def : model->questions) {
      if (!seen.insert(def.view.section).second) continue;
      if (!first) out->push_back(',');
      first = false;
      *out += "{\"id\":";
      AppendJsonString(def.view.section, out);
      *out += ",\"title\":";
      AppendJsonString(RegionText(kb, region, def.view.section_title), out);
      out->push_back('}');
    }
  }
  *out += "],\"questions\":[";
  if (model) {
    for (size_t i = 0; i < model->questions.size(); ++i) {
      if (i) out->push_back(',');
      AppendQuestionJson(QuestionInRegion(kb, region, model->questions[i].view),
                         out);
    }
  }
  *out += "]}";
}

}  // namespace backaid
