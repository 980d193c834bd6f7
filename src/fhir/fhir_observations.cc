// Observations from the EHR as findings (see fhir.h: MergeObservations).
#include <cmath>
#include <set>

#include "src/fhir/fhir.h"
#include "src/fhir/fhir_codes.h"
#include "src/fhir/fhir_internal.h"

namespace backaid::fhir {
namespace {

using internal::json;

bool Numeric(const FindingDef& d) {
  return d.type == FindingType::kInt || d.type == FindingType::kNumber;
}

bool HasCode(const json& concept_json, const std::vector<StandardCode>& codes) {
  if (!concept_json.is_object() || !concept_json.contains("coding") ||
      !concept_json["coding"].is_array())
    return false;
  for (const json& c : concept_json["coding"]) {
    if (!c.is_object()) continue;
    for (const StandardCode& sc : codes) {
      if (StringMember(c, "system") == sc.system &&
          StringMember(c, "code") == sc.code)
        return true;
    }
  }
  return false;
}

std::optional<double> QuantityValue(const json& holder) {
  if (!holder.is_object() || !holder.contains("valueQuantity")) return {};
  const json& q = holder["valueQuantity"];
  if (!q.is_object() || !q.contains("value") || !q["value"].is_number())
    return {};
  const double v = q["value"].get<double>();
  return std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
}

// The value an Observation gives for `codes`: its own valueQuantity when
// its code matches, else a matching component's (a blood pressure panel
// carries the systolic pressure as a component).
std::optional<double> ValueFor(const json& obs,
                               const std::vector<StandardCode>& codes) {
  if (HasCode(obs.value("code", json()), codes)) return QuantityValue(obs);
  if (obs.contains("component") && obs["component"].is_array()) {
    for (const json& comp : obs["component"]) {
      if (comp.is_object() && HasCode(comp.value("code", json()), codes))
        return QuantityValue(comp);
    }
  }
  return {};
}

}  // namespace

std::vector<FindingId> MergeObservations(const KnowledgeBase& kb,
                                         std::string_view observations_json,
                                         Case* c) {
  std::vector<FindingId> set;
  const json in = json::parse(observations_json, nullptr, false);
  std::vector<const json*> observations;
  if (in.is_object() && StringMember(in, "resourceType") == "Observation") {
    observations.push_back(&in);
  } else if (in.is_object() && StringMember(in, "resourceType") == "Bundle" &&
             in.contains("entry") && in["entry"].is_array()) {
    for (const json& e : in["entry"]) {
      if (e.is_object() && e.contains("resource") &&
          e["resource"].is_object() &&
          StringMember(e["resource"], "resourceType") == "Observation")
        observations.push_back(&e["resource"]);
    }
  }
  static const std::set<std::string> kUsable = {"final", "amended",
                                                "corrected"};
  for (size_t f = 0; f < kb.findings().size(); ++f) {
    const FindingDef& d = kb.findings()[f];
    const auto id = static_cast<FindingId>(f);
    if (!Numeric(d) || c->values[f] != kUnknown) continue;
    const auto& codes = FindingCodes(kb, d.key);
    if (codes.empty()) continue;
    for (const json* obs : observations) {
      if (!kUsable.count(StringMember(*obs, "status"))) continue;
      auto v = ValueFor(*obs, codes);
      if (!v) continue;
      const double scaled = std::round(*v * d.scale);
      if (scaled < d.min || scaled > d.max) continue;
      kb.SetFinding(id, static_cast<int32_t>(scaled), c);
      set.push_back(id);
      break;  // the first usable one: the search sorts newest first
    }
  }
  return set;
}

std::string ObservationsPrefetch(const KnowledgeBase& kb) {
  std::string codes;
  for (const FindingDef& d : kb.findings()) {
    if (!Numeric(d)) continue;
    for (const StandardCode& sc : FindingCodes(kb, d.key))
      codes += (codes.empty() ? "" : ",") + sc.system + "|" + sc.code;
  }
  return "Observation?subject={{context.patientId}}&code=" + codes +
         "&_sort=-date";
}

}  // namespace backaid::fhir
