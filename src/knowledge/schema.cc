// The core files' definitions: kb.yaml (name, version, levels, services),
// sources.yaml, findings.yaml, conditions.yaml, rules/*.yaml and
// conflicts.yaml. Checks shape, keys, types, ids and references, parses and
// type-checks every rule condition and lints its polarity; reports every
// problem with file:line:column.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "src/knowledge/build.h"

namespace backaid::kb {
namespace {

class SchemaLoader {
 public:
  SchemaLoader(KnowledgeBase::Impl* impl, Reporter& r) : impl_(impl), r_(r) {}

  bool Load(const CoreDocs& docs) {
    auto load = [&](const char* path,
                    void (SchemaLoader::*fn)(const YAML::Node&)) {
      auto it = docs.files.find(path);
      if (it == docs.files.end()) return;
      const YAML::Node& doc = it->second;
      Guard(path, [&] { (this->*fn)(doc); });
    };
    load("kb.yaml", &SchemaLoader::LoadManifest);
    load("sources.yaml", &SchemaLoader::LoadSources);
    load("findings.yaml", &SchemaLoader::LoadFindings);
    load("conditions.yaml", &SchemaLoader::LoadConditions);
    for (const auto& rule_doc : docs.rules) {
      Guard(rule_doc.first,
            [&] { LoadRules(rule_doc.first, rule_doc.second); });
    }
    load("conflicts.yaml", &SchemaLoader::LoadConflicts);
    return !broken_;
  }

 private:
  const std::vector<SourceDef>& sources() { return impl_->sources; }

  // Reports `node` unless it is a mapping (indexing a scalar throws in
  // yaml-cpp, and indexing a list finds nothing).
  bool IsMapping(const std::string& file, const YAML::Node& node,
                 std::string_view what) {
    if (node.IsMap()) return true;
    SourceLocation w = Where(file, node);
    if (w.line == 0) w = SourceLocation{file, 1, 1};  // an empty file
    r_.At(w, fmt::format("{} must be a mapping (key: value), not {}", what,
                         KindName(node)));
    return false;
  }

  // Runs one file's loader. A yaml-cpp exception (a node of a kind that no
  // check expected) becomes an issue at its mark instead of ending the
  // program; the definitions are then refused, not compiled.
  template <typename F>
  void Guard(const std::string& file, F&& load) {
    try {
      load();
    } catch (const std::exception& e) {
      r_.issues()->push_back(IssueFromException(file, e));
      broken_ = true;
    }
  }

  std::vector<uint16_t> ResolveSources(const std::string& file,
                                       const YAML::Node& map,
                                       std::string_view what, bool required) {
    std::vector<uint16_t> out;
    auto list = GetStringList(r_, file, map, "sources", what);
    if (list.empty() && required) {
      r_.At(file, map,
            fmt::format("{} has no sources: every rule and piece "
                        "of advice needs one",
                        what));
    }
    for (const auto& [id, node] : list) {
      auto it = source_index_.find(id);
      if (it == source_index_.end()) {
        r_.At(file, node, fmt::format("unknown source '{}' in {}", id, what));
        continue;
      }
      out.push_back(it->second);
    }
    return out;
  }

  void LoadManifest(const YAML::Node& doc) {
    const std::string file = "kb.yaml";
    if (!IsMapping(file, doc, "kb.yaml")) return;
    CheckKeys(r_, file, doc, {"name", "version", "levels", "services"},
              "kb.yaml");
    GetString(r_, file, doc, "name", &impl_->name, true, "kb.yaml");
    GetString(r_, file, doc, "version", &impl_->semver, true, "kb.yaml");
    const YAML::Node levels = doc["levels"];
    for (int i = 0; i < kLevelCount && IsMapping(file, levels, "'levels'");
         ++i) {
      const auto level = static_cast<TriageLevel>(i);
      const std::string name(LevelName(level));
      impl_->levels[i].name = name;
      const YAML::Node l = levels[name];
      if (!l.IsDefined()) {
        r_.At(file, levels, fmt::format("level '{}' is missing", name));
        continue;
      }
      if (!IsMapping(file, l, "a level")) continue;
      CheckKeys(r_, file, l, {"meaning"}, "a level");
      GetString(r_, file, l, "meaning", &impl_->levels[i].meaning, true,
                fmt::format("level '{}'", name));
    }
    if (levels.IsMap()) {
      for (const auto& kv : levels) {
        if (!ParseLevel(kv.first.as<std::string>(""))) {
          r_.At(
              file, kv.first,
              fmt::format("unknown level '{}'", kv.first.as<std::string>("")));
        }
      }
    }
    const YAML::Node services = doc["services"];
    if (!services.IsSequence()) {
      r_.At(file, doc, "kb.yaml needs a 'services' list");
      return;
    }
    for (const auto& s : services) {
      if (!IsMapping(file, s, "a service")) continue;
      CheckKeys(r_, file, s, {"id", "name"}, "a service");
      ServiceDef def;
      if (!GetString(r_, file, s, "id", &def.id, true, "a service")) continue;
      GetString(r_, file, s, "name", &def.name, true, "service " + def.id);
      if (service_index_.count(def.id)) {
        r_.At(file, s, fmt::format("duplicate service id '{}'", def.id));
        continue;
      }
      if (impl_->services.size() >= 32) {
        r_.At(file, s, "more than 32 services");
        continue;
      }
      service_index_[def.id] = static_cast<uint16_t>(impl_->services.size());
      impl_->services.push_back(def);
    }
  }

