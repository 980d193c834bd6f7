// Loads and lints knowledge/orders.yaml (see orders.h), and the choice of
// the written answer.
#include <yaml-cpp/yaml.h>

#include <map>
#include <memory>

#include "src/cdshooks/orders.h"
#include "src/knowledge/extension.h"
#include "src/knowledge/program.h"
#include "src/knowledge/yaml_lint.h"

namespace backaid::cdshooks {

const OrderAdviceModel* OrderAdviceOf(const KnowledgeBase& kb) {
  return kb::ModelOf<OrderAdviceModel>(kb, "orders.yaml");
}

std::vector<const OrderAdvice*> AdviceForOrder(
    const OrderAdviceModel& model,
    const std::vector<std::pair<std::string, std::string>>& codings) {
  std::vector<const OrderAdvice*> out;
  for (const OrderAdvice& a : model.advice) {
    bool match = false;
    for (const OrderCode& c : a.orders) {
      for (const auto& [system, code] : codings)
        match = match || (c.system == system && c.code == code);
    }
    if (match) out.push_back(&a);
  }
  return out;
}

OrderAnswer ChooseAnswer(const KnowledgeBase& kb, const OrderAdvice& advice,
                         const TriageResult& result,
                         const std::vector<Undetermined>& open) {
  auto within = [&](TriageLevel l) {
    return ((advice.advise_against_at >> static_cast<int>(l)) & 1u) != 0;
  };
  if (!within(result.level) || (result.conditions & advice.unless_conditions))
    return OrderAnswer::kWarningSigns;
  for (const Undetermined& u : open) {
    const RuleDef& rule = kb.rules()[u.rule];
    if (!within(rule.level) || (rule.conditions & advice.unless_conditions))
      return OrderAnswer::kIncomplete;
  }
  return OrderAnswer::kAdviseAgainst;
}

}  // namespace backaid::cdshooks

namespace backaid::kb {
namespace {

constexpr char kFile[] = "orders.yaml";
constexpr size_t kMaxSummary = 140;  // CDS Hooks card summary

class OrdersLinter : public YamlLint {
 public:
  OrdersLinter(const KnowledgeBase::Impl& core, std::vector<LintIssue>* issues)
      : YamlLint(kFile, issues), core_(core) {}

  std::shared_ptr<const void> Load(const YAML::Node& doc) {
    if (!doc.IsMap()) {
      At(doc, "the file must be a map with 'systems' and 'advice'");
      return nullptr;
    }
    CheckKeys(doc, {"systems", "advice"}, "orders.yaml");
    const YAML::Node sys = doc["systems"];
    if (!sys || !sys.IsMap()) {
      At(doc, "systems: a map of short name to URI is required");
      return nullptr;
    }
    for (const auto& kv : sys) {
      if (!kv.second.IsScalar() || kv.second.as<std::string>().empty()) {
        At(kv.second, "systems: each value is a URI");
        continue;
      }
      systems_[kv.first.as<std::string>()] = kv.second.as<std::string>();
    }
    const YAML::Node list = doc["advice"];
    if (!list || !list.IsSequence() || list.size() == 0) {
      At(doc, "advice: a non-empty list is required");
      return nullptr;
    }
    auto out = std::make_shared<cdshooks::OrderAdviceModel>();
    std::map<std::string, bool> ids;
    for (const YAML::Node& n : list) {
      if (!n.IsMap()) {
        At(n, "each advice item is a map");
        continue;
      }
      CheckKeys(
          n,
          {"id", "sources", "orders", "advise_against_at", "unless_conditions",
           "advise_against", "warning_signs", "incomplete", "unassessed"},
          "an advice item");
      cdshooks::OrderAdvice a;
      a.id = Scalar(n, "id", "an advice item");
      if (!a.id.empty() && ids[a.id])
        At(n["id"], "duplicate id '" + a.id + "'");
      ids[a.id] = true;
      Sources(n, a);
      Orders(n, a);
      Levels(n, a);
      Conditions(n, a);
      a.advise_against = Text(n, "advise_against", a.id, true);
      a.warning_signs = Text(n, "warning_signs", a.id, false);
      a.incomplete = Text(n, "incomplete", a.id, false);
      a.unassessed = Text(n, "unassessed", a.id, false);
      out->advice.push_back(std::move(a));
    }
    return out;
  }

 private:
  std::string Scalar(const YAML::Node& n, const char* key,
                     const std::string& what) {
    const YAML::Node v = n[key];
    if (!v || !v.IsScalar() || v.as<std::string>().empty()) {
      At(n, what + ": '" + key + "' (text) is required");
      return "";
    }
    return v.as<std::string>();
  }

  void Sources(const YAML::Node& n, cdshooks::OrderAdvice& a) {
    const YAML::Node s = n["sources"];
    if (!s || !s.IsSequence() || s.size() == 0) {
      At(n, a.id + ": sources: every piece of advice must cite a source");
      return;
    }
    for (const YAML::Node& id : s) {
      const std::string name = id.IsScalar() ? id.as<std::string>() : "";
      bool found = false;
      for (size_t i = 0; i < core_.sources.size(); ++i) {
        if (core_.sources[i].id == name) {
          a.sources.push_back(static_cast<uint16_t>(i));
          found = true;
        }
      }
      if (!found) At(id, "unknown source '" + name + "' (see sources.yaml)");
    }
  }

