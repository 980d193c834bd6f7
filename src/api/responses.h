// The API's common responses: JSON bodies and the problems (RFC 9457) that
// several handlers answer. 4xx is about the request, 503 means the database
// cannot be reached, 500 is a bug.
#ifndef BACKAID_SRC_API_RESPONSES_H_
#define BACKAID_SRC_API_RESPONSES_H_

#include <optional>
#include <string>
#include <string_view>

#include "backaid/status.h"
#include "src/server/http_server.h"

namespace backaid::api {

inline constexpr std::string_view kJson = "application/json";

// `body` as application/json with `status`.
server::HttpResponse Json(int status, std::string body);
// 400 invalid-request with the status's message as the detail.
server::HttpResponse BadRequest(const server::HttpRequest& req,
                                const Status& s);
// 503 when storage reports kIoError (unreachable), else 500.
server::HttpResponse StorageProblem(const server::HttpRequest& req,
                                    const Status& s);
// The one 404 for a missing episode and a wrong or missing token.
server::HttpResponse EpisodeNotFound(const server::HttpRequest& req);
// 415 unless the body is declared JSON (application/json or
// application/fhir+json) in UTF-8; nullopt when it is.
std::optional<server::HttpResponse> RequireJson(const server::HttpRequest& req);

}  // namespace backaid::api

#endif  // BACKAID_SRC_API_RESPONSES_H_
