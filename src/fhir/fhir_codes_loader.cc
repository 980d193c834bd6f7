// Loads and lints knowledge/fhir.yaml (see fhir_codes.h).
#include <yaml-cpp/yaml.h>

#include <map>
#include <memory>

#include "src/fhir/fhir_codes.h"
#include "src/knowledge/extension.h"
#include "src/knowledge/program.h"
#include "src/knowledge/yaml_lint.h"

namespace backaid::fhir {

bool ValidLoinc(std::string_view code) {
  const size_t dash = code.find('-');
  if (dash == code.npos || dash == 0 || dash > 7 || dash + 2 != code.size())
    return false;
  int sum = 0;
  bool twice = true;  // the rightmost digit of the number part is doubled
  for (size_t i = dash; i-- > 0;) {
    const char c = code[i];
    if (c < '0' || c > '9') return false;
    int v = c - '0';
    if (twice) v = v * 2 > 9 ? v * 2 - 9 : v * 2;
    sum += v;
    twice = !twice;
  }
  const char check = code.back();
  return check >= '0' && check <= '9' && (10 - sum % 10) % 10 == check - '0';
}

bool ValidSnomedConcept(std::string_view code) {
  static constexpr int d[10][10] = {
      {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5},
      {2, 3, 4, 0, 1, 7, 8, 9, 5, 6}, {3, 4, 0, 1, 2, 8, 9, 5, 6, 7},
      {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
      {6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3},
      {8, 7, 6, 5, 9, 3, 2, 1, 0, 4}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}};
  static constexpr int p[8][10] = {
      {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4},
      {5, 8, 0, 3, 7, 9, 6, 1, 4, 2}, {8, 9, 1, 6, 0, 4, 3, 5, 2, 7},
      {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
      {2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8}};
  if (code.size() < 6 || code.size() > 18 || code[0] == '0') return false;
  int c = 0;
  for (size_t i = 0; i < code.size(); ++i) {
    const char ch = code[code.size() - 1 - i];
    if (ch < '0' || ch > '9') return false;
    c = d[c][p[i % 8][ch - '0']];
  }
  // Partition identifier (the two digits before the check digit): 00 is a
  // concept id in the international release.
  return c == 0 && code[code.size() - 3] == '0' && code[code.size() - 2] == '0';
}

const std::vector<StandardCode>& FindingCodes(const KnowledgeBase& kb,
                                              std::string_view key) {
  static const std::vector<StandardCode> kNone;
  const auto* map = kb::ModelOf<CodeMap>(kb, "fhir.yaml");
  if (map == nullptr) return kNone;
  auto it = map->findings.find(std::string(key));
  return it == map->findings.end() ? kNone : it->second;
}

}  // namespace backaid::fhir

namespace backaid::kb {

namespace {

constexpr char kFile[] = "fhir.yaml";

std::shared_ptr<const void> LoadFhirCodes(const YAML::Node& doc,
                                          const ExtensionContext& ctx) {
  const KnowledgeBase::Impl* impl = &ctx.core;
  std::vector<LintIssue>* issues = ctx.issues;
  auto issue = [&](const YAML::Node& n, std::string msg) {
    const YAML::Mark m = n.Mark();
    issues->push_back(
        LintIssue{SourceLocation{kFile, m.line + 1, m.column + 1}, msg});
  };
  if (!doc.IsMap()) {
    issue(doc, "the file must be a map with 'systems' and 'findings'");
    return nullptr;
  }
  auto out = std::make_shared<fhir::CodeMap>();
  std::map<std::string, std::string> systems;
  const YAML::Node sys = doc["systems"];
  if (!sys || !sys.IsMap()) {
    issue(doc, "systems: a map of short name to URI is required");
    return nullptr;
  }
  for (const auto& kv : sys) {
    systems[kv.first.as<std::string>()] = kv.second.as<std::string>();
  }
  std::unordered_map<std::string, bool> known;
  for (const FindingDef& f : impl->findings) known[f.key] = true;
  for (const auto& kv : doc) {
    const std::string k = kv.first.as<std::string>();
    if (k != "systems" && k != "findings") {
      issue(kv.first, "unknown key '" + k + "'");
    }
  }
  const YAML::Node findings = doc["findings"];
  if (findings && !findings.IsMap()) issue(findings, "findings: a map");
  if (findings && findings.IsMap()) {
    for (const auto& kv : findings) {
      const std::string key = kv.first.as<std::string>();
      if (!known.count(key)) {
        issue(kv.first, "unknown finding '" + key + "'");
        continue;
      }
      if (!kv.second.IsSequence() || kv.second.size() == 0) {
        issue(kv.second, key + ": a non-empty list of codes");
        continue;
      }
      for (const auto& c : kv.second) {
        if (!c.IsMap()) {
          issue(c, key + ": each code is {system, code, display}");
          continue;
        }
        for (const auto& m : c) {
          const std::string mk = m.first.as<std::string>();
          if (mk != "system" && mk != "code" && mk != "display") {
            issue(m.first, key + ": unknown key '" + mk + "'");
          }
        }
        const std::string system =
            c["system"] ? c["system"].as<std::string>() : "";
        const std::string code = c["code"] ? c["code"].as<std::string>() : "";
        const std::string display =
            c["display"] ? c["display"].as<std::string>() : "";
        auto s = systems.find(system);
        if (s == systems.end()) {
          issue(c, key + ": system '" + system + "' is not listed in systems");
          continue;
        }
        if (display.empty()) issue(c, key + ": display is required");
        if (s->second == "http://loinc.org" && !fhir::ValidLoinc(code)) {
          issue(c, key + ": '" + code + "' is not a LOINC code (check digit)");
        } else if (s->second == "http://snomed.info/sct" &&
                   !fhir::ValidSnomedConcept(code)) {
          issue(c, key + ": '" + code +
                       "' is not a SNOMED CT concept id (check digit)");
        }
        out->findings[key].push_back({s->second, code, display});
      }
    }
  }
  return out;
}

}  // namespace
}  // namespace backaid::kb

namespace backaid::fhir {

// Standard codes for the FHIR front; optional.
extern const kb::Extension kFhirCodesExtension;
const kb::Extension kFhirCodesExtension{kb::kFile, "FHIR codes for findings",
                                        /*required=*/false, &kb::LoadFhirCodes};

}  // namespace backaid::fhir