  void LoadSources(const YAML::Node& doc) {
    const std::string file = "sources.yaml";
    if (!IsMapping(file, doc, "sources.yaml")) return;
    CheckKeys(r_, file, doc, {"sources"}, "sources.yaml");
    const YAML::Node list = doc["sources"];
    if (!list.IsSequence()) {
      r_.At(file, doc, "sources.yaml needs a 'sources' list");
      return;
    }
    for (const auto& s : list) {
      if (!IsMapping(file, s, "a source")) continue;
      CheckKeys(
          r_, file, s,
          {"id", "kind", "title", "cite", "publisher", "year", "file", "note"},
          "a source");
      SourceDef def;
      def.where = Where(file, s);
      if (!GetString(r_, file, s, "id", &def.id, true, "a source")) continue;
      const std::string what = "source " + def.id;
      GetString(r_, file, s, "kind", &def.kind, true, what);
      GetString(r_, file, s, "title", &def.title, true, what);
      GetString(r_, file, s, "cite", &def.cite, true, what);
      GetString(r_, file, s, "publisher", &def.publisher, false, what);
      GetString(r_, file, s, "year", &def.year, false, what);
      if (def.kind != "article" && def.kind != "guideline") {
        r_.At(file, s["kind"],
              fmt::format("{}: kind must be 'article' or 'guideline', not "
                          "'{}'",
                          what, def.kind));
      }
      if (source_index_.count(def.id)) {
        r_.At(file, s, fmt::format("duplicate source id '{}'", def.id));
        continue;
      }
      source_index_[def.id] = static_cast<uint16_t>(impl_->sources.size());
      impl_->sources.push_back(def);
    }
  }

