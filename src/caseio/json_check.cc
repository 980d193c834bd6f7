#include "src/caseio/json_check.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <string>
#include <unordered_set>

namespace backaid {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

std::string Join(const std::vector<std::string_view>& names) {
  std::string s;
  for (const auto& n : names) {
    if (!s.empty()) s += ", ";
    s += n;
  }
  return s;
}

// Walks the document; `path` names where we are ("findings.note").
Status Walk(element e, const std::string& path, const JsonLimits& limits) {
  switch (e.type()) {
    case element_type::OBJECT: {
      size_t n = 0;
      // A named copy: iterating the simdjson_result temporary would
      // dangle.
      const simdjson::dom::object object = e.get_object().value_unsafe();
      std::unordered_set<std::string_view> seen;
      for (auto field : object) {
        if (++n > limits.max_members) {
          return Status::InvalidArgument(
              fmt::format("{}: more than {} members",
                          path.empty() ? "body" : path, limits.max_members));
        }
        const std::string_view key = field.key;
        if (key.find('\0') != std::string_view::npos) {
          return Status::InvalidArgument(
              fmt::format("{}: a member name contains U+0000",
                          path.empty() ? "body" : path));
        }
        if (key.size() > limits.max_string_bytes) {
          return Status::InvalidArgument(fmt::format(
              "{}: a member name is longer than {} bytes",
              path.empty() ? "body" : path, limits.max_string_bytes));
        }
        const std::string child =
            path.empty() ? std::string(key) : path + "." + std::string(key);
        if (!seen.insert(key).second) {
          // Two readers could take different values of one member.
          return Status::InvalidArgument(fmt::format(
              "{}: duplicate key",
              child.size() > 64 ? child.substr(0, 64) + "..." : child));
        }
        Status s = Walk(field.value, child, limits);
        if (!s.ok()) return s;
      }
      return Status::Ok();
    }
    case element_type::ARRAY: {
      size_t i = 0;
      const simdjson::dom::array array = e.get_array().value_unsafe();
      for (element item : array) {
        if (i >= limits.max_members) {
          return Status::InvalidArgument(
              fmt::format("{}: more than {} items", path, limits.max_members));
        }
        Status s = Walk(item, fmt::format("{}[{}]", path, i), limits);
        if (!s.ok()) return s;
        ++i;
      }
      return Status::Ok();
    }
    case element_type::STRING:
      if (e.get_string().value_unsafe().size() > limits.max_string_bytes) {
        return Status::InvalidArgument(fmt::format(
            "{}: string longer than {} bytes", path, limits.max_string_bytes));
      }
      // U+0000 ends strings in C, logs and PDFs: never stored (issue 12).
      if (e.get_string().value_unsafe().find('\0') != std::string_view::npos) {
        return Status::InvalidArgument(
            fmt::format("{}: must not contain U+0000", path));
      }
      return Status::Ok();
    default:
      return Status::Ok();
  }
}

}  // namespace

Status CheckJsonShape(std::string_view body,
                      const std::vector<std::string_view>& allowed_top,
                      const JsonLimits& limits) {
  return CheckJsonShape(body, allowed_top, nullptr, limits);
}

Status CheckJsonShape(std::string_view body,
                      const std::vector<std::string_view>& allowed_top,
                      std::map<std::string, std::string, std::less<>>* top,
                      const JsonLimits& limits) {
  constexpr size_t kMaxBodyBytes = 64 * 1024;
  if (body.size() > kMaxBodyBytes) {
    return Status::InvalidArgument(
        fmt::format("body larger than {} bytes", kMaxBodyBytes));
  }
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return Status::InvalidArgument("empty body: a JSON object is required");
  }
  // One parser per thread: parsing allocates its buffers once.
  thread_local simdjson::dom::parser parser;
  // The depth limit is enforced by the parser itself, so a deeply nested
  // body costs no more than a flat one. simdjson counts a scalar value as
  // one more level than its container, hence the + 1.
  if (parser.max_depth() != limits.max_depth + 1) {
    if (parser.allocate(64 * 1024, limits.max_depth + 1) != simdjson::SUCCESS) {
      return Status::Internal("cannot allocate the JSON parser");
    }
  }
  element root;
  const auto error = parser.parse(body.data(), body.size()).get(root);
  if (error) {
    switch (error) {
      case simdjson::UTF8_ERROR:
        return Status::InvalidArgument("invalid UTF-8 in the body");
      case simdjson::DEPTH_ERROR:
        return Status::InvalidArgument(
            fmt::format("JSON nested deeper than {} levels", limits.max_depth));
      case simdjson::NUMBER_ERROR:
      case simdjson::NUMBER_OUT_OF_RANGE:
        return Status::InvalidArgument("a number is malformed or out of range");
      case simdjson::CAPACITY:
        return Status::InvalidArgument("body too large to parse");
      default:
        return Status::InvalidArgument(
            fmt::format("malformed JSON: {}", simdjson::error_message(error)));
    }
  }
  if (root.type() != element_type::OBJECT) {
    return Status::InvalidArgument("the body must be a JSON object");
  }
  if (!allowed_top.empty()) {
    const simdjson::dom::object object = root.get_object().value_unsafe();
    for (auto field : object) {
      bool known = false;
      for (const auto& a : allowed_top) known = known || a == field.key;
      if (!known) {
        return Status::InvalidArgument(fmt::format(
            "unknown member '{}' (expected one of: {})",
            field.key.size() > 64 ? "(a long name)" : std::string(field.key),
            Join(allowed_top)));
      }
    }
  }
  Status walked = Walk(root, "", limits);
  if (!walked.ok() || top == nullptr) return walked;
  top->clear();
  const simdjson::dom::object members = root.get_object().value_unsafe();
  for (auto field : members) {
    top->emplace(std::string(field.key), simdjson::minify(field.value));
  }
  return walked;
}

}  // namespace backaid
