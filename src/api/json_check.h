// The shape check of a JSON request body lives in the core
// (src/caseio/json_check.h), where the diary's decoders use it too: one
// checker. This header keeps the API's spelling.
#ifndef BACKAID_SRC_API_JSON_CHECK_H_
#define BACKAID_SRC_API_JSON_CHECK_H_

#include "src/caseio/json_check.h"

namespace backaid::api {
using ::backaid::CheckJsonShape;
using ::backaid::JsonLimits;
}  // namespace backaid::api

#endif  // BACKAID_SRC_API_JSON_CHECK_H_
