// `backaid serve`: the HTTP API over the built-in (or --kb) knowledge base
// and a storage backend. Decodes options, wires the parts, runs until
// SIGTERM or SIGINT, then drains in-flight requests and exits 0.
#include <fcntl.h>
#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "backaid/report.h"
#include "backaid/version.h"
#include "src/api/api.h"
#include "src/cli/commands.h"
#include "src/server/http_server.h"
#include "src/server/http_util.h"
#include "src/storage/storage.h"

namespace backaid::cli {
namespace {

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  std::string db = "sqlite:data/backaid.sqlite";
  int threads = 2;
  size_t max_body = 64 * 1024;
  double rate = 50;
  double burst = 100;
  int header_timeout_ms = 10'000;
  int64_t idempotency_ttl_s = 24 * 3600;
  int max_entries = 1000;                       // per episode
  int max_entries_per_day = 96;                 // per episode, in any 24 hours
  std::string access_log;                       // file; empty = stderr
  uint64_t access_log_max_bytes = 64ull << 20;  // then rotated
  int access_log_keep = 5;                      // FILE.1 .. FILE.5
  std::vector<std::string> trusted_proxies;
  double episode_rate = 10;  // writes per second to one episode
  double episode_burst = 50;
  size_t max_queued = 256;  // diary requests queued or running, then 503
  std::string web;          // directory of the built web page
  std::string ready_file;   // written with the port once listening
};

// The URL as a person would type it (the wildcard address is not one).
std::string DisplayHost(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  return host;
}

int Serve(const ServeOptions& o, const std::string& kb_dir) {
  auto kb = LoadKnowledgeBaseOrReport(kb_dir);
  if (kb == nullptr) return 2;
  auto storage = storage::OpenStorage(o.db);
  if (!storage.ok()) {
    std::cerr << "backaid serve: " << storage.status().message() << "\n";
    return 2;
  }

  // Block the stop signals in every thread; one thread waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  server::ServerOptions options;
  options.listen = o.listen;
  options.threads = o.threads;
  options.max_body_bytes = o.max_body;
  options.rate_per_second = o.rate;
  options.rate_burst = o.burst;
  options.header_timeout = std::chrono::milliseconds(o.header_timeout_ms);
  options.trusted_proxies = o.trusted_proxies;
  options.episode_write_rate = o.episode_rate;
  options.episode_write_burst = o.episode_burst;
  options.max_offloaded = o.max_queued;
  if (!o.access_log.empty()) {
    // Created 0600 whatever the umask (request times and routes of people),
    // rotated by size (src/server/http_util.h, AccessLogFile).
    auto log_file = server::internal::AccessLogFile::Open(
        o.access_log, o.access_log_max_bytes, o.access_log_keep);
    if (!log_file.ok()) {
      std::cerr << "backaid serve: " << log_file.status().message() << "\n";
      return 2;
    }
    std::shared_ptr<server::internal::AccessLogFile> file =
        std::move(*log_file);
    options.access_log = [file](std::string_view line) { file->Write(line); };
  }
  server::HttpServer http(options);
  api::ApiContext ctx;
  ctx.kb = kb;
  ctx.storage = storage->get();
  ctx.web_root = o.web;
  ctx.idempotency_ttl_ms = o.idempotency_ttl_s * 1000;
  ctx.max_entries_per_episode = o.max_entries;
  ctx.max_entries_per_day = o.max_entries_per_day;
  if (const Status routes = api::RegisterRoutes(http, ctx); !routes.ok()) {
    std::cerr << "backaid serve: " << routes.message() << "\n";
    return 2;
  }
  const Status started = http.Start();
  if (!started.ok()) {
    std::cerr << "backaid serve: " << started.message() << "\n";
    return 2;
  }
  const std::string url =
      fmt::format("http://{}:{}", DisplayHost(o.listen), http.port());
  std::cout << fmt::format(
      "backaid {} serving on {} (knowledge base {}, {} storage)\n"
      "  API description: {}/openapi.json\n"
      "  Try:  curl -s -X POST {}/v1/triage -H 'Content-Type: "
      "application/json' \\\n"
      "          -d '{{\"id\":\"demo\",\"findings\":{{\"pain_score\":6,"
      "\"onset_days\":1}}}}'\n"
      "  Stop with Ctrl-C.\n",
      kVersion, url, kb->version(), (*storage)->backend(), url, url);
  std::cout.flush();
  if (!o.ready_file.empty()) {
    std::ofstream(o.ready_file) << http.port() << "\n";
  }

  std::thread waiter([&http, stop_signals] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    http.Stop();
  });
  http.Run();
  // Run() returns after Stop(); wake the waiter if Run() ended otherwise.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  std::cerr << "backaid serve: stopped\n";
  return 0;
}

