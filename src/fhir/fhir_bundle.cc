// The triage Bundle of $triage and $extract.
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

json Ref(const std::string& full_url) { return {{"reference", full_url}}; }

std::string PlainList(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : "; ") + x;
  return s;
}

}  // namespace

json TriageBundle(const KnowledgeBase& kb, const Decoded& d, int64_t now) {
  const Case& c = d.start.initial;
  const TriageResult result = Evaluate(kb, c);
  auto plan = BuildCarePlan(kb, c, result, d.start.region);
  const std::string when = IsoUtc(now);
  json entries = json::array();
  auto add = [&](json resource) {
    const std::string url = Uuid();
    entries.push_back({{"fullUrl", url}, {"resource", std::move(resource)}});
    return url;
  };
  json qr = d.response;
  const std::string qr_url = Uuid();
  json subject;
  if (qr.contains("subject") && qr["subject"].is_object()) {
    subject = qr["subject"];
  }
  entries.push_back({{"fullUrl", qr_url}, {"resource", qr}});
  if (subject.is_null()) {
    subject = Ref(add({{"resourceType", "Patient"},
                       {"text",
                        {{"status", "generated"},
                         {"div",
                          "<div xmlns=\"http://www.w3.org/1999/xhtml\">"
                          "The person who answered (anonymous)</div>"}}}}));
  }
  json observations = json::array();
  for (FindingId f = 0; f < kb.findings().size(); ++f) {
    const FindingDef& fd = kb.findings()[f];
    const int32_t v = c.values[f];
    // Red flags, and every answered finding with a standard code
    // (knowledge/fhir.yaml: pain severity is LOINC 72514-3).
    const bool coded = !FindingCodes(kb, fd.key).empty();
    if (v == kUnknown || !(fd.red_flag || coded)) continue;
    json o = {
        {"resourceType", "Observation"},
        {"status", "final"},
        {"category",
         json::array({{{"coding", json::array({Coding(
                                      "http://terminology.hl7.org/CodeSystem/"
                                      "observation-category",
                                      "survey")})}}})},
        {"code", FindingConcept(kb, f)},
        {"subject", subject},
        {"effectiveDateTime", when},
        {"derivedFrom", json::array({Ref(qr_url)})}};
    switch (fd.type) {
      case FindingType::kBool:
        o["valueBoolean"] = v != 0;
        break;
      case FindingType::kEnum:
        o["valueCodeableConcept"] = {
            {"coding", json::array({Coding(FindingSystem(),
                                           fd.key + "=" + fd.values[v])})},
            {"text", fd.values[v]}};
        break;
      default:
        if (fd.scale == 1) {
          o["valueInteger"] = v;
        } else {
          o["valueQuantity"] = {{"value", static_cast<double>(v) / fd.scale}};
        }
    }
    observations.push_back(Ref(add(std::move(o))));
  }
  // RiskAssessment.
  json method_codings = json::array();
  json notes = json::array();
  for (uint16_t r : result.fired) {
    const RuleDef& rd = kb.rules()[r];
    method_codings.push_back(Coding(RuleSystem(), rd.id));
    std::vector<std::string> cites;
    for (uint16_t s : rd.sources) cites.push_back(kb.sources()[s].cite);
    notes.push_back({{"text", rd.reason + " (rule " + rd.id +
                                  "; sources: " + PlainList(cites) + ")"}});
  }
  static const char* kRisk[] = {"negligible", "low", "moderate", "high"};
  const int li = static_cast<int>(result.level);
  const char* risk = li >= 0 && li < 4 ? kRisk[li] : "high";
  json risk_concept = {
      {"coding", json::array({Coding("http://terminology.hl7.org/CodeSystem/"
                                     "risk-probability",
                                     risk)})}};
  json predictions = json::array();
  predictions.push_back({{"outcome", LevelConcept(kb, result.level)},
                         {"qualitativeRisk", risk_concept}});
  for (size_t i = 0; i < kb.conditions().size(); ++i) {
    if (!((result.conditions >> i) & 1u)) continue;
    const ConditionDef& cd = kb.conditions()[i];
    predictions.push_back(
        {{"outcome",
          {{"coding", json::array({Coding(ConditionSystem(), cd.id, cd.name)})},
           {"text", cd.name}}},
         {"qualitativeRisk", risk_concept},
         {"rationale", "to check: " + cd.description}});
  }
  for (const Undetermined& u : CouldNotRuleOut(kb, c, result)) {
    const RuleDef& rd = kb.rules()[u.rule];
    std::vector<std::string> missing;
    for (FindingId f : u.missing) missing.push_back(kb.findings()[f].key);
    notes.push_back({{"text", "Could not rule out (" + rd.id + ", " +
                                  std::string(LevelName(rd.level)) +
                                  "): not answered: " + PlainList(missing)}});
  }
  notes.push_back({{"text", "Not a diagnosis."}});
  json ra = {{"resourceType", "RiskAssessment"},
             {"status", "final"},
             {"code",
              {{"coding", json::array({Coding(LevelSystem(), "triage")})},
               {"text", "backaid back pain triage"}}},
             {"subject", subject},
             {"occurrenceDateTime", when},
             {"method",
              {{"coding", method_codings},
               {"text", "backaid rules, knowledge base " + kb.version()}}},
             {"basis", json::array({Ref(qr_url)})},
             {"prediction", predictions},
             {"note", notes}};
  if (!observations.empty()) {
    for (const json& o : observations) ra["basis"].push_back(o);
  }
  const std::string ra_url = add(std::move(ra));
  // CarePlan.
  if (plan.ok()) {
    json activities = json::array();
    for (const PlanActivity& a : plan->activities) {
      json repeat = {{"duration", a.duration_minutes}, {"durationUnit", "min"}};
      if (a.every_minutes > 0) {
        repeat["frequency"] = 1;
        repeat["period"] = a.every_minutes;
        repeat["periodUnit"] = "min";
      }
      if (a.until_minute > 0) {
        repeat["boundsDuration"] = {{"value", a.until_minute},
                                    {"unit", "min"},
                                    {"system", "http://unitsofmeasure.org"},
                                    {"code", "min"}};
      }
      activities.push_back({{"detail",
                             {{"code", {{"text", a.title}}},
                              {"status", "not-started"},
                              {"scheduledTiming", {{"repeat", repeat}}},
                              {"description", a.description}}}});
    }
    for (const PlanItem& it : plan->items) {
      std::string text = it.text;
      for (size_t i = 0; i < it.steps.size(); ++i)
        text += fmt::format(" {}. {}", i + 1, it.steps[i]);
      if (!it.sources.empty())
        text += " (sources: " + PlainList(it.sources) + ")";
      activities.push_back({{"detail",
                             {{"code", {{"text", it.id}}},
                              {"status", "not-started"},
                              {"description", it.title + ": " + text}}}});
    }
    add({{"resourceType", "CarePlan"},
         {"status", "active"},
         {"intent", "plan"},
         {"title",
          "backaid plan (" + std::string(LevelName(result.level)) + ")"},
         {"description", kb.level(result.level).meaning},
         {"subject", subject},
         {"created", when},
         {"supportingInfo", json::array({Ref(ra_url)})},
         {"activity", activities}});
  }
  if (result.level == TriageLevel::kEmergency) {
    const std::string number = EmergencyNumber(kb, d.start.region);
    std::vector<std::string> reasons;
    for (uint16_t r : result.fired)
      if (kb.rules()[r].level == TriageLevel::kEmergency)
        reasons.push_back(kb.rules()[r].reason);
    const std::string di_url = add({{"resourceType", "DetectedIssue"},
                                    {"status", "final"},
                                    {"code", LevelConcept(kb, result.level)},
                                    {"severity", "high"},
                                    {"patient", subject},
                                    {"identifiedDateTime", when},
                                    {"implicated", json::array({Ref(ra_url)})},
                                    {"detail", PlainList(reasons)}});
    add({{"resourceType", "Communication"},
         {"status", "completed"},
         {"priority", "stat"},
         {"subject", subject},
         {"sent", when},
         {"about", json::array({Ref(di_url)})},
         {"payload", json::array({{{"contentString",
                                    "Emergency: call " + number + " now. " +
                                        kb.level(result.level).meaning}}})}});
  }
  return {{"resourceType", "Bundle"},
          {"type", "collection"},
          {"timestamp", when},
          {"entry", entries}};
}

}  // namespace backaid::fhir::internal
