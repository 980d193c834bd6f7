// GET /v1/episodes/{id}/plan.ics and /v1/episodes/{id}/summary.pdf.
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

HttpResponse Api::Calendar(const HttpRequest& req) {
  Loaded e;
  Reviewed loaded;
  if (auto failed = ReadEpisode(req, "calendar", ctx_.now_ms(), &e, &loaded)) {
    return *failed;
  }
  const EpisodeReview* review = &loaded.review;
  ScheduleOptions options;
  options.time_zone = e.stored.start.time_zone;
  auto local =
      LocalTimeIn(e.stored.start.started_at_ms / 1000, options.time_zone);
  if (!local.ok()) return BadRequest(req, local.status());
  options.start = *local;
  auto events = Schedule(review->plan, options);
  if (!events.ok()) return BadRequest(req, events.status());
  auto ics = ToICalendar(*events, options);
  if (!ics.ok()) {
    return Problem(500, "internal", "The calendar could not be written",
                   ics.status().message(), req.request_id);
  }
  Audit(e.ref, e.token_ref, "calendar", "ok");
  HttpResponse r;
  r.content_type = "text/calendar; charset=utf-8";
  r.body = std::move(*ics);
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"backaid-plan.ics\"");
  return r;
}

HttpResponse Api::Summary(const HttpRequest& req) {
  const int64_t now = ctx_.now_ms();
  Loaded e;
  Reviewed loaded;
  if (auto failed = ReadEpisode(req, "summary", now, &e, &loaded)) {
    return *failed;
  }
  // The handover shows every entry (at most --max-entries) and the whole
  // pain chart, not a page.
  auto all = LoadEntries(req, e);
  if (!all.ok()) return StorageProblem(req, all.status());
  EpisodeReview review = std::move(loaded.review);
  review.trend = FullPainTrend(*kb_, e.stored.start, all->entries);
  auto pdf = HandoverPdf(*kb_, e.stored.start, all->entries, review, now);
  if (!pdf.ok()) {
    return Problem(500, "internal", "The summary could not be written",
                   pdf.status().message(), req.request_id);
  }
  Audit(e.ref, e.token_ref, "summary", "ok");
  HttpResponse r;
  r.content_type = "application/pdf";
  r.body = std::move(*pdf);
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"backaid-summary.pdf\"");
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

}  // namespace backaid::api
