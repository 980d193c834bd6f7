// GET /livez, /readyz, /metrics, /openapi.json.
#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "backaid/assess.h"
#include "backaid/calendar.h"
#include "backaid/case_json.h"
#include "backaid/diary.h"
#include "backaid/engine.h"
#include "backaid/handover.h"
#include "backaid/plan.h"
#include "backaid/report.h"
#include "backaid/vocabulary.h"
#include "src/api/api_internal.h"
#include "src/api/crypto.h"
#include "src/api/json_check.h"
#include "src/api/responses.h"

namespace backaid::api {

using server::Problem;

HttpResponse Api::Livez(const HttpRequest&) {
  return Json(200, "{\"status\":\"live\"}");
}

HttpResponse Api::Readyz(const HttpRequest& req) {
  const Status db = ctx_.storage->Ping();
  std::string body = "{\"status\":";
  AppendJsonString(db.ok() ? "ready" : "not ready", &body);
  body += ",\"kb_version\":";
  AppendJsonString(kb_->version(), &body);
  body += ",\"database\":";
  AppendJsonString(db.ok() ? "ok" : "unreachable", &body);
  body += ",\"backend\":";
  AppendJsonString(ctx_.storage->backend(), &body);
  body += "}";
  if (!db.ok()) {
    HttpResponse r = Json(503, std::move(body));
    return r;
  }
  return Json(200, std::move(body));
}

HttpResponse Api::Metrics(const HttpRequest&) {
  HttpResponse r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = ctx_.http->MetricsText();
  return r;
}

HttpResponse Api::OpenApi(const HttpRequest&) {
  return Json(200, std::string(OpenApiDocument()));
}

}  // namespace backaid::api
