// FHIR R4 handlers: decode FHIR JSON, call the core, encode FHIR resources.
// See fhir.h. Resources are built with nlohmann::ordered_json so that
// "resourceType" comes first, as FHIR JSON recommends.
#include "src/fhir/fhir.h"

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
#include "src/knowledge/program.h"

namespace backaid::fhir {
namespace {

using json = nlohmann::ordered_json;
using server::HttpRequest;
using server::HttpResponse;

constexpr const char* kFhirJson = "application/fhir+json";
constexpr const char* kQuestionnaireId = "backaid-assessment";
constexpr const char* kExt = "http://hl7.org/fhir/StructureDefinition/";

std::string Canon(std::string_view tail) {
  return std::string(kCanonicalBase) + "/" + std::string(tail);
}
std::string QuestionnaireUrl() {
  return Canon(std::string("Questionnaire/") + kQuestionnaireId);
}
std::string OptionSystem() { return Canon("CodeSystem/backaid-answer-option"); }
std::string FindingSystem() { return Canon("CodeSystem/backaid-finding"); }
std::string ConditionSystem() { return Canon("CodeSystem/backaid-condition"); }
std::string LevelSystem() { return Canon("CodeSystem/backaid-triage-level"); }
std::string RuleSystem() { return Canon("CodeSystem/backaid-rule"); }

std::string Dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

HttpResponse Fhir(int status, const json& j) {
  HttpResponse r;
  r.status = status;
  r.content_type = kFhirJson;
  r.body = Dump(j);
  return r;
}

// An OperationOutcome with one error issue.
HttpResponse Outcome(int status, std::string_view code,
                     std::string_view diagnostics,
                     std::string_view expression = "") {
  json issue = {
      {"severity", "error"}, {"code", code}, {"diagnostics", diagnostics}};
  if (!expression.empty()) issue["expression"] = json::array({expression});
  json oo = {{"resourceType", "OperationOutcome"},
             {"issue", json::array({issue})}};
  return Fhir(status, oo);
}

std::optional<HttpResponse> RequireJson(const HttpRequest& req) {
  std::string ct(req.header("content-type"));
  ct = ct.substr(0, ct.find(';'));
  while (!ct.empty() && ct.back() == ' ') ct.pop_back();
  for (char& c : ct) c = static_cast<char>(std::tolower(c));
  if (ct == "application/fhir+json" || ct == "application/json") {
    return std::nullopt;
  }
  return Outcome(
      415, "not-supported",
      "send the body as application/fhir+json (or application/json)");
}

std::string Uuid() {
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  std::string hex(33, '\0');
  sodium_bin2hex(hex.data(), hex.size(), b, sizeof b);
  return fmt::format("urn:uuid:{}-{}-{}-{}-{}", hex.substr(0, 8),
                     hex.substr(8, 4), hex.substr(12, 4), hex.substr(16, 4),
                     hex.substr(20, 12));
}

std::string IsoUtc(int64_t ms) { return FormatUtc(ms); }

json Coding(const std::string& system, std::string_view code,
            std::string_view display = "") {
  json c = {{"system", system}, {"code", code}};
  if (!display.empty()) c["display"] = display;
  return c;
}

// The codings of a finding: backaid's own, then the knowledge base's
// standard codes (knowledge/fhir.yaml), if any.
json FindingConcept(const KnowledgeBase& kb, FindingId f) {
  const FindingDef& d = kb.findings()[f];
  json codings = json::array({Coding(FindingSystem(), d.key, d.meaning)});
  for (const StandardCode& sc : FindingCodes(kb, d.key)) {
    codings.push_back(Coding(sc.system, sc.code, sc.display));
  }
  return {{"coding", codings}, {"text", d.meaning}};
}

json LevelConcept(const KnowledgeBase& kb, TriageLevel level) {
  return {{"coding", json::array({Coding(LevelSystem(), LevelName(level))})},
          {"text", kb.level(level).meaning}};
}

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

json QuestionItem(const KnowledgeBase& kb, const assess::Questionnaire& qn,
                  const assess::QuestionDef& qd) {
  const Question& q = qd.view;
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

}  // namespace

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
                         {"text", qd.view.section_title},
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

namespace {

// ---- QuestionnaireResponse -> answers
// ----------------------------------------

struct Decoded {
  std::optional<HttpResponse> error;
  json response;             // the QuestionnaireResponse
  std::string answers_json;  // the answers object for the core
  EpisodeStart start;
};

// Collects every answered item (any depth) by linkId.
bool CollectItems(const json& items, std::map<std::string, const json*>* out,
                  std::string* problem, const std::string& path) {
  if (!items.is_array()) {
    *problem = path + ": must be an array";
    return false;
  }
  for (size_t i = 0; i < items.size(); ++i) {
    const json& it = items[i];
    const std::string here = fmt::format("{}[{}]", path, i);
    if (!it.is_object() || !it.contains("linkId") ||
        !it["linkId"].is_string()) {
      *problem = here + ": an item needs a linkId";
      return false;
    }
    if (it.contains("answer")) {
      const std::string id = it["linkId"];
      if (!out->emplace(id, &it).second) {
        *problem = here + ": linkId '" + id + "' appears twice";
        return false;
      }
      for (const json& a : it["answer"]) {
        if (a.is_object() && a.contains("item") &&
            !CollectItems(a["item"], out, problem, here + ".answer.item")) {
          return false;
        }
      }
    }
    if (it.contains("item") &&
        !CollectItems(it["item"], out, problem, here + ".item")) {
      return false;
    }
  }
  return true;
}

// The core's Reply for one answered item, or a problem.
std::optional<Reply> ToReply(const Question& q, const json& item,
                             std::string* problem) {
  const json& answers = item["answer"];
  if (!answers.is_array() || answers.empty()) {
    *problem = "answer must be a non-empty array";
    return std::nullopt;
  }
  if (q.kind == QuestionKind::kNumber) {
    if (answers.size() != 1 || !answers[0].is_object()) {
      *problem = "one answer expected";
      return std::nullopt;
    }
    const json& a = answers[0];
    for (const char* k : {"valueInteger", "valueDecimal"}) {
      if (a.contains(k) && a[k].is_number()) {
        return Reply::Number(a[k].get<double>());
      }
    }
    if (a.contains("valueCoding") && a["valueCoding"].is_object() &&
        a["valueCoding"].value("code", "") == kNotSure) {
      return Reply::NotSure();
    }
    *problem = "expected valueInteger or valueDecimal";
    return std::nullopt;
  }
  if (q.kind == QuestionKind::kSingle && answers.size() != 1) {
    *problem = "one answer expected (single choice)";
    return std::nullopt;
  }
  Reply r;
  for (const json& a : answers) {
    if (!a.is_object() || !a.contains("valueCoding") ||
        !a["valueCoding"].is_object() || !a["valueCoding"].contains("code") ||
        !a["valueCoding"]["code"].is_string()) {
      *problem = "expected valueCoding with a code";
      return std::nullopt;
    }
    const json& c = a["valueCoding"];
    if (c.contains("system") && c["system"] != OptionSystem()) {
      *problem = "valueCoding.system must be " + OptionSystem();
      return std::nullopt;
    }
    r.options.push_back(c["code"]);
  }
  return r;
}

std::string UnsureOption(const Question& q) {
  if (q.kind == QuestionKind::kNumber) return std::string(kNotSure);
  for (const QuestionOption& o : q.options)
    if (o.role == OptionRole::kUnsure) return o.id;
  return "";
}

// Decodes a QuestionnaireResponse into the answers of the core, replaying
// the assessment: a question the core asks that the response leaves
// unanswered is "not sure" (unknown, never "no"). The result is then read
// by ParseEpisodeStart exactly as POST /v1/assessments reads its answers.
Decoded DecodeResponse(const std::shared_ptr<const KnowledgeBase>& kb,
                       const json& qr, int64_t now) {
  Decoded d;
  auto fail = [&](int status, std::string_view code, std::string msg,
                  std::string_view expr = "") {
    d.error = Outcome(status, code, msg, expr);
    return d;
  };
  if (!qr.is_object() ||
      qr.value("resourceType", "") != "QuestionnaireResponse")
    return fail(400, "structure", "expected a QuestionnaireResponse");
  if (qr.contains("questionnaire")) {
    if (!qr["questionnaire"].is_string())
      return fail(400, "structure", "questionnaire must be a canonical URL");
    std::string q = qr["questionnaire"];
    const size_t bar = q.find('|');
    std::string version = bar == q.npos ? "" : q.substr(bar + 1);
    q = q.substr(0, bar);
    if (q != QuestionnaireUrl() &&
        q != std::string("Questionnaire/") + kQuestionnaireId) {
      return fail(
          422, "not-found",
          "unknown questionnaire '" + q + "'; expected " + QuestionnaireUrl(),
          "QuestionnaireResponse.questionnaire");
    }
    if (!version.empty() && version != kb->version()) {
      return fail(422, "business-rule",
                  "the response answers questionnaire version " + version +
                      " but this server has " + kb->version(),
                  "QuestionnaireResponse.questionnaire");
    }
  }
  if (!qr.contains("status") || !qr["status"].is_string())
    return fail(400, "required", "status is required",
                "QuestionnaireResponse.status");
  std::map<std::string, const json*> items;
  std::string problem;
  if (qr.contains("item") &&
      !CollectItems(qr["item"], &items, &problem, "QuestionnaireResponse.item"))
    return fail(400, "structure", problem);
  const auto* model = assess::QuestionnaireOf(*kb);
  if (model == nullptr)
    return fail(500, "exception", "this knowledge base has no questionnaire");
  std::map<std::string, Reply> replies;
  for (const auto& [id, item] : items) {
    if (id.size() > 5 && id.compare(id.size() - 5, 5, ".help") == 0) continue;
    auto at = model->index.find(id);
    if (at == model->index.end())
      return fail(422, "not-found", "unknown linkId '" + id + "'",
                  "QuestionnaireResponse.item");
    auto reply = ToReply(model->questions[at->second].view, *item, &problem);
    if (!reply.has_value())
      return fail(422, "invalid", id + ": " + problem,
                  "QuestionnaireResponse.item");
    replies.emplace(id, std::move(*reply));
  }
  // Replay in asking order; unanswered asked questions are "not sure".
  auto session = Assessment::Start(kb);
  if (!session.ok())
    return fail(500, "exception", std::string(session.status().message()));
  std::set<std::string> used;
  while (const Question* q = session->NextQuestion()) {
    auto it = replies.find(q->id);
    Reply r;
    if (it != replies.end()) {
      r = it->second;
      used.insert(q->id);
    } else {
      const std::string unsure = UnsureOption(*q);
      if (unsure.empty()) break;  // the core reports the gap below
      r = Reply::Option(unsure);
    }
    Status s = session->Answer(r);
    if (!s.ok())
      return fail(422, "invalid", q->id + ": " + std::string(s.message()),
                  "QuestionnaireResponse.item");
  }
  // Answers the session did not ask (after an emergency, or skipped):
  // handed to the core as given; it applies the first and rejects the
  // second, exactly as for POST /v1/assessments.
  auto answered = session->answers();
  for (const auto& [id, r] : replies)
    if (!used.count(id)) answered.emplace_back(id, r);
  std::string body = "{\"answers\":";
  AppendAnswersJson(answered, &body);
  d.answers_json = body.substr(11);
  body += "}";
  auto start = ParseEpisodeStart(*kb, body, now);
  if (!start.ok())
    return fail(422, "invalid", std::string(start.status().message()),
                "QuestionnaireResponse.item");
  d.start = std::move(*start);
  d.response = qr;
  return d;
}

// SDC $next-question: the answers of the response exactly as given (no
// "not sure" filled in), resumed by the core as POST /v1/assessments
// resumes them; the next question it asks, or none when finished.
struct NextStep {
  std::optional<HttpResponse> error;
  const assess::QuestionDef* next = nullptr;
  std::vector<std::string> answered;  // linkIds, in asking order
};

NextStep NextQuestionOf(const std::shared_ptr<const KnowledgeBase>& kb,
                        const json& qr) {
  NextStep out;
  if (!qr.is_object() ||
      qr.value("resourceType", "") != "QuestionnaireResponse") {
    out.error = Outcome(400, "structure", "expected a QuestionnaireResponse");
    return out;
  }
  std::map<std::string, const json*> items;
  std::string problem;
  if (qr.contains("item") && !CollectItems(qr["item"], &items, &problem,
                                           "QuestionnaireResponse.item")) {
    out.error = Outcome(400, "structure", problem);
    return out;
  }
  const auto* model = assess::QuestionnaireOf(*kb);
  if (model == nullptr) {
    out.error = Outcome(500, "exception", "no questionnaire");
    return out;
  }
  std::vector<std::pair<std::string, Reply>> answers;
  for (const auto& [id, item] : items) {
    if (id.size() > 5 && id.compare(id.size() - 5, 5, ".help") == 0) continue;
    auto at = model->index.find(id);
    if (at == model->index.end()) {
      out.error = Outcome(422, "not-found", "unknown linkId '" + id + "'",
                          "QuestionnaireResponse.item");
      return out;
    }
    auto reply = ToReply(model->questions[at->second].view, *item, &problem);
    if (!reply.has_value()) {
      out.error = Outcome(422, "invalid", id + ": " + problem,
                          "QuestionnaireResponse.item");
      return out;
    }
    answers.emplace_back(id, std::move(*reply));
  }
  // An item that is present without an answer was asked and left open:
  // "not sure" (a number item cannot carry the "not sure" option).
  std::function<void(const json&)> open_items = [&](const json& list) {
    if (!list.is_array()) return;
    for (const json& it : list) {
      if (!it.is_object()) continue;
      if (it.contains("item")) open_items(it["item"]);
      if (it.contains("answer") || !it.contains("linkId") ||
          !it["linkId"].is_string()) {
        continue;
      }
      auto at = model->index.find(it["linkId"].get<std::string>());
      if (at == model->index.end() || items.count(at->first)) continue;
      const std::string unsure =
          UnsureOption(model->questions[at->second].view);
      if (unsure.empty()) continue;
      answers.emplace_back(at->first, unsure == kNotSure
                                          ? Reply::NotSure()
                                          : Reply::Option(unsure));
    }
  };
  if (qr.contains("item")) open_items(qr["item"]);
  std::string answers_json;
  AppendAnswersJson(answers, &answers_json);
  auto session = ResumeAssessment(kb, answers_json);
  if (!session.ok()) {
    out.error = Outcome(422, "invalid", session.status().message(),
                        "QuestionnaireResponse.item");
    return out;
  }
  for (const auto& [id, r] : session->answers()) out.answered.push_back(id);
  if (const Question* q = session->NextQuestion()) {
    out.next = &model->questions[model->index.at(q->id)];
  }
  return out;
}

// ---- the Bundle
// ---------------------------------------------------------------

json Ref(const std::string& full_url) { return {{"reference", full_url}}; }

std::string PlainList(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : "; ") + x;
  return s;
}

json TriageBundle(const KnowledgeBase& kb, const Decoded& d, int64_t now) {
  const Case& c = d.start.initial;
  const TriageResult result = Evaluate(kb, c);
  auto plan = BuildCarePlan(kb, c, result);
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
    const std::string number =
        std::string(EmergencyNumber(d.start.region).value_or("112"));
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

// ---- handlers
// -----------------------------------------------------------------

class FhirFront {
 public:
  explicit FhirFront(FhirContext ctx) : ctx_(std::move(ctx)) {
    if (!ctx_.now_ms) {
      ctx_.now_ms = [] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
      };
    }
    questionnaire_ = QuestionnaireJson(*ctx_.kb);
    metadata_ = CapabilityStatementJson(*ctx_.kb);
  }

  HttpResponse Metadata(const HttpRequest&) { return Raw(metadata_); }

  HttpResponse ReadQuestionnaire(const HttpRequest& req) {
    if (req.params.at(0) == "$next-question") {
      // An operation path under the {id} template: only POST is served.
      HttpResponse r = Outcome(405, "not-supported",
                               "$next-question is invoked with POST");
      r.headers.emplace_back("Allow", "POST");
      return r;
    }
    if (req.params.at(0) != kQuestionnaireId) {
      return Outcome(404, "not-found",
                     "no Questionnaire with id '" + req.params.at(0) + "'");
    }
    return Raw(questionnaire_);
  }

  // GET /fhir/Questionnaire[?url=..]: a searchset Bundle.
  HttpResponse SearchQuestionnaire(const HttpRequest& req) {
    std::string url;
    bool match = true;
    for (std::string_view q = req.query; !q.empty();) {
      const size_t amp = q.find('&');
      std::string_view kv = q.substr(0, amp);
      q = amp == q.npos ? std::string_view() : q.substr(amp + 1);
      if (kv.substr(0, 4) == "url=") {
        url = Unescape(kv.substr(4));
        const size_t bar = url.find('|');
        match = url.substr(0, bar) == QuestionnaireUrl() &&
                (bar == url.npos || url.substr(bar + 1) == ctx_.kb->version());
      }
    }
    json b = {{"resourceType", "Bundle"},
              {"type", "searchset"},
              {"total", match ? 1 : 0}};
    if (match) {
      b["entry"] = json::array(
          {{{"fullUrl", std::string("Questionnaire/") + kQuestionnaireId},
            {"resource", json::parse(questionnaire_)},
            {"search", {{"mode", "match"}}}}});
    }
    return Fhir(200, b);
  }

  HttpResponse Triage(const HttpRequest& req) {
    if (auto r = RequireJson(req)) return *r;
    json in = json::parse(req.body, nullptr, false);
    if (in.is_discarded()) return Outcome(400, "structure", "not JSON");
    if (!in.is_object() || in.value("resourceType", "") != "Parameters" ||
        !in.contains("parameter") || !in["parameter"].is_array()) {
      return Outcome(400, "structure", "expected a Parameters resource");
    }
    const json* qr = nullptr;
    for (const json& p : in["parameter"]) {
      if (p.is_object() && p.value("name", "") == "response" &&
          p.contains("resource")) {
        qr = &p["resource"];
      }
    }
    if (qr == nullptr) {
      return Outcome(400, "required",
                     "parameter 'response' (a QuestionnaireResponse) is "
                     "required",
                     "Parameters.parameter");
    }
    return Run(*qr);
  }

  // SDC $extract: the QuestionnaireResponse itself, or a Parameters with
  // 'questionnaire-response'.
  HttpResponse Extract(const HttpRequest& req) {
    if (auto r = RequireJson(req)) return *r;
    json in = json::parse(req.body, nullptr, false);
    if (in.is_discarded()) return Outcome(400, "structure", "not JSON");
    if (in.is_object() && in.value("resourceType", "") == "Parameters" &&
        in.contains("parameter") && in["parameter"].is_array()) {
      for (const json& p : in["parameter"]) {
        if (p.is_object() && p.value("name", "") == "questionnaire-response" &&
            p.contains("resource")) {
          return Run(p["resource"]);
        }
      }
      return Outcome(400, "required",
                     "parameter 'questionnaire-response' is required",
                     "Parameters.parameter");
    }
    return Run(in);
  }

  // SDC adaptive form: the response comes back with a contained
  // Questionnaire holding the questions asked so far plus the next one the
  // core asks (status in-progress), or, when the core asks nothing more,
  // status completed.
  HttpResponse NextQuestion(const HttpRequest& req) {
    if (auto r = RequireJson(req)) return *r;
    json in = json::parse(req.body, nullptr, false);
    if (in.is_discarded()) return Outcome(400, "structure", "not JSON");
    json qr = in;
    if (in.is_object() && in.value("resourceType", "") == "Parameters") {
      qr = json();
      if (in.contains("parameter") && in["parameter"].is_array()) {
        for (const json& p : in["parameter"]) {
          if (p.is_object() &&
              p.value("name", "") == "questionnaire-response" &&
              p.contains("resource")) {
            qr = p["resource"];
          }
        }
      }
      if (qr.is_null()) {
        return Outcome(400, "required",
                       "parameter 'questionnaire-response' is required",
                       "Parameters.parameter");
      }
    }
    NextStep step = NextQuestionOf(ctx_.kb, qr);
    if (step.error.has_value()) return *step.error;
    const auto& model = *assess::QuestionnaireOf(*ctx_.kb);
    json items = json::array();
    for (const std::string& id : step.answered) {
      json item =
          QuestionItem(*ctx_.kb, model, model.questions[model.index.at(id)]);
      item.erase("enableWhen");
      item.erase("enableBehavior");
      items.push_back(std::move(item));
    }
    if (step.next != nullptr) {
      json item = QuestionItem(*ctx_.kb, model, *step.next);
      item.erase("enableWhen");
      item.erase("enableBehavior");
      items.push_back(std::move(item));
    }
    json contained = {
        {"resourceType", "Questionnaire"},
        {"id", "adaptive"},
        {"url", QuestionnaireUrl() + "-adaptive"},
        {"version", ctx_.kb->version()},
        {"status", "active"},
        {"derivedFrom",
         json::array({QuestionnaireUrl() + "|" + ctx_.kb->version()})},
        {"extension",
         json::array({{{"url",
                        "http://hl7.org/fhir/uv/sdc/StructureDefinition/"
                        "sdc-questionnaire-questionnaireAdaptive"},
                       {"valueBoolean", true}}})},
        {"item", items}};
    json out = qr;
    out["contained"] = json::array({contained});
    out["questionnaire"] = "#adaptive";
    out["status"] = step.next == nullptr ? "completed" : "in-progress";
    return Fhir(200, out);
  }

 private:
  static HttpResponse Raw(const std::string& body) {
    HttpResponse r;
    r.content_type = kFhirJson;
    r.body = body;
    return r;
  }

  static std::string Unescape(std::string_view s) {
    auto hex = [](char c) {
      return c >= '0' && c <= '9'   ? c - '0'
             : c >= 'a' && c <= 'f' ? c - 'a' + 10
             : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                    : -1;
    };
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 &&
          hex(s[i + 2]) >= 0) {
        out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
        i += 2;
      } else {
        out += s[i] == '+' ? ' ' : s[i];
      }
    }
    return out;
  }