  void Orders(const YAML::Node& n, cdshooks::OrderAdvice& a) {
    const YAML::Node o = n["orders"];
    if (!o || !o.IsSequence() || o.size() == 0) {
      At(n, a.id + ": orders: a non-empty list of {system, code, display}");
      return;
    }
    for (const YAML::Node& c : o) {
      if (!c.IsMap()) {
        At(c, a.id + ": each order is {system, code, display}");
        continue;
      }
      CheckKeys(c, {"system", "code", "display"}, "an order code");
      const std::string system = Scalar(c, "system", a.id);
      const std::string code = Scalar(c, "code", a.id);
      const std::string display = Scalar(c, "display", a.id);
      auto s = systems_.find(system);
      if (s == systems_.end()) {
        if (!system.empty())
          At(c, a.id + ": system '" + system + "' is not listed in systems");
        continue;
      }
      // CPT codes are five characters: digits, or four digits and a
      // category letter (F, T, U). A typo must not silently never match.
      if (s->second == "http://www.ama-assn.org/go/cpt") {
        bool ok = code.size() == 5;
        for (size_t i = 0; ok && i < 4; ++i) ok = std::isdigit(code[i]) != 0;
        ok = ok && (std::isdigit(code[4]) || code[4] == 'F' || code[4] == 'T' ||
                    code[4] == 'U');
        if (!ok) At(c, a.id + ": '" + code + "' is not a CPT code");
      }
      for (const auto& other : a.orders) {
        if (other.system == s->second && other.code == code)
          At(c, a.id + ": order code '" + code + "' is listed twice");
      }
      a.orders.push_back({s->second, code, display});
    }
  }

  void Levels(const YAML::Node& n, cdshooks::OrderAdvice& a) {
    const YAML::Node l = n["advise_against_at"];
    if (!l || !l.IsSequence() || l.size() == 0) {
      At(n, a.id + ": advise_against_at: a non-empty list of levels");
      return;
    }
    for (const YAML::Node& v : l) {
      auto level = ParseLevel(v.IsScalar() ? v.as<std::string>() : "");
      if (!level) {
        At(v, a.id + ": unknown level (self_care, routine, urgent, emergency)");
        continue;
      }
      if (*level == TriageLevel::kEmergency)
        At(v, a.id + ": advice against an order never applies at emergency");
      a.advise_against_at |=
          static_cast<uint8_t>(1u << static_cast<int>(*level));
    }
  }

  void Conditions(const YAML::Node& n, cdshooks::OrderAdvice& a) {
    const YAML::Node c = n["unless_conditions"];
    if (!c) return;
    if (!c.IsSequence()) {
      At(c, a.id + ": unless_conditions: a list of condition ids");
      return;
    }
    for (const YAML::Node& v : c) {
      const std::string id = v.IsScalar() ? v.as<std::string>() : "";
      bool found = false;
      for (size_t i = 0; i < core_.conditions.size(); ++i) {
        if (core_.conditions[i].id == id) {
          a.unless_conditions |= 1u << i;
          found = true;
        }
      }
      if (!found) At(v, a.id + ": unknown condition '" + id + "'");
    }
  }

  cdshooks::OrderText Text(const YAML::Node& n, const char* key,
                           const std::string& id, bool with_suggestion) {
    cdshooks::OrderText t;
    const YAML::Node v = n[key];
    const std::string what = id + ": " + key;
    if (!v || !v.IsMap()) {
      At(n, what + " (summary, detail) is required");
      return t;
    }
    if (with_suggestion) {
      CheckKeys(v, {"summary", "detail", "suggestion"}, what);
      t.suggestion = Scalar(v, "suggestion", what);
    } else {
      CheckKeys(v, {"summary", "detail"}, what);
    }
    t.summary = Scalar(v, "summary", what);
    t.detail = Scalar(v, "detail", what);
    if (t.summary.size() > kMaxSummary) {
      At(v["summary"], what + ": summary is " +
                           std::to_string(t.summary.size()) +
                           " bytes; a CDS Hooks card allows 140");
    }
    return t;
  }

  const KnowledgeBase::Impl& core_;
  std::map<std::string, std::string> systems_;
};

std::shared_ptr<const void> LoadOrders(const YAML::Node& doc,
                                       const ExtensionContext& ctx) {
  OrdersLinter lint(ctx.core, ctx.issues);
  return lint.Load(doc);
}

}  // namespace
}  // namespace backaid::kb

namespace backaid::cdshooks {

// Advice on orders for the CDS Hooks order-select service; optional.
extern const kb::Extension kOrdersExtension;
const kb::Extension kOrdersExtension{kb::kFile, "advice on orders",
                                     /*required=*/false, &kb::LoadOrders};

}  // namespace backaid::cdshooks
