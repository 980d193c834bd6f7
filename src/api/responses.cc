#include "src/api/responses.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace backaid::api {

using server::HttpRequest;
using server::HttpResponse;
using server::Problem;

HttpResponse Json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = std::string(kJson);
  r.body = std::move(body);
  return r;
}

HttpResponse BadRequest(const HttpRequest& req, const Status& s) {
  return Problem(400, "invalid-request", "The request is not valid",
                 s.message(), req.request_id);
}

HttpResponse StorageProblem(const HttpRequest& req, const Status& s) {
  if (s.code() == StatusCode::kIoError) {
    return Problem(503, "storage-unavailable", "The database cannot be reached",
                   "try again shortly; nothing was changed by this request "
                   "unless it says otherwise",
                   req.request_id);
  }
  return Problem(500, "storage-error", "The database reported an error",
                 "the request could not be completed", req.request_id);
}

HttpResponse EpisodeNotFound(const HttpRequest& req) {
  return Problem(404, "episode-not-found", "No such episode",
                 "there is no episode with this id for this token (send "
                 "'Authorization: Bearer <token>')",
                 req.request_id);
}

// 415 unless the body is declared JSON.
std::optional<HttpResponse> RequireJson(const HttpRequest& req) {
  std::string_view ct = req.header("content-type");
  const size_t semi = ct.find(';');
  std::string_view type = ct.substr(0, semi);
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  std::string lower(type);
  for (char& c : lower) c = static_cast<char>(std::tolower(c));
  // JSON is UTF-8 (RFC 8259): a charset parameter, if any, must say so.
  std::string params(semi == std::string_view::npos ? "" : ct.substr(semi));
  for (char& c : params) c = static_cast<char>(std::tolower(c));
  std::erase(params, ' ');
  const size_t cs = params.find(";charset=");
  const bool utf8 = cs == std::string::npos ||
                    params.compare(cs + 9, std::string::npos, "utf-8") == 0 ||
                    params.compare(cs + 9, 6, "utf-8;") == 0 ||
                    params.compare(cs + 9, std::string::npos, "\"utf-8\"") == 0;
  if (!utf8) {
    return Problem(415, "unsupported-media-type", "The body must be UTF-8",
                   "a JSON body is UTF-8: send 'charset=utf-8' or no charset",
                   req.request_id);
  }
  if (lower == "application/json" || lower == "application/fhir+json") {
    return std::nullopt;
  }
  return Problem(415, "unsupported-media-type", "The body must be JSON",
                 ct.empty() ? "send 'Content-Type: application/json'"
                            : "Content-Type must be application/json",
                 req.request_id);
}

}  // namespace backaid::api