  void LoadFindings(const YAML::Node& doc) {
    const std::string file = "findings.yaml";
    if (!IsMapping(file, doc, "findings.yaml")) return;
    CheckKeys(r_, file, doc, {"findings"}, "findings.yaml");
    const YAML::Node list = doc["findings"];
    if (!list.IsSequence()) {
      r_.At(file, doc, "findings.yaml needs a 'findings' list");
      return;
    }
    for (const auto& n : list) {
      if (!IsMapping(file, n, "a finding")) continue;
      CheckKeys(r_, file, n,
                {"key", "type", "range", "values", "normal", "red_flag",
                 "group", "meaning"},
                "a finding");
      FindingDef def;
      def.where = Where(file, n);
      if (!GetString(r_, file, n, "key", &def.key, true, "a finding")) continue;
      const std::string what = "finding " + def.key;
      GetString(r_, file, n, "group", &def.group, true, what);
      GetString(r_, file, n, "meaning", &def.meaning, true, what);
      std::string type;
      GetString(r_, file, n, "type", &type, true, what);
      if (type == "bool") {
        def.type = FindingType::kBool;
        def.min = 0;
        def.max = 1;
      } else if (type == "int" || type == "number") {
        def.type = type == "int" ? FindingType::kInt : FindingType::kNumber;
        def.scale = type == "int" ? 1 : 10;
        const YAML::Node range = n["range"];
        std::optional<double> lo, hi;
        if (range.IsSequence() && range.size() == 2) {
          lo = YamlNumber(range[0]);
          hi = YamlNumber(range[1]);
        }
        // Encoded values are int32: a bound beyond ±1e9 is refused before
        // it is narrowed (it could wrap).
        if (!lo || !hi || *lo > *hi || std::fabs(*lo * def.scale) > 1e9 ||
            std::fabs(*hi * def.scale) > 1e9) {
          r_.At(file, range.IsDefined() ? range : n,
                fmt::format("{}: 'range' must be [min, max], each within ±1e9",
                            what));
        } else {
          def.min = static_cast<int32_t>(std::lround(*lo * def.scale));
          def.max = static_cast<int32_t>(std::lround(*hi * def.scale));
        }
      } else if (type == "enum" || type == "side") {
        def.type = FindingType::kEnum;
        if (type == "side") {
          def.values = {"none", "one", "both"};
        } else {
          for (const auto& [v, node] :
               GetStringList(r_, file, n, "values", what)) {
            if (std::find(def.values.begin(), def.values.end(), v) !=
                def.values.end()) {
              r_.At(file, node,
                    fmt::format("{}: duplicate value '{}'", what, v));
            }
            def.values.push_back(v);
          }
          if (def.values.size() < 2 || def.values.size() > 32) {
            r_.At(file, n,
                  fmt::format("{}: an enum needs 2 to 32 values", what));
          }
        }
        def.min = 0;
        def.max = static_cast<int32_t>(def.values.size()) - 1;
      } else {
        r_.At(file, n["type"].IsDefined() ? n["type"] : n,
              fmt::format("{}: type must be bool, int, number, enum or side, "
                          "not '{}'",
                          what, type));
      }
      const YAML::Node normal = n["normal"];
      if (normal.IsDefined() && !normal.IsNull()) {
        def.normal = EncodeYamlValue(def, normal, file, what + " normal");
      } else if (def.type == FindingType::kBool) {
        def.normal = 0;
      } else if (def.type == FindingType::kEnum && !def.values.empty() &&
                 def.values[0] == "none") {
        def.normal = 0;
      }
      // Enum values run from the normal one to the most abnormal: where two
      // answers set one finding, the larger encoded value is kept as the
      // more abnormal (src/assess/assessment.cc), and "abnormal" means any
      // value but the normal one.
      if (def.type == FindingType::kEnum && def.normal && *def.normal != 0) {
        r_.At(file, normal,
              fmt::format("{}: the normal value must be listed first (values "
                          "run from normal to most abnormal)",
                          what));
      }
      const YAML::Node red = n["red_flag"];
      if (red.IsDefined()) {
        if (red.IsScalar() &&
            (red.Scalar() == "true" || red.Scalar() == "false")) {
          def.red_flag = red.Scalar() == "true";
        } else {
          r_.At(file, red,
                fmt::format("{}: red_flag must be true or false", what));
        }
      }
      if (impl_->finding_index.count(def.key)) {
        r_.At(file, n, fmt::format("duplicate finding key '{}'", def.key));
        continue;
      }
      if (impl_->findings.size() >= kMaxFindings) {
        r_.At(file, n, "too many findings");
        continue;
      }
      impl_->finding_index[def.key] =
          static_cast<FindingId>(impl_->findings.size());
      impl_->findings.push_back(def);
    }
    for (const char* required : {"age", "sex"}) {
      if (!impl_->finding_index.count(required)) {
        r_.At(SourceLocation{file, 0, 0},
              fmt::format("finding '{}' is required (cases carry it at the "
                          "top level)",
                          required));
      }
    }
  }

  std::optional<int32_t> EncodeYamlValue(const FindingDef& def,
                                         const YAML::Node& n,
                                         const std::string& file,
                                         const std::string& what) {
    if (!n.IsScalar()) {
      r_.At(file, n, fmt::format("{} must be a single value", what));
      return std::nullopt;
    }
    switch (def.type) {
      case FindingType::kBool:
        if (n.Scalar() == "true") return 1;
        if (n.Scalar() == "false") return 0;
        break;
      case FindingType::kEnum:
        for (size_t i = 0; i < def.values.size(); ++i)
          if (def.values[i] == n.Scalar()) return static_cast<int32_t>(i);
        break;
      case FindingType::kInt:
      case FindingType::kNumber:
        if (auto d = YamlNumber(n)) {
          const double scaled = *d * def.scale;
          if (scaled >= def.min && scaled <= def.max)
            return static_cast<int32_t>(std::lround(scaled));
        }
        break;
    }
    r_.At(file, n,
          fmt::format("{}: '{}' is not a valid value", what, n.Scalar()));
    return std::nullopt;
  }

