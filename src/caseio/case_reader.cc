// Case reader on simdjson On-Demand: one forward pass over each case,
// finding keys looked up in a small open-addressing table.
#include <fmt/format.h>
#include <simdjson.h>

#include <cmath>
#include <cstring>

#include "backaid/case_json.h"
#include "src/knowledge/program.h"

namespace backaid {
namespace {

using simdjson::error_code;
namespace od = simdjson::ondemand;

constexpr uint32_t Fnv1a(std::string_view s) {
  uint32_t h = 2166136261u;
  for (char c : s) {
    h ^= static_cast<uint8_t>(c);
    h *= 16777619u;
  }
  return h;
}

// Maps finding keys to ids; built once per reader.
class KeyTable {
 public:
  explicit KeyTable(const std::vector<FindingDef>& findings) {
    size_t size = 16;
    while (size < findings.size() * 4) size <<= 1;
    slots_.assign(size, Slot{});
    mask_ = size - 1;
    for (size_t i = 0; i < findings.size(); ++i) {
      const std::string_view key = findings[i].key;
      uint32_t pos = Fnv1a(key) & mask_;
      while (slots_[pos].key.data() != nullptr) pos = (pos + 1) & mask_;
      slots_[pos] = Slot{key, static_cast<FindingId>(i)};
    }
  }

  // Returns the id or -1.
  int Find(std::string_view key) const {
    uint32_t pos = Fnv1a(key) & mask_;
    while (slots_[pos].key.data() != nullptr) {
      if (slots_[pos].key == key) return slots_[pos].id;
      pos = (pos + 1) & mask_;
    }
    return -1;
  }

