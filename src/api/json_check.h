// The first, shape-only check of a JSON request body, before the core's
// strict decoders see it: well-formed, valid UTF-8, an object at the top,
// bounded nesting, bounded string lengths and member counts, and only the
// top-level members a route accepts. The messages name the problem so a
// client can fix the request; they never echo the request's values.
#ifndef BACKAID_SRC_API_JSON_CHECK_H_
#define BACKAID_SRC_API_JSON_CHECK_H_

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "backaid/status.h"

namespace backaid::api {

struct JsonLimits {
  size_t max_depth = 8;            // objects/arrays nested at most this deep
  size_t max_string_bytes = 4096;  // any string value or key
  size_t max_members = 512;        // members of any one object or array
};

// kInvalidArgument with a message such as "malformed JSON: ...",
// "invalid UTF-8", "nesting deeper than 8", "string longer than 4096 bytes
// at findings.note", "unknown member 'foo' (expected one of: ...)".
// `allowed_top` empty = any top-level member.
Status CheckJsonShape(std::string_view body,
                      const std::vector<std::string_view>& allowed_top,
                      const JsonLimits& limits = {});

// The same check, and on success the minified JSON text of each top-level
// member in `top` (name -> text; of a duplicate name, the first), so a
// handler reads the body's members from this one parse.
Status CheckJsonShape(std::string_view body,
                      const std::vector<std::string_view>& allowed_top,
                      std::map<std::string, std::string, std::less<>>* top,
                      const JsonLimits& limits = {});

}  // namespace backaid::api

#endif  // BACKAID_SRC_API_JSON_CHECK_H_