  void LoadConditions(const YAML::Node& doc) {
    const std::string file = "conditions.yaml";
    if (!IsMapping(file, doc, "conditions.yaml")) return;
    CheckKeys(r_, file, doc, {"conditions"}, "conditions.yaml");
    const YAML::Node list = doc["conditions"];
    if (!list.IsSequence()) {
      r_.At(file, doc, "conditions.yaml needs a 'conditions' list");
      return;
    }
    std::vector<std::vector<std::pair<std::string, YAML::Node>>> covered;
    for (const auto& n : list) {
      if (!IsMapping(file, n, "a condition")) continue;
      CheckKeys(r_, file, n,
                {"id", "name", "description", "covered_by", "sources"},
                "a condition");
      ConditionDef def;
      def.where = Where(file, n);
      if (!GetString(r_, file, n, "id", &def.id, true, "a condition")) continue;
      const std::string what = "condition " + def.id;
      GetString(r_, file, n, "name", &def.name, true, what);
      GetString(r_, file, n, "description", &def.description, true, what);
      for (uint16_t s : ResolveSources(file, n, what, true))
        def.sources.push_back(impl_->sources[s].id);
      if (impl_->condition_index.count(def.id)) {
        r_.At(file, n, fmt::format("duplicate condition id '{}'", def.id));
        continue;
      }
      if (impl_->conditions.size() >= 32) {
        r_.At(file, n, "more than 32 conditions");
        continue;
      }
      impl_->condition_index[def.id] =
          static_cast<uint16_t>(impl_->conditions.size());
      impl_->conditions.push_back(def);
      covered.push_back(GetStringList(r_, file, n, "covered_by", what));
    }
    for (size_t i = 0; i < impl_->conditions.size(); ++i) {
      for (const auto& [id, node] : covered[i]) {
        auto it = impl_->condition_index.find(id);
        if (it == impl_->condition_index.end()) {
          r_.At(file, node,
                fmt::format("unknown condition id '{}' in "
                            "covered_by",
                            id));
        } else if (it->second == i) {
          r_.At(file, node,
                fmt::format("condition '{}' cannot cover itself", id));
        } else {
          impl_->conditions[i].covered_by |= 1u << it->second;
        }
      }
    }
  }

  bool ParseCondition(const std::string& file, const YAML::Node& node,
                      const std::string& what, Expr* out) {
    if (!node.IsScalar()) {
      r_.At(file, node,
            fmt::format("{} must be a condition written as text", what));
      return false;
    }
    ParseError err;
    if (!ParseExpr(node.Scalar(), impl_->findings, impl_->finding_index, out,
                   &err)) {
      r_.At(file, node, fmt::format("{}: {}", what, err.message),
            err.column - 1);
      return false;
    }
    return true;
  }