 private:
  struct Slot {
    std::string_view key;
    FindingId id = 0;
  };
  std::vector<Slot> slots_;
  uint32_t mask_ = 0;
};

std::string Describe(error_code e) {
  switch (e) {
    case simdjson::INCORRECT_TYPE:
      return "wrong type";
    case simdjson::NUMBER_ERROR:
    case simdjson::NUMBER_OUT_OF_RANGE:
      return "number out of range";
    case simdjson::UTF8_ERROR:
      return "invalid UTF-8";
    case simdjson::STRING_ERROR:
    case simdjson::UNCLOSED_STRING:
      return "malformed string";
    case simdjson::EMPTY:
      return "empty input";
    default:
      return std::string("malformed JSON (") + simdjson::error_message(e) + ")";
  }
}

const char* JsonTypeName(od::json_type t) {
  switch (t) {
    case od::json_type::array:
      return "an array";
    case od::json_type::object:
      return "an object";
    case od::json_type::number:
      return "a number";
    case od::json_type::string:
      return "a string";
    case od::json_type::boolean:
      return "true/false";
    case od::json_type::null:
      return "null";
  }
  return "a value";
}

// Whether `v` is the literal null; false for a malformed literal (`nul`,
// `noroal`), never an exception (found by fuzz_case_reader).
bool IsNull(od::value& v) {
  bool is_null = false;
  return !v.is_null().get(is_null) && is_null;
}

// Walks a value we otherwise ignore so malformed JSON inside it is caught.
error_code Skip(od::value v, int depth) {
  if (depth > 64) return simdjson::DEPTH_ERROR;
  od::json_type t;
  if (auto e = v.type().get(t)) return e;
  switch (t) {
    case od::json_type::array: {
      od::array a;
      if (auto e = v.get_array().get(a)) return e;
      for (auto item : a) {
        od::value child;
        if (auto e = item.get(child)) return e;
        if (auto e = Skip(child, depth + 1)) return e;
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::object: {
      od::object o;
      if (auto e = v.get_object().get(o)) return e;
      for (auto field : o) {
        std::string_view k;
        if (auto e = field.unescaped_key().get(k)) return e;
        od::value child;
        if (auto e = field.value().get(child)) return e;
        if (auto e = Skip(child, depth + 1)) return e;
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::number: {
      double d;
      return v.get_double().get(d);
    }
    case od::json_type::string: {
      std::string_view s;
      return v.get_string().get(s);
    }
    case od::json_type::boolean: {
      bool b;
      return v.get_bool().get(b);
    }
    case od::json_type::null:
      // is_null() is a simdjson_result: its error must be read, not
      // converted (that throws on a malformed literal such as `nul`).
      return IsNull(v) ? simdjson::SUCCESS : simdjson::INCORRECT_TYPE;
  }
  return simdjson::SUCCESS;
}

}  // namespace

struct CaseReader::Impl {
  explicit Impl(const KnowledgeBase& k) : kb(k), keys(k.findings()) {
    age = *k.FindFinding("age");
    sex = *k.FindFinding("sex");
  }

  // Encodes one finding value; returns an error message or empty.
  // `in_findings`: the key sits in "findings" (messages say
  // "findings.<key>"); the message is only built on error.
  std::string Encode(const FindingDef& def, bool in_findings, od::value v,
                     int32_t* out) {
    const auto where = [&] {
      return in_findings ? "findings." + def.key : def.key;
    };
    od::json_type t;
    if (auto e = v.type().get(t))
      return fmt::format("{}: {}", where(), Describe(e));
    if (t == od::json_type::null) {
      if (!IsNull(v)) return fmt::format("{}: malformed null", where());
      *out = kUnknown;
      return {};
    }
    switch (def.type) {
      case FindingType::kBool: {
        if (t != od::json_type::boolean)
          return fmt::format("{}: must be true or false, not {}", where(),
                             JsonTypeName(t));
        bool b;
        if (auto e = v.get_bool().get(b))
          return fmt::format("{}: {}", where(), Describe(e));
        *out = b ? 1 : 0;
        return {};
      }
      case FindingType::kEnum: {
        if (t != od::json_type::string)
          return fmt::format("{}: must be one of {}, not {}", where(),
                             EnumList(def), JsonTypeName(t));
        std::string_view s;
        if (auto e = v.get_string().get(s))
          return fmt::format("{}: {}", where(), Describe(e));
        for (size_t i = 0; i < def.values.size(); ++i) {
          if (def.values[i] == s) {
            *out = static_cast<int32_t>(i);
            return {};
          }
        }
        return fmt::format("{}: '{}' is not one of {}", where(), Truncate(s),
                           EnumList(def));
      }
      case FindingType::kInt:
      case FindingType::kNumber: {
        if (t != od::json_type::number)
          return fmt::format("{}: must be a number, not {}", where(),
                             JsonTypeName(t));
        double d;
        int64_t i;
        if (!v.get_int64().get(i)) {
          d = static_cast<double>(i);
        } else if (auto e = v.get_double().get(d)) {
          return fmt::format("{}: {}", where(), Describe(e));
        }
        // A literal such as 1e-400 underflows to 0: not the value sent.
        if (d == 0 && NonZeroMantissa(v.raw_json_token()))
          return fmt::format("{}: {} is too small to be a score", where(),
                             Truncate(TrimRaw(v.raw_json_token())));
        const double lo = static_cast<double>(def.min) / def.scale;
        const double hi = static_cast<double>(def.max) / def.scale;
        if (def.type == FindingType::kInt && d != std::floor(d))
          return fmt::format("{}: must be a whole number, not {}", where(), d);
        if (!(d >= lo && d <= hi))
          return fmt::format("{}: {} is out of range {}..{}", where(), d, lo,
                             hi);
        *out = static_cast<int32_t>(std::lround(d * def.scale));
        return {};
      }
    }
    return fmt::format("{}: unsupported type", where());
  }

  // Whether a number's literal has a non-zero digit before its exponent.
  static bool NonZeroMantissa(std::string_view raw) {
    for (char ch : raw) {
      if (ch == 'e' || ch == 'E') break;
      if (ch >= '1' && ch <= '9') return true;
    }
    return false;
  }
  static std::string_view TrimRaw(std::string_view raw) {
    while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' ||
                            raw.back() == '\r' || raw.back() == '\t'))
      raw.remove_suffix(1);
    return raw;
  }

  static std::string EnumList(const FindingDef& def) {
    std::string s;
    for (const auto& v : def.values) {
      if (!s.empty()) s += ", ";
      s += v;
    }
    return s;
  }

  static std::string Truncate(std::string_view s) {
    if (s.size() <= 40) return std::string(s);
    return std::string(s.substr(0, 40)) + "...";
  }

  std::string ReadFindings(od::value v, Case* c) {
    od::object obj;
    if (auto e = v.get_object().get(obj)) {
      return e == simdjson::INCORRECT_TYPE ? "findings: must be an object"
                                           : "findings: " + Describe(e);
    }
    FindingSet seen;
    for (auto field : obj) {
      std::string_view key;
      if (auto e = field.unescaped_key().get(key))
        return "findings: " + Describe(e);
      const int id = keys.Find(key);
      if (id < 0 || id == age || id == sex) {
        return fmt::format("findings: unknown key '{}'", Truncate(key));
      }
      if (seen.test(id)) return fmt::format("findings.{}: duplicate key", key);
      seen.set(id);
      od::value val;
      if (auto e = field.value().get(val))
        return fmt::format("findings.{}: {}", key, Describe(e));
      int32_t enc;
      std::string err = Encode(kb.findings()[id], true, val, &enc);
      if (!err.empty()) return err;
      kb.SetFinding(static_cast<FindingId>(id), enc, c);
    }
    return {};
  }

  std::string ReadExpected(od::value v, ExpectedOutcome* expected) {
    od::object obj;
    if (v.get_object().get(obj)) return "expected: must be an object";
    ExpectedOutcome out;
    out.present = true;
    bool has_triage = false;
    for (auto field : obj) {
      std::string_view key;
      if (auto e = field.unescaped_key().get(key))
        return "expected: " + Describe(e);
      od::value val;
      if (auto e = field.value().get(val)) return "expected: " + Describe(e);
      if (key == "triage") {
        std::string_view s;
        if (val.get_string().get(s)) return "expected.triage: must be a string";
        auto level = ParseLevel(s);
        if (!level)
          return fmt::format("expected.triage: unknown level '{}'",
                             Truncate(s));
        out.level = *level;
        has_triage = true;
      } else if (key == "conditions") {
        od::array arr;
        if (val.get_array().get(arr))
          return "expected.conditions: must be an array";
        for (auto item : arr) {
          std::string_view s;
          if (item.get_string().get(s))
            return "expected.conditions: items must be strings";
          auto cond = kb.FindCondition(s);
          if (!cond)
            return fmt::format("expected.conditions: unknown condition '{}'",
                               Truncate(s));
          out.conditions |= 1u << *cond;
        }
      } else if (key == "as_given_only") {
        // The case tests an answer that is missing; the interview protocol,
        // which answers every question, does not apply. Its value says why.
        std::string_view s;
        if (val.get_string().get(s) || s.empty())
          return "expected.as_given_only: must be a non-empty string (the "
                 "reason)";
        out.as_given_only = true;
      } else {
        if (auto e = Skip(val, 1)) return "expected: " + Describe(e);
      }
    }
    if (!has_triage) return "expected: missing 'triage'";
    if (expected) *expected = out;
    return {};
  }

  std::string ReadCase(const char* json, size_t size, size_t capacity, Case* c,
                       ExpectedOutcome* expected) {
    if (c->values.size() != kb.findings().size())
      *c = kb.NewCase();
    else {
      std::fill(c->values.begin(), c->values.end(), kUnknown);
      c->abnormal.reset();
      c->known.reset();
      c->not_needed.reset();
    }
    c->id.clear();
    if (expected) *expected = ExpectedOutcome{};
    od::document doc;
    if (auto e = parser.iterate(json, size, capacity).get(doc))
      return Describe(e);
    od::object obj;
    if (auto e = doc.get_object().get(obj)) {
      return e == simdjson::INCORRECT_TYPE ? "a case must be a JSON object"
                                           : Describe(e);
    }
    bool has_id = false, has_age = false, has_sex = false, has_findings = false;
    std::string error;
    for (auto field : obj) {
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return Describe(e);
      od::value v;
      if (auto e = field.value().get(v)) return Describe(e);
      if (key == "id") {
        if (has_id) return "id: duplicate key";
        std::string_view s;
        if (v.get_string().get(s)) return "id: must be a string";
        if (s.empty()) return "id: must not be empty";
        if (s.find('\0') != std::string_view::npos)
          return "id: must not contain U+0000";
        if (s.size() > 200) return "id: longer than 200 characters";
        c->id.assign(s);
        has_id = true;
      } else if (key == "age") {
        if (has_age) return "age: duplicate key";
        int32_t enc;
        error = Encode(kb.findings()[age], false, v, &enc);
        if (!error.empty()) return error;
        kb.SetFinding(age, enc, c);
        has_age = true;
      } else if (key == "sex") {
        if (has_sex) return "sex: duplicate key";
        int32_t enc;
        error = Encode(kb.findings()[sex], false, v, &enc);
        if (!error.empty()) return error;
        kb.SetFinding(sex, enc, c);
        has_sex = true;
      } else if (key == "findings") {
        if (has_findings) return "findings: duplicate key";
        error = ReadFindings(v, c);
        if (!error.empty()) return error;
        has_findings = true;
      } else if (key == "expected") {
        error = ReadExpected(v, expected);
        if (!error.empty()) return error;
      } else {
        // narrative, source and other annotations are ignored, but must
        // still be well-formed JSON.
        if (auto e = Skip(v, 1))
          return fmt::format("{}: {}", Truncate(key), Describe(e));
      }
    }
    // simdjson 3.0 has no document::at_end(); current_location() reports
    // OUT_OF_BOUNDS exactly when nothing follows the object.
    const char* trailing = nullptr;
    if (doc.current_location().get(trailing) != simdjson::OUT_OF_BOUNDS) {
      return "unexpected content after the case object";
    }
    if (!has_id) return "missing 'id'";
    if (!has_findings) return "missing 'findings'";
    return {};
  }

  // After an error: tries to recover the id for the error line.
  void RecoverId(const char* json, size_t size, size_t capacity, Case* c) {
    if (!c->id.empty()) return;
    simdjson::dom::element root;
    if (dom_parser.parse(reinterpret_cast<const uint8_t*>(json), size, false)
            .get(root))
      return;
    std::string_view id;
    if (!root["id"].get_string().get(id) && id.size() <= 200) c->id.assign(id);
    (void)capacity;
  }

  const KnowledgeBase& kb;
  KeyTable keys;
  FindingId age, sex;
  od::parser parser;
  simdjson::dom::parser dom_parser;
  std::string padded;
};

CaseReader::CaseReader(const KnowledgeBase& kb)
    : impl_(std::make_unique<Impl>(kb)) {}
CaseReader::~CaseReader() = default;

Status CaseReader::Read(const char* json, size_t size, size_t capacity, Case* c,
                        ExpectedOutcome* expected) {
  std::string err = impl_->ReadCase(json, size, capacity, c, expected);
  if (err.empty()) return Status::Ok();
  impl_->RecoverId(json, size, capacity, c);
  return Status::InvalidArgument(std::move(err));
}

Status CaseReader::Read(std::string_view json, Case* c,
                        ExpectedOutcome* expected) {
  std::string& buf = impl_->padded;
  buf.assign(json);
  const size_t size = buf.size();
  buf.resize(size + simdjson::SIMDJSON_PADDING, '\0');
  return Read(buf.data(), size, buf.size(), c, expected);
}

}  // namespace backaid