// Fills the options of `cmd` that the command line left unset from a
// `key = value` file (CLI11's TOML/INI reader; keys are long option names
// without dashes), running each option's own checks. CLI11 2.1 reads config
// files only for the main app, hence this step for the subcommand. Returns
// InvalidArgument naming the file and key for an unreadable file, a section,
// an unknown key or a value the option refuses.
Status ApplyConfigFile(CLI::App& cmd, const std::string& path) {
  std::vector<CLI::ConfigItem> items;
  try {
    items = CLI::ConfigTOML().from_file(path);
  } catch (const CLI::Error& e) {
    return Status::InvalidArgument(
        fmt::format("cannot read the config file '{}': {}", path, e.what()));
  }
  for (const CLI::ConfigItem& item : items) {
    if (item.name == "++" || item.name == "--") continue;  // section marks
    if (!item.parents.empty()) {
      return Status::InvalidArgument(fmt::format(
          "{}: '{}': sections are not used; write the key at the top level",
          path, item.fullname()));
    }
    CLI::Option* option = cmd.get_option_no_throw("--" + item.name);
    if (option == nullptr || item.name == "config" || item.name == "help") {
      return Status::InvalidArgument(fmt::format(
          "{}: unknown key '{}' (the keys are the long options of `backaid "
          "serve --help`)",
          path, item.name));
    }
    if (option->count() > 0) continue;  // the command line wins
    try {
      for (const std::string& value : item.inputs) option->add_result(value);
      option->run_callback();
    } catch (const CLI::Error& e) {
      return Status::InvalidArgument(
          fmt::format("{}: {}: {}", path, item.name, e.what()));
    }
  }
  return Status::Ok();
}

}  // namespace

void RegisterServeCommand(CLI::App& app, CommandContext ctx) {
  auto opts = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "serve", "Serve the HTTP API (OpenAPI document at /openapi.json)");
  cmd->add_option("--listen", opts->listen, "host:port to listen on")
      ->capture_default_str();
  cmd->add_option("--db", opts->db,
                  "Storage: sqlite:PATH or postgresql://user@host/db")
      ->capture_default_str();
  cmd->add_option("--threads", opts->threads, "Worker threads")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd->add_option("--max-body", opts->max_body, "Largest request body, bytes")
      ->check(CLI::Range(size_t{1024}, size_t{16} << 20))
      ->capture_default_str();
  cmd->add_option("--rate", opts->rate,
                  "Requests per second per client (0 = no limit)")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
  cmd->add_option("--burst", opts->burst, "Requests a client may send at once")
      ->check(CLI::Range(1.0, 1e9))
      ->capture_default_str();
  cmd->add_option("--header-timeout-ms", opts->header_timeout_ms,
                  "Time allowed to send the request header")
      ->check(CLI::Range(50, 600'000))
      ->capture_default_str();
  cmd->add_option("--idempotency-ttl", opts->idempotency_ttl_s,
                  "Seconds a write's Idempotency-Key is remembered (its "
                  "response is replayed to a retry), then forgotten")
      ->check(CLI::Range(int64_t{1}, int64_t{30} * 24 * 3600))
      ->capture_default_str();
  cmd->add_option("--max-entries", opts->max_entries,
                  "Diary entries an episode holds at most (then 409)")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  cmd->add_option("--max-entries-per-day", opts->max_entries_per_day,
                  "Diary entries an episode takes in any 24 hours (then "
                  "429; above 1024: no daily cap)")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  cmd->add_option("--access-log", opts->access_log,
                  "Append the JSON-lines access log to FILE (default stderr)");
  cmd->add_option("--access-log-max-bytes", opts->access_log_max_bytes,
                  "Rotate the access log file at this size (0 = never)")
      ->capture_default_str();
  cmd->add_option("--access-log-keep", opts->access_log_keep,
                  "Rotated access log files kept (FILE.1 ..)")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->add_option("--trusted-proxy", opts->trusted_proxies,
                  "A proxy (address or CIDR) whose Forwarded/X-Forwarded-For "
                  "names the client; repeatable")
      ->check([](const std::string& v) {
        auto p = server::internal::TrustedProxies::Parse({v});
        return p.ok() ? std::string() : p.status().message();
      });
  cmd->add_option("--episode-rate", opts->episode_rate,
                  "Writes per second to one episode (0 = no limit)")
      ->check(CLI::Range(0.0, 1e6))
      ->capture_default_str();
  cmd->add_option("--episode-burst", opts->episode_burst,
                  "Writes to one episode at once")
      ->check(CLI::Range(1.0, 1e6))
      ->capture_default_str();
  cmd->add_option("--max-queued", opts->max_queued,
                  "Diary requests (episodes, entries, their documents) "
                  "queued or running at once; more are answered 503 with "
                  "Retry-After at once")
      ->check(CLI::Range(size_t{1}, size_t{100'000}))
      ->capture_default_str();
  cmd->add_option("--web", opts->web, "Directory of the built web page");
  cmd->add_option("--ready-file", opts->ready_file,
                  "Write the bound port to FILE once listening");
  auto config_file = std::make_shared<std::string>();
  cmd->add_option("--config", *config_file,
                  "Read options from FILE (key = value per line, the keys "
                  "being the long options above; the command line "
                  "overrides it)");
  cmd->callback([cmd, opts, ctx, config_file] {
    if (!config_file->empty()) {
      const Status applied = ApplyConfigFile(*cmd, *config_file);
      if (!applied.ok()) {
        std::cerr << "backaid serve: " << applied.message() << "\n";
        *ctx.exit_code = 2;
        return;
      }
    }
    *ctx.exit_code = Serve(*opts, *ctx.kb_dir);
  });
}

}  // namespace backaid::cli
