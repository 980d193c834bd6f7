// The Questionnaire generated from questions.yaml, and the
// CapabilityStatement.
#include <fmt/format.h>
#include <sodium.h>

#include <chrono>
#include <cmath>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "backaid/assess.h"
#include "backaid/case.h"
#include "backaid/diary.h"
#include "backaid/engine.h"
#include "backaid/plan.h"
#include "backaid/report.h"
#include "src/assess/questionnaire_model.h"
#include "src/fhir/fhir_codes.h"
#include "src/fhir/fhir_internal.h"
#include "src/knowledge/program.h"

namespace backaid::fhir::internal {

namespace {

// ---- the Questionnaire ------------------------------------------------------

json ItemControl(std::string_view code) {
  return {{"url", std::string(kExt) + "questionnaire-itemControl"},
          {"valueCodeableConcept",
           {{"coding",
             json::array({Coding(
                 "http://hl7.org/fhir/questionnaire-item-control", code)})}}}};
}

// One atom's "not definitely false" as enableWhen entries (any of them), or
// nullopt when FHIR cannot say it exactly. The atom's finding must be set by
// exactly one earlier question.
std::optional<json> AtomEnableWhen(const KnowledgeBase& kb,
                                   const assess::Questionnaire& qn, int upto,
                                   const kb::Atom& a) {
  if (a.op == kb::AtomOp::kIsUnknown || a.op == kb::AtomOp::kIsKnown) {
    return std::nullopt;
  }
  const assess::QuestionDef* setter = nullptr;
  for (int i = 0; i < upto; ++i) {
    const auto& qd = qn.questions[i];
    bool sets =
        qd.view.kind == QuestionKind::kNumber && qd.finding == a.finding;
    for (const auto& od : qd.options)
      for (const auto& s : od.sets) sets = sets || s.first == a.finding;
    for (const auto& s : qd.normals) sets = sets || s.first == a.finding;
    if (!sets) continue;
    if (setter != nullptr) return std::nullopt;
    setter = &qd;
  }
  if (setter == nullptr) return std::nullopt;
  const std::string& qid = setter->view.id;
  json out = json::array();
  // Not answered: the finding stays unknown, the question is asked.
  out.push_back(
      {{"question", qid}, {"operator", "exists"}, {"answerBoolean", false}});
  if (setter->view.kind == QuestionKind::kNumber) {
    const char* op = nullptr;
    switch (a.op) {
      case kb::AtomOp::kEq:
        op = "=";
        break;
      case kb::AtomOp::kNe:
        op = "!=";
        break;
      case kb::AtomOp::kLt:
        op = "<";
        break;
      case kb::AtomOp::kLe:
        op = "<=";
        break;
      case kb::AtomOp::kGt:
        op = ">";
        break;
      case kb::AtomOp::kGe:
        op = ">=";
        break;
      default:
        return std::nullopt;
    }
    json e = {{"question", qid}, {"operator", op}};
    if (setter->scale == 1) {
      e["answerInteger"] = a.operand;
    } else {
      e["answerDecimal"] = static_cast<double>(a.operand) / setter->scale;
    }
    out.push_back(e);
    return out;
  }
  const bool checklist = setter->view.kind == QuestionKind::kChecklist;
  std::optional<int32_t> normal;
  for (const auto& s : setter->normals)
    if (s.first == a.finding) normal = s.second;
  if (checklist && normal.has_value() && TestAtom(a, *normal)) {
    return std::nullopt;  // every answer without this option would match
  }
  for (size_t i = 0; i < setter->options.size(); ++i) {
    const QuestionOption& o = setter->view.options[i];
    std::optional<int32_t> value;
    for (const auto& s : setter->options[i].sets)
      if (s.first == a.finding) value = s.second;
    if (o.role == OptionRole::kNone && !value.has_value()) value = normal;
    bool enabled;
    if (o.role == OptionRole::kUnsure) {
      enabled = true;  // leaves the finding unknown
    } else if (value.has_value()) {
      enabled = TestAtom(a, *value);
      // A ticked box that makes the atom false would not be overridden by
      // a "not sure" ticked beside it: FHIR's "any" cannot say that.
      if (checklist && !enabled && o.role == OptionRole::kAnswer) {
        return std::nullopt;
      }
    } else {
      // A single choice that does not set the finding leaves it unknown;
      // a checklist box that does not set it gives the normal value.
      enabled = !checklist;
    }
    if (enabled) {
      out.push_back({{"question", qid},
                     {"operator", "="},
                     {"answerCoding", Coding(OptionSystem(), o.id)}});
    }
  }
  return out;
}

// enableWhen (behavior "any") equal to "ask_when is not definitely false",
// for an ask_when that is one atom or an `or` of atoms whose findings FHIR
// answers can decide; otherwise empty (the item is always enabled and the
// server decides, see $triage).
json EnableWhenFor(const KnowledgeBase& kb, const assess::Questionnaire& qn,
                   const assess::QuestionDef& qd) {
  if (!qd.has_ask_when) return json::array();
  const int upto = qn.index.at(qd.view.id);
  std::vector<const kb::Atom*> atoms;
  const kb::Expr& e = qd.ask_when;
  if (e.kind == kb::Expr::Kind::kAtom) {
    atoms.push_back(&e.atom);
  } else if (e.kind == kb::Expr::Kind::kOr) {
    for (const kb::Expr& c : e.children) {
      if (c.kind != kb::Expr::Kind::kAtom) return json::array();
      atoms.push_back(&c.atom);
    }
  } else {
    return json::array();
  }
  json out = json::array();
  std::set<std::string> seen;
  for (const kb::Atom* a : atoms) {
    auto part = AtomEnableWhen(kb, qn, upto, *a);
    if (!part.has_value()) return json::array();
    for (json& w : *part) {
      if (seen.insert(Dump(w)).second) out.push_back(std::move(w));
    }
  }
  return out;
}

}  // namespace

json QuestionItem(const KnowledgeBase& kb, const assess::Questionnaire& qn,
                  const assess::QuestionDef& qd) {
  // In the knowledge base's default region's words (RegionText): the
  // Questionnaire is one resource for every region.
  const Question q = QuestionInRegion(kb, "", qd.view);
  json item = {{"linkId", q.id}, {"text", q.text}};
  json codes = json::array();
  if (qd.view.kind == QuestionKind::kNumber) {
    const FindingDef& f = kb.findings()[qd.finding];
    const bool integer = qd.scale == 1;
    item["type"] = integer ? "integer" : "decimal";
    json ext = json::array();
    if (integer) {
      ext.push_back({{"url", std::string(kExt) + "minValue"},
                     {"valueInteger", static_cast<int>(q.min)}});
      ext.push_back({{"url", std::string(kExt) + "maxValue"},
                     {"valueInteger", static_cast<int>(q.max)}});
    } else {
      ext.push_back(
          {{"url", std::string(kExt) + "minValue"}, {"valueDecimal", q.min}});
      ext.push_back(
          {{"url", std::string(kExt) + "maxValue"}, {"valueDecimal", q.max}});
    }
    if (!q.unit.empty()) {
      ext.push_back({{"url", std::string(kExt) + "questionnaire-unit"},
                     {"valueCoding", {{"display", q.unit}}}});
    }
    item["extension"] = ext;
    codes = FindingConcept(kb, qd.finding)["coding"];
    (void)f;
  } else {
    item["type"] = "choice";
    if (q.kind == QuestionKind::kChecklist) {
      item["repeats"] = true;
      item["extension"] = json::array({ItemControl("check-box")});
    } else {
      item["extension"] = json::array({ItemControl("radio-button")});
    }
    json options = json::array();
    for (const QuestionOption& o : q.options) {
      options.push_back(
          {{"valueCoding", Coding(OptionSystem(), o.id, o.label)}});
    }
    item["answerOption"] = options;
    // Codes of the findings this question asks about (one per finding).
    std::set<FindingId> seen;
    for (const auto& od : qd.options) {
      for (const auto& [f, v] : od.sets) {
        if (seen.insert(f).second) {
          for (const StandardCode& sc : FindingCodes(kb, kb.findings()[f].key))
            codes.push_back(Coding(sc.system, sc.code, sc.display));
        }
      }
    }
  }
  if (!codes.empty()) {
    json only_standard = json::array();
    for (const json& c : codes) {
      if (c["system"] != FindingSystem()) only_standard.push_back(c);
    }
    if (!only_standard.empty()) item["code"] = only_standard;
  }
  json enable = EnableWhenFor(kb, qn, qd);
  if (!enable.empty()) {
    item["enableWhen"] = enable;
    if (enable.size() > 1) item["enableBehavior"] = "any";
  }
  if (!q.help.empty()) {
    item["item"] =
        json::array({{{"linkId", q.id + ".help"},
                      {"type", "display"},
                      {"text", q.help},
                      {"extension", json::array({ItemControl("help")})}}});
  }
  return item;
}

}  // namespace backaid::fhir::internal

