// YAML reading helpers shared by the core loader and the extension loaders.
#include <fmt/format.h>

#include <cmath>
#include <string>

#include "src/knowledge/build.h"

namespace backaid::kb {

const char* KindName(const YAML::Node& node) {
  if (!node.IsDefined()) return "missing";
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a value";
    default:
      return "empty";
  }
}

SourceLocation Where(const std::string& file, const YAML::Node& node) {
  return YamlLint(file, nullptr).Where(node);
}

void CheckKeys(Reporter& r, const std::string& file, const YAML::Node& map,
               std::initializer_list<std::string_view> allowed,
               std::string_view what) {
  YamlLint(file, r.issues()).CheckKeys(map, allowed, what);
}

bool GetString(Reporter& r, const std::string& file, const YAML::Node& map,
               const char* key, std::string* out, bool required,
               std::string_view what) {
  const YAML::Node n = map[key];
  if (!n.IsDefined() || n.IsNull()) {
    if (required) {
      r.At(file, map, fmt::format("{} is missing '{}'", what, key));
    }
    return false;
  }
  if (!n.IsScalar()) {
    r.At(file, n, fmt::format("'{}' in {} must be text", key, what));
    return false;
  }
  *out = n.Scalar();
  if (required && out->empty()) {
    r.At(file, n, fmt::format("'{}' in {} is empty", key, what));
    return false;
  }
  return true;
}

std::vector<std::pair<std::string, YAML::Node>> GetStringList(
    Reporter& r, const std::string& file, const YAML::Node& map,
    const char* key, std::string_view what) {
  std::vector<std::pair<std::string, YAML::Node>> out;
  const YAML::Node n = map[key];
  if (!n.IsDefined() || n.IsNull()) return out;
  if (!n.IsSequence()) {
    r.At(file, n, fmt::format("'{}' in {} must be a list", key, what));
    return out;
  }
  for (const auto& item : n) {
    if (!item.IsScalar()) {
      r.At(file, item,
           fmt::format("items of '{}' in {} must be text", key, what));
      continue;
    }
    out.emplace_back(item.Scalar(), item);
  }
  return out;
}

std::optional<double> YamlNumber(const YAML::Node& n) {
  if (!n.IsScalar()) return std::nullopt;
  try {
    const std::string& s = n.Scalar();
    size_t used = 0;
    const double v = std::stod(s, &used);
    if (used != s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<int> YamlInt(const YAML::Node& n) {
  if (!n.IsScalar()) return std::nullopt;
  try {
    const std::string& s = n.Scalar();
    size_t used = 0;
    const int v = std::stoi(s, &used);
    if (used != s.size()) return std::nullopt;
    return v;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace backaid::kb
