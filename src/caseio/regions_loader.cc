// Loads and lints knowledge/regions.yaml (see regions.h); the wording lint
// is regions_lint.cc, the texts in a region's words region_text.cc.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>

#include "backaid/assess.h"
#include "backaid/report.h"
#include "src/caseio/regions.h"
#include "src/caseio/regions_lint.h"
#include "src/knowledge/extension.h"
#include "src/knowledge/loader.h"
#include "src/knowledge/program.h"
#include "src/knowledge/yaml_lint.h"

namespace backaid::kb {
namespace {

std::shared_ptr<const void> LoadRegions(const YAML::Node& doc,
                                        const ExtensionContext& ctx) {
  const KnowledgeBase::Impl* impl = &ctx.core;
  std::vector<LintIssue>* issues = ctx.issues;
  constexpr const char* kFile = kRegionsFile;
  auto issue = [&](const YAML::Node& n, std::string msg) {
    const YAML::Mark m = n.Mark();
    issues->push_back(
        LintIssue{SourceLocation{kFile, m.line + 1, m.column + 1}, msg});
  };
  if (!doc.IsMap()) {
    issue(doc,
          "the file must be a map with 'regions', 'default', 'headlines', "
          "'emergency_advice' and 'before_you_start'");
    return nullptr;
  }
  const size_t before = issues->size();
  auto out = std::make_shared<regions::RegionModel>();
  std::unordered_map<std::string, uint16_t> source_index;
  for (size_t i = 0; i < impl->sources.size(); ++i)
    source_index[impl->sources[i].id] = static_cast<uint16_t>(i);
  auto text = [&](const YAML::Node& parent, const char* key,
                  const std::string& what) -> std::string {
    const YAML::Node n = parent[key];
    if (!n || !n.IsScalar() || n.Scalar().empty()) {
      issue(n ? n : parent, what + ": '" + key + "' (text) is required");
      return "";
    }
    return n.Scalar();
  };
  auto sources = [&](const YAML::Node& parent, const std::string& what) {
    std::vector<uint16_t> ids;
    const YAML::Node n = parent["sources"];
    if (!n || !n.IsSequence() || n.size() == 0) {
      issue(n ? n : parent, what +
                                " has no sources: every regional text "
                                "must cite one (see sources.yaml)");
      return ids;
    }
    for (const auto& s : n) {
      auto it = source_index.find(s.IsScalar() ? s.Scalar() : "");
      if (it == source_index.end()) {
        issue(s, "unknown source '" + (s.IsScalar() ? s.Scalar() : "") +
                     "' (see sources.yaml)");
      } else {
        ids.push_back(it->second);
      }
    }
    return ids;
  };
  auto only_keys = [&](const YAML::Node& n, std::set<std::string> allowed,
                       const std::string& what) {
    for (const auto& kv : n) {
      const std::string k = kv.first.Scalar();
      if (!allowed.count(k))
        issue(kv.first, what + ": unknown key '" + k + "'");
    }
  };
  auto wording = [&](const char* key) {
    regions::Wording w;
    const YAML::Node n = doc[key];
    if (!n || !n.IsMap()) {
      issue(n ? n : doc,
            std::string(key) + ": {id, text, sources} is required");
      return w;
    }
    only_keys(n, {"id", "text", "sources"}, key);
    w.id = text(n, "id", key);
    w.text = text(n, "text", key);
    w.sources = sources(n, key);
    if (w.text.find("{number}") == std::string::npos) {
      issue(n, std::string(key) +
                   ": the text must give the emergency number "
                   "('{number}')");
    }
    return w;
  };
  only_keys(doc,
            {"regions", "default", "headlines", "emergency_advice",
             "before_you_start", "emergency_call_script"},
            "regions.yaml");
  const YAML::Node list = doc["regions"];
  if (!list || !list.IsSequence() || list.size() == 0) {
    issue(list ? list : doc, "regions: a non-empty list is required");
  } else {
    std::set<std::string> seen;
    for (const auto& r : list) {
      if (!r.IsMap()) {
        issue(r, "each region is {id, name, emergency_number, sources}");
        continue;
      }
      only_keys(
          r,
          {"id", "name", "emergency_number", "countries", "sources", "terms"},
          "region");
      regions::RegionDef def;
      def.id = text(r, "id", "region");
      def.name = text(r, "name", "region " + def.id);
      // The name goes into the page's HTML as it is (the <noscript> text
      // of index.html lists every region's number and name).
      if (!IsPlainWords(def.name)) {
        issue(r["name"], "region " + def.id +
                             ": a region's name is plain words (no braces, "
                             "quotes, backslashes, angle brackets or line "
                             "breaks)");
      }
      def.emergency_number = text(r, "emergency_number", "region " + def.id);
      def.sources = sources(r, "region " + def.id);
      if (const YAML::Node c = r["countries"]) {
        if (!c.IsSequence()) {
          issue(c, "region " + def.id + ": countries is a list of ISO codes");
        } else {
          for (const auto& code : c) {
            const std::string v = code.IsScalar() ? code.Scalar() : "";
            if (v.size() != 2 ||
                !std::isupper(static_cast<unsigned char>(v[0])) ||
                !std::isupper(static_cast<unsigned char>(v[1]))) {
              issue(code, "region " + def.id +
                              ": a country is two capital letters (ISO "
                              "3166-1 alpha-2)");
            }
            def.countries.push_back(v);
          }
        }
      }
      if (const YAML::Node t = r["terms"]) {
        if (!t.IsMap()) {
          issue(t, "region " + def.id +
                       ": terms is a map of term: {text, sources}");
        } else {
          for (const auto& kv : t) {
            const std::string name = kv.first.Scalar();
            const std::string what = "region " + def.id + ", term " + name;
            if (!IsTermName(name) || name == "number" || name == "signs") {
              issue(kv.first, what +
                                  ": a term's name is lower-case letters and "
                                  "'_' ('number' is the emergency number)");
            }
            if (!kv.second.IsMap()) {
              issue(kv.second, what + ": {text, sources} is required");
              continue;
            }
            only_keys(kv.second, {"text", "sources"}, what);
            regions::TermDef term{name, text(kv.second, "text", what),
                                  sources(kv.second, what)};
            if (!IsPlainWords(term.text)) {
              issue(kv.second["text"],
                    what +
                        ": a term's text is plain words (no braces, "
                        "quotes, backslashes, angle brackets or line "
                        "breaks)");
            }
            def.terms.push_back(std::move(term));
          }
        }
      }
      for (char c : def.emergency_number) {
        if (c < '0' || c > '9') {
          issue(r["emergency_number"],
                "region " + def.id + ": emergency_number must be digits");
          break;
        }
      }
      if (!seen.insert(def.id).second) {
        issue(r, "region '" + def.id + "' is listed twice");
      }
      out->regions.push_back(std::move(def));
    }
  }
  // Every region words every term: a text using one must read right
  // wherever the person is.
  std::set<std::string> all_terms;
  for (const auto& r : out->regions)
    for (const auto& t : r.terms) all_terms.insert(t.name);
  for (size_t i = 0; list && list.IsSequence() && i < out->regions.size();
       ++i) {
    for (const std::string& name : all_terms) {
      bool has = false;
      for (const auto& t : out->regions[i].terms) has = has || t.name == name;
      if (!has) {
        issue(list[i], "region " + out->regions[i].id +
                           " does not define the term '" + name +
                           "' that another region defines");
      }
    }
  }
  if (ctx.files != nullptr) LintTermUse(*ctx.files, *impl, *out, issues);
  const YAML::Node def = doc["default"];
  bool found = false;
  for (size_t i = 0; def && def.IsScalar() && i < out->regions.size(); ++i) {
    if (out->regions[i].id == def.Scalar()) {
      out->default_region = i;
      found = true;
    }
  }
  if (!found) issue(def ? def : doc, "default: one of the regions' ids");
  const YAML::Node heads = doc["headlines"];
  if (!heads || !heads.IsMap()) {
    issue(heads ? heads : doc, "headlines: one text per level is required");
  } else {
    std::set<std::string> levels;
    for (int l = 0; l < kLevelCount; ++l) {
      const auto level = static_cast<TriageLevel>(l);
      const std::string name(LevelName(level));
      levels.insert(name);
      out->headlines[l] = text(heads, name.c_str(), "headlines");
    }
    only_keys(heads, levels, "headlines");
  }
  out->emergency_advice = wording("emergency_advice");
  out->before_you_start = wording("before_you_start");
  // Optional: what to tell the call handler.
  if (const YAML::Node n = doc["emergency_call_script"]) {
    constexpr char kWhat[] = "emergency_call_script";
    regions::CallScript& cs = out->call_script;
    if (!n.IsMap()) {
      issue(n, std::string(kWhat) + ": {id, title, lines, sources}");
    } else {
      only_keys(n, {"id", "title", "lines", "sources"}, kWhat);
      cs.id = text(n, "id", kWhat);
      cs.title = text(n, "title", kWhat);
      cs.sources = sources(n, kWhat);
      const YAML::Node lines = n["lines"];
      if (!lines || !lines.IsSequence() || lines.size() == 0) {
        issue(lines ? lines : n,
              std::string(kWhat) + ": 'lines' (a non-empty list) is required");
      } else {
        for (const auto& l : lines) {
          if (!l.IsMap()) {
            issue(l, std::string(kWhat) + ": each line is {text, when?}");
            continue;
          }
          only_keys(l, {"text", "when", "known", "unknown"},
                    std::string(kWhat) + " line");
          regions::CallScriptLine line;
          line.text = text(l, "text", std::string(kWhat) + " line");
          if (const YAML::Node w = l["when"]) {
            line.when = w.IsScalar() ? w.Scalar() : "";
            bool is_bool = false;
            for (const FindingDef& f : impl->findings)
              if (f.key == line.when && f.type == FindingType::kBool)
                is_bool = true;
            if (!is_bool) {
              issue(w, std::string(kWhat) + ": when: '" + line.when +
                           "' is not a yes/no finding (findings.yaml)");
            }
          }
          for (const char* key : {"known", "unknown"}) {
            const YAML::Node k = l[key];
            if (!k) continue;
            std::string& field =
                std::string_view(key) == "known" ? line.known : line.unknown;
            field = k.IsScalar() ? k.Scalar() : "";
            if (!FindsFinding(*impl, field)) {
              issue(k, std::string(kWhat) + ": " + key + ": '" + field +
                           "' is not a finding (findings.yaml)");
            }
          }
          // A "{finding}" is filled only from the line's `known` finding:
          // any other would be said unfilled, or as "unknown".
          for (const std::string& name : Placeholders(line.text)) {
            if (FindsFinding(*impl, name) && name != line.known) {
              issue(l["text"], std::string(kWhat) + ": '{" + name +
                                   "}' is filled only in a line whose "
                                   "`known` is '" +
                                   name + "'");
            }
          }
          cs.lines.push_back(std::move(line));
        }
      }
    }
  }
  if (issues->size() != before) return nullptr;
  return out;
}

}  // namespace
}  // namespace backaid::kb

namespace backaid::regions {

// Regions, emergency numbers and level headlines for the fronts; optional
// so that the small test knowledge bases load (without it a front says
// "the emergency number").
extern const kb::Extension kRegionsExtension;
const kb::Extension kRegionsExtension{kb::kRegionsFile,
                                      "regions and emergency numbers",
                                      /*required=*/false, &kb::LoadRegions};

const RegionModel* RegionsOf(const KnowledgeBase& kb) {
  return kb::ModelOf<RegionModel>(kb, kb::kRegionsFile);
}

}  // namespace backaid::regions