  void LoadRules(const std::string& file, const YAML::Node& doc) {
    if (!IsMapping(file, doc, file)) return;
    CheckKeys(r_, file, doc, {"rules"}, file);
    const YAML::Node list = doc["rules"];
    if (!list.IsSequence()) {
      r_.At(file, doc, "a rule file needs a 'rules' list");
      return;
    }
    for (const auto& n : list) {
      if (!IsMapping(file, n, "a rule")) continue;
      CheckKeys(r_, file, n,
                {"id", "when", "unless", "level", "conditions", "see", "reason",
                 "sources"},
                "a rule");
      RuleDef def;
      def.where = Where(file, n);
      if (!GetString(r_, file, n, "id", &def.id, true, "a rule")) continue;
      const std::string what = "rule " + def.id;
      bool ok = true;
      Expr when, unless;
      bool has_unless = false;
      if (!n["when"].IsDefined()) {
        r_.At(file, n, fmt::format("{} has no 'when'", what));
        ok = false;
      } else if (ParseCondition(file, n["when"], what + " when", &when)) {
        def.when = n["when"].Scalar();
        CheckTriggerPolarity(
            when, true, impl_->findings, [&](int column, std::string msg) {
              r_.At(file, n["when"], fmt::format("{}: {}", what, msg),
                    column - 1);
            });
      } else {
        ok = false;
      }
      if (n["unless"].IsDefined()) {
        has_unless = true;
        if (ParseCondition(file, n["unless"], what + " unless", &unless)) {
          def.unless = n["unless"].Scalar();
        } else {
          ok = false;
        }
      }
      std::string level;
      if (GetString(r_, file, n, "level", &level, true, what)) {
        if (auto l = ParseLevel(level)) {
          def.level = *l;
        } else {
          r_.At(file, n["level"],
                fmt::format("{}: unknown level '{}' (self_care, routine, "
                            "urgent or emergency)",
                            what, level));
        }
      }
      for (const auto& [id, node] :
           GetStringList(r_, file, n, "conditions", what)) {
        auto it = impl_->condition_index.find(id);
        if (it == impl_->condition_index.end()) {
          r_.At(file, node,
                fmt::format("{}: unknown condition id '{}'", what, id));
        } else {
          def.conditions |= 1u << it->second;
        }
      }
      for (const auto& [id, node] : GetStringList(r_, file, n, "see", what)) {
        auto it = service_index_.find(id);
        if (it == service_index_.end()) {
          r_.At(file, node, fmt::format("{}: unknown service '{}'", what, id));
        } else {
          def.see.push_back(it->second);
        }
      }
      if (def.see.empty()) {
        r_.At(file, n, fmt::format("{} says nobody to see: give 'see'", what));
      }
      GetString(r_, file, n, "reason", &def.reason, true, what);
      def.sources = ResolveSources(file, n, what, true);
      if (rule_index_.count(def.id)) {
        r_.At(file, n,
              fmt::format("duplicate rule id '{}' (first at {}:{})", def.id,
                          rule_index_[def.id].file, rule_index_[def.id].line));
        continue;
      }
      rule_index_[def.id] = def.where;
      if (!ok) continue;  // keep only rules that can be compiled
      impl_->rules.push_back(def);
      impl_->when_exprs.push_back(std::move(when));
      impl_->unless_exprs.push_back(std::move(unless));
      impl_->has_unless.push_back(has_unless);
    }
  }

  void LoadConflicts(const YAML::Node& doc) {
    const std::string file = "conflicts.yaml";
    if (!IsMapping(file, doc, "conflicts.yaml")) return;
    CheckKeys(r_, file, doc, {"conflicts"}, "conflicts.yaml");
    const YAML::Node list = doc["conflicts"];
    if (!list.IsSequence()) {
      r_.At(file, doc, "conflicts.yaml needs a 'conflicts' list");
      return;
    }
    std::set<std::string> ids;
    for (const auto& n : list) {
      if (!IsMapping(file, n, "a conflict")) continue;
      CheckKeys(r_, file, n,
                {"id", "topic", "positions", "decision", "sources"},
                "a conflict");
      ConflictDef def;
      def.where = Where(file, n);
      if (!GetString(r_, file, n, "id", &def.id, true, "a conflict")) continue;
      const std::string what = "conflict " + def.id;
      GetString(r_, file, n, "topic", &def.topic, true, what);
      GetString(r_, file, n, "decision", &def.decision, true, what);
      const YAML::Node positions = n["positions"];
      if (!positions.IsSequence() || positions.size() < 2) {
        r_.At(file, n, fmt::format("{} needs at least two positions", what));
      } else {
        for (const auto& p : positions) {
          if (!IsMapping(file, p, "a position")) continue;
          CheckKeys(r_, file, p, {"source", "says"}, "a position");
          std::string source, says;
          GetString(r_, file, p, "source", &source, true, what + " position");
          GetString(r_, file, p, "says", &says, true, what + " position");
          if (!source.empty() && !source_index_.count(source)) {
            r_.At(file, p["source"],
                  fmt::format("{}: unknown source '{}'", what, source));
          }
          def.positions.push_back(source + ": " + says);
        }
      }
      def.sources = ResolveSources(file, n, what, true);
      if (!ids.insert(def.id).second) {
        r_.At(file, n, fmt::format("duplicate conflict id '{}'", def.id));
        continue;
      }
      impl_->conflicts.push_back(def);
    }
  }

  KnowledgeBase::Impl* impl_;
  Reporter& r_;
  std::unordered_map<std::string, uint16_t> source_index_;
  std::unordered_map<std::string, uint16_t> service_index_;
  std::unordered_map<std::string, SourceLocation> rule_index_;
  bool broken_ = false;  // a loader stopped on an exception
};

}  // namespace

bool LoadDefinitions(const CoreDocs& docs, KnowledgeBase::Impl* impl,
                     Reporter& r) {
  return SchemaLoader(impl, r).Load(docs);
}

}  // namespace backaid::kb