namespace backaid::fhir {

using namespace internal;  // NOLINT: this module's own internals

std::string QuestionnaireJson(const KnowledgeBase& kb) {
  json qn = {{"resourceType", "Questionnaire"},
             {"id", kQuestionnaireId},
             {"meta",
              {{"profile",
                json::array({"http://hl7.org/fhir/uv/sdc/StructureDefinition/"
                             "sdc-questionnaire-render"})}}},
             {"url", QuestionnaireUrl()},
             {"version", kb.version()},
             {"name", "BackaidAssessment"},
             {"title", "Back spasm assessment (backaid)"},
             {"status", "active"},
             {"subjectType", json::array({"Patient"})},
             {"description",
              "Generated from the backaid knowledge base (questions.yaml). "
              "Not a diagnosis. Unanswered questions are treated as "
              "'not sure' (not assessed), never as 'no'."}};
  json items = json::array();
  const auto* model = assess::QuestionnaireOf(kb);
  if (model != nullptr) {
    std::string section;
    std::map<std::string, int> groups;  // a section may come back later
    json* group = nullptr;
    for (const auto& qd : model->questions) {
      if (group == nullptr || qd.view.section != section) {
        section = qd.view.section;
        const int n = ++groups[section];
        items.push_back({{"linkId", "section." + section +
                                        (n > 1 ? fmt::format(".{}", n) : "")},
                         {"text", RegionText(kb, "", qd.view.section_title)},
                         {"type", "group"},
                         {"item", json::array()}});
        group = &items.back();
      }
      (*group)["item"].push_back(QuestionItem(kb, *model, qd));
    }
  }
  qn["item"] = items;
  return Dump(qn);
}

std::string TriageOperationJson(const KnowledgeBase& kb) {
  json op = {
      {"resourceType", "OperationDefinition"},
      {"id", "backaid-triage"},
      {"url", Canon("OperationDefinition/backaid-triage")},
      {"version", kb.version()},
      {"name", "BackaidTriage"},
      {"title", "backaid triage of a completed assessment"},
      {"status", "active"},
      {"kind", "operation"},
      {"date", "2026-12-06"},
      {"publisher", "backaid"},
      {"description",
       "Triages a QuestionnaireResponse to the backaid-assessment "
       "Questionnaire as POST /v1/assessments does with the same answers, "
       "and returns a collection Bundle: the response, a RiskAssessment "
       "(level, conditions to check, reasons with their sources, what "
       "unanswered questions leave open), a CarePlan, Observations for the "
       "coded answers, and for an emergency a DetectedIssue and a "
       "Communication. A question the response leaves without an answer "
       "counts as 'not sure', never as 'no'. Information and triage, not a "
       "diagnosis."},
      {"affectsState", false},
      {"code", "triage"},
      {"system", true},
      {"type", false},
      {"instance", false},
      {"inputProfile", "http://hl7.org/fhir/StructureDefinition/Parameters"},
      {"parameter",
       json::array(
           {{{"name", "response"},
             {"use", "in"},
             {"min", 1},
             {"max", "1"},
             {"documentation",
              "The completed assessment: a QuestionnaireResponse to " +
                  QuestionnaireUrl() +
                  " (any version of this server's "
                  "knowledge base: " +
                  kb.version() + ")."},
             {"type", "QuestionnaireResponse"}},
            {{"name", "return"},
             {"use", "out"},
             {"min", 1},
             {"max", "1"},
             {"documentation",
              "A collection Bundle (see description); errors are an "
              "OperationOutcome: 400 unreadable, 422 not valid against the "
              "Questionnaire."},
             {"type", "Bundle"}}})}};
  return Dump(op);
}

std::string CapabilityStatementJson(const KnowledgeBase& kb) {
  json ops = json::array(
      {{{"name", "triage"},
        {"definition", Canon("OperationDefinition/backaid-triage")}},
       {{"name", "extract"},
        {"definition",
         "http://hl7.org/fhir/uv/sdc/OperationDefinition/"
         "QuestionnaireResponse-extract"}},
       {{"name", "next-question"},
        {"definition",
         "http://hl7.org/fhir/uv/sdc/OperationDefinition/"
         "Questionnaire-next-question"}}});
  json cs = {
      {"resourceType", "CapabilityStatement"},
      {"status", "active"},
      {"date", "2026-12-06"},
      {"kind", "instance"},
      {"software", {{"name", "backaid"}, {"version", kb.version()}}},
      {"implementation",
       {{"description",
         "backaid: back spasm triage and self-care plan "
         "(not a diagnosis)"}}},
      {"fhirVersion", "4.0.1"},
      {"format", json::array({"application/fhir+json", "json"})},
      {"rest",
       json::array(
           {{{"mode", "server"},
             {"resource",
              json::array({{{"type", "Questionnaire"},
                            {"interaction",
                             json::array({{{"code", "read"}},
                                          {{"code", "search-type"}}})},
                            {"searchParam",
                             json::array({{{"name", "url"}, {"type", "uri"}}})},
                            {"operation", json::array({ops[2]})}},
                           {{"type", "QuestionnaireResponse"},
                            {"operation", json::array({ops[1]})}}})},
             {"operation", json::array({ops[0]})}}})}};
  return Dump(cs);
}

}  // namespace backaid::fhir