  HttpResponse Run(const json& qr) {
    const int64_t now = ctx_.now_ms();
    Decoded d = DecodeResponse(ctx_.kb, qr, now);
    if (d.error.has_value()) return *d.error;
    return Fhir(200, TriageBundle(*ctx_.kb, d, now));
  }

  FhirContext ctx_;
  std::string questionnaire_;
  std::string metadata_;
};

}  // namespace

Result<ResponseTriage> TriageQuestionnaireResponse(
    const std::shared_ptr<const KnowledgeBase>& kb, std::string_view qr_json,
    int64_t now_ms) {
  json qr = json::parse(qr_json, nullptr, false);
  if (qr.is_discarded()) return Status::InvalidArgument("not JSON");
  Decoded d = DecodeResponse(kb, qr, now_ms);
  if (d.error.has_value()) {
    json oo = json::parse(d.error->body, nullptr, false);
    std::string msg = "invalid QuestionnaireResponse";
    if (!oo.is_discarded()) msg = oo["issue"][0].value("diagnostics", msg);
    return Status::InvalidArgument(msg);
  }
  ResponseTriage out;
  out.start = std::move(d.start);
  out.result = Evaluate(*kb, out.start.initial);
  return out;
}

std::vector<std::pair<std::string, std::string>> RouteList() {
  return {
      {"GET", "/fhir/metadata"},
      {"GET", "/fhir/Questionnaire"},
      {"GET", "/fhir/Questionnaire/{id}"},
      {"POST", "/fhir/$triage"},
      {"POST", "/fhir/QuestionnaireResponse/$extract"},
      {"POST", "/fhir/Questionnaire/$next-question"},
  };
}

// Called by api::RegisterRoutes after it has started libsodium (whose
// failure it reports as a Status), so randombytes_buf is ready here.
void RegisterRoutes(server::HttpServer& http, FhirContext ctx) {
  auto f = std::make_shared<FhirFront>(std::move(ctx));
  using Method = HttpResponse (FhirFront::*)(const HttpRequest&);
  auto bind = [&](const char* method, const char* path, Method m) {
    http.Route(method, path,
               [f, m](const HttpRequest& req) { return ((*f).*m)(req); });
  };
  bind("GET", "/fhir/metadata", &FhirFront::Metadata);
  bind("GET", "/fhir/Questionnaire", &FhirFront::SearchQuestionnaire);
  bind("GET", "/fhir/Questionnaire/{id}", &FhirFront::ReadQuestionnaire);
  bind("POST", "/fhir/$triage", &FhirFront::Triage);
  bind("POST", "/fhir/QuestionnaireResponse/$extract", &FhirFront::Extract);
  bind("POST", "/fhir/Questionnaire/$next-question", &FhirFront::NextQuestion);
}

}  // namespace backaid::fhir
