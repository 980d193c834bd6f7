// The JSON fragments rendered once at load (see program.h).
#include "src/knowledge/build.h"

namespace backaid::kb {

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

void RenderJson(KnowledgeBase::Impl* impl) {
  for (const auto& f : impl->findings) {
    impl->finding_json.push_back(JsonString(f.key));
    std::vector<std::string> values;
    if (f.type == FindingType::kBool) {
      values = {JsonString(f.key + "=false"), JsonString(f.key)};
    } else if (f.type == FindingType::kEnum) {
      for (const auto& v : f.values)
        values.push_back(JsonString(f.key + "=" + v));
    }
    impl->finding_value_json.push_back(std::move(values));
  }
  for (const auto& c : impl->conditions)
    impl->condition_json.push_back(JsonString(c.id));
  for (const auto& s : impl->services)
    impl->service_json.push_back(JsonString(s.id));
  for (const auto& r : impl->rules) {
    std::string s = "{\"rule\":" + JsonString(r.id) +
                    ",\"level\":" + JsonString(LevelName(r.level)) +
                    ",\"reason\":" + JsonString(r.reason) + ",\"sources\":[";
    for (size_t i = 0; i < r.sources.size(); ++i) {
      if (i) s += ',';
      s += JsonString(impl->sources[r.sources[i]].cite);
    }
    s += "],\"because\":[";
    impl->rule_json.push_back(std::move(s));
    impl->undetermined_json.push_back(
        "{\"rule\":" + JsonString(r.id) +
        ",\"level\":" + JsonString(LevelName(r.level)) + ",\"missing\":");
  }
  impl->version_json = JsonString(impl->version);
}

}  // namespace backaid::kb
