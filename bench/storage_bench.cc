// AddEntry throughput of the storage backends.
//   SQLite: a fresh file in $TMPDIR (WAL, synchronous=FULL: one fsync per
//           commit, so this measures the disk as much as the code).
//   PostgreSQL: the server at $BACKAID_BENCH_PG_URL (skipped with a message
//           when unset), e.g. the test fixture's URL file:
//           BACKAID_BENCH_PG_URL=$(cat build/<dir>/pg-fixture/url)
// Each benchmark thread appends to its own episode (the common case: one
// person writes one diary); items_per_second is entries per second.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "src/storage/storage.h"

namespace {

using backaid::storage::EntryRecord;
using backaid::storage::EpisodeRecord;
using backaid::storage::OpenStorage;
using backaid::storage::Storage;

std::mutex g_mu;
std::unique_ptr<Storage> g_store;
std::atomic<int> g_episode{0};

void Setup(benchmark::State& state, const std::string& url) {
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_store) return;
  auto opened = OpenStorage(url);
  if (!opened.ok()) {
    state.SkipWithError(opened.status().message().c_str());
    return;
  }
  g_store = std::move(*opened);
}

void RunAddEntry(benchmark::State& state, const std::string& url) {
  if (state.thread_index() == 0) Setup(state, url);
  // Other threads wait for thread 0's setup at the first iteration barrier.
  std::string episode_id;
  for (auto _ : state) {
    if (episode_id.empty()) {
      std::lock_guard<std::mutex> lock(g_mu);
      if (!g_store) {
        state.SkipWithError("storage not open");
        break;
      }
      episode_id = "bench-" + std::to_string(getpid()) + "-" +
                   std::to_string(g_episode++);
      EpisodeRecord e{episode_id, "hash", 1, R"({"level":"self_care"})"};
      if (!g_store->CreateEpisode(e, nullptr, nullptr).ok()) {
        state.SkipWithError("CreateEpisode failed");
        break;
      }
    }
    EntryRecord entry{
        episode_id, 0, 1,
        R"({"pain":4,"walked_minutes":20,"note":"a bit better"})"};
    backaid::Status s =
        g_store->AddEntry(&entry, R"({"level":"self_care"})", nullptr, nullptr);
    if (!s.ok()) {
      state.SkipWithError(s.message().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_AddEntrySqlite(benchmark::State& state) {
  static const std::string path =
      (std::filesystem::temp_directory_path() /
       ("backaid_storage_bench_" + std::to_string(getpid())) / "bench.db")
          .string();
  RunAddEntry(state, "sqlite:" + path);
}

void BM_AddEntryPostgres(benchmark::State& state) {
  const char* url = std::getenv("BACKAID_BENCH_PG_URL");
  if (url == nullptr || *url == '\0') {
    state.SkipWithError(
        "BACKAID_BENCH_PG_URL not set: PostgreSQL benchmark skipped");
    for (auto _ : state) {
    }
    return;
  }
  RunAddEntry(state, url);
}

// Storage is reopened per benchmark family so SQLite and PostgreSQL runs
// do not share a handle.
void ResetStore(const benchmark::State&) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_store.reset();
}

BENCHMARK(BM_AddEntrySqlite)
    ->Threads(1)
    ->Threads(4)
    ->UseRealTime()
    ->Teardown(ResetStore);
BENCHMARK(BM_AddEntryPostgres)
    ->Threads(1)
    ->Threads(4)
    ->UseRealTime()
    ->Teardown(ResetStore);

}  // namespace

BENCHMARK_MAIN();
