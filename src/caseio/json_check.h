// The shape-only check of a JSON body, before a strict decoder sees it:
// well-formed, valid UTF-8, an object at the top, bounded nesting, bounded
// string lengths and member counts, no U+0000, no duplicate member names
// (two readers could see different values), and only the top-level members
// the body may hold. The one checker of the core's decoders (the diary's
// episode and entry bodies) and of the HTTP fronts. The messages name the
// problem so a client can fix the request; they never echo the request's
// values.
#ifndef BACKAID_SRC_CASEIO_JSON_CHECK_H_
#define BACKAID_SRC_CASEIO_JSON_CHECK_H_

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "backaid/status.h"

namespace backaid {

struct JsonLimits {
  size_t max_depth = 8;            // objects/arrays nested at most this deep
  size_t max_string_bytes = 4096;  // any string value or key
  size_t max_members = 512;        // members of any one object or array
};

// kInvalidArgument with a message such as "malformed JSON: ...",
// "invalid UTF-8", "nesting deeper than 8", "string longer than 4096 bytes
// at findings.note", "findings.x: duplicate key", "unknown member 'foo'
// (expected one of: ...)". A body over 64 KiB is refused.
// `allowed_top` empty = any top-level member.
Status CheckJsonShape(std::string_view body,
                      const std::vector<std::string_view>& allowed_top,
                      const JsonLimits& limits = {});

// The same check, and on success the minified JSON text of each top-level
// member in `top` (name -> text), so a handler reads the body's members
// from this one parse.
Status CheckJsonShape(std::string_view body,
                      const std::vector<std::string_view>& allowed_top,
                      std::map<std::string, std::string, std::less<>>* top,
                      const JsonLimits& limits = {});

}  // namespace backaid

#endif  // BACKAID_SRC_CASEIO_JSON_CHECK_H_
