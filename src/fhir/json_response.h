// JSON responses of the fronts built on nlohmann::json (FHIR, CDS Hooks):
// one serialiser and one response builder, so both fronts answer errors
// and resources alike (invalid UTF-8 in a string is replaced, never a
// thrown exception).
#ifndef BACKAID_SRC_FHIR_JSON_RESPONSE_H_
#define BACKAID_SRC_FHIR_JSON_RESPONSE_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "src/server/http_server.h"

namespace backaid::fhir {

// Compact JSON text of `j`.
std::string Dump(const nlohmann::ordered_json& j);

// A response with `j` as its body and the given status and content type
// (an error body included: OperationOutcome, {"error": ..}).
server::HttpResponse JsonResponse(int status, std::string_view content_type,
                                  const nlohmann::ordered_json& j);

// The string member `key` of a received JSON value, or "" when `object`
// is not an object or the member is absent or not a string. (nlohmann's
// value() throws type_error on a member of another type: a request body
// must never turn into a 500.)
std::string StringMember(const nlohmann::json& object, const char* key);

// A random version-4 UUID, lower-case hex with dashes (libsodium must be
// initialised; api::RegisterRoutes does it first).
std::string RandomUuid();

}  // namespace backaid::fhir

#endif  // BACKAID_SRC_FHIR_JSON_RESPONSE_H_
