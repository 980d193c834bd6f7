// The server measured by bench/http/run.sh: HttpServer with one route,
// POST /v1/triage, doing the real per-request work of the API (read the
// case with CaseReader, Evaluate, AppendResultJson). No rate limit; the
// access log goes to stderr as in production (run.sh sends it to
// /dev/null).
//
//   http_bench_server PORT [THREADS]
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "backaid/case_json.h"
#include "backaid/engine.h"
#include "backaid/knowledge_base.h"
#include "src/server/http_server.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PORT [THREADS]\n", argv[0]);
    return 2;
  }
  auto kb = backaid::LoadEmbeddedKnowledgeBase();
  if (!kb.ok()) {
    std::fprintf(stderr, "%s\n", kb.status().message().c_str());
    return 2;
  }
  std::shared_ptr<const backaid::KnowledgeBase> shared = *kb;
  backaid::server::ServerOptions o;
  o.listen = std::string("127.0.0.1:") + argv[1];
  o.threads = argc > 2 ? std::atoi(argv[2]) : 2;
  o.rate_per_second = 0;
  o.idle_timeout = std::chrono::milliseconds(600'000);
  backaid::server::HttpServer server(o);
  server.Route("POST", "/v1/triage",
               [shared](const backaid::server::HttpRequest& req) {
                 // Per-thread reader and result (the reader is not
                 // thread-safe; handlers run on any worker thread).
                 thread_local backaid::CaseReader reader(*shared);
                 thread_local backaid::Case c;
                 thread_local backaid::TriageResult result;
                 backaid::server::HttpResponse res;
                 backaid::Status s = reader.Read(req.body, &c);
                 if (!s.ok()) {
                   return backaid::server::Problem(
                       422, "invalid-case", "Invalid case", s.message(),
                       req.request_id);
                 }
                 backaid::Evaluate(*shared, c, &result);
                 backaid::AppendResultJson(*shared, c, result, &res.body);
                 return res;
               });
  backaid::Status s = server.Start();
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 1;
  }
  s = server.StopOnSignals();
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 1;
  }
  std::fprintf(stdout, "listening on %u\n", server.port());
  std::fflush(stdout);
  server.Run();
  return 0;
}
