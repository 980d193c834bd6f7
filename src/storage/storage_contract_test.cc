// The storage contract (see storage_contract_test_util.h for the backend
// a process runs against): episodes, entries in order and by page,
// idempotency, concurrent writers.

#include "src/storage/storage_contract_test_util.h"

namespace backaid::storage {
namespace {

namespace fs = std::filesystem;
using namespace contract_test;  // NOLINT: the shared fixture

TEST_F(StorageContractTest, BackendAndPing) {
  EXPECT_EQ(store_->backend(), IsPostgres() ? "postgresql" : "sqlite");
  EXPECT_TRUE(store_->Ping().ok());
}

TEST_F(StorageContractTest, CreateGetUpdate) {
  EpisodeRecord e = MakeEpisode("a");
  Create(e);
  Result<EpisodeRecord> got = store_->GetEpisode(e.id);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->id, e.id);
  EXPECT_EQ(got->token_hash, e.token_hash);
  EXPECT_EQ(got->created_at, e.created_at);
  EXPECT_EQ(got->document, e.document);

  ASSERT_TRUE(
      store_->UpdateEpisodeDocument(e.id, R"({"level":"urgent"})").ok());
  EXPECT_EQ(store_->GetEpisode(e.id)->document, R"({"level":"urgent"})");

  // A second create with the same id changes nothing.
  EpisodeRecord dup = e;
  dup.document = "{}";
  Status s = store_->CreateEpisode(dup, nullptr, nullptr);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.message();
  EXPECT_EQ(store_->GetEpisode(e.id)->document, R"({"level":"urgent"})");

  EXPECT_FALSE(store_->CreateEpisode(EpisodeRecord{}, nullptr, nullptr).ok());
}

TEST_F(StorageContractTest, UnknownIdsAreNotFound) {
  EXPECT_EQ(store_->GetEpisode("nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->UpdateEpisodeDocument("nope", "{}").code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store_->ListEntries("nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->EraseEpisode("nope").code(), StatusCode::kNotFound);
  EntryRecord entry{"nope", 0, 1, "{}"};
  EXPECT_EQ(store_->AddEntry(&entry, "{}", nullptr, nullptr).code(),
            StatusCode::kNotFound);
  Result<std::optional<IdempotencyRecord>> idem =
      store_->FindIdempotency("nope");
  ASSERT_TRUE(idem.ok());
  EXPECT_FALSE(idem->has_value());
  Result<std::vector<AuditRecord>> audit = store_->ListAudit("nope");
  ASSERT_TRUE(audit.ok());
  EXPECT_TRUE(audit->empty());
}

TEST_F(StorageContractTest, AddEntriesInOrder) {
  EpisodeRecord e = MakeEpisode("entries");
  Create(e);
  Result<std::vector<EntryRecord>> none = store_->ListEntries(e.id);
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_TRUE(none->empty());

  for (int i = 1; i <= 3; ++i) {
    EntryRecord entry{e.id, 0, 1700000000000 + i,
                      "{\"pain\":" + std::to_string(i) + "}"};
    Status s = store_->AddEntry(
        &entry, i == 3 ? "" : "{\"after\":" + std::to_string(i) + "}", nullptr,
        nullptr);
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(entry.seq, i);
  }
  // An empty new document leaves the episode's document as it was.
  EXPECT_EQ(store_->GetEpisode(e.id)->document, "{\"after\":2}");
  Result<std::vector<EntryRecord>> list = store_->ListEntries(e.id);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ((*list)[i].episode_id, e.id);
    EXPECT_EQ((*list)[i].seq, i + 1);
    EXPECT_EQ((*list)[i].created_at, 1700000000001 + i);
    EXPECT_EQ((*list)[i].document, "{\"pain\":" + std::to_string(i + 1) + "}");
  }
}

// A page is a range of seq (issue 12 finding 1: GET and export of a long
// episode are paginated); the episode's existence is checked as before.
TEST_F(StorageContractTest, EntriesPageBySeq) {
  EpisodeRecord e = MakeEpisode("pages");
  Create(e);
  for (int i = 1; i <= 7; ++i) {
    EntryRecord entry{e.id, 0, 1700000000000 + i,
                      "{\"n\":" + std::to_string(i) + "}"};
    ASSERT_TRUE(store_->AddEntry(&entry, "", nullptr, nullptr).ok());
  }
  auto page = store_->ListEntriesPage(e.id, 2, 3);
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->size(), 3u);
  EXPECT_EQ((*page)[0].seq, 3);
  EXPECT_EQ((*page)[2].seq, 5);
  EXPECT_EQ((*page)[2].document, "{\"n\":5}");
  auto tail = store_->ListEntriesPage(e.id, 5, 100);
  ASSERT_TRUE(tail.ok());
  ASSERT_EQ(tail->size(), 2u);
  EXPECT_EQ(tail->back().seq, 7);
  auto past = store_->ListEntriesPage(e.id, 7, 100);
  ASSERT_TRUE(past.ok());
  EXPECT_TRUE(past->empty());
  EXPECT_EQ(store_->ListEntriesPage("nope", 0, 10).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store_->ListEntriesPage(e.id, 0, 0).status().code(),
            StatusCode::kInvalidArgument);
}

// expected_seq: a writer that reviewed an older state of the episode writes
// nothing (its review would overwrite the newer state).
TEST_F(StorageContractTest, AddEntryWithExpectedSeq) {
  EpisodeRecord e = MakeEpisode("expect");
  Create(e);
  EntryRecord first{e.id, 0, 1700000000001, "{\"n\":1}"};
  first.expected_seq = 1;
  ASSERT_TRUE(store_->AddEntry(&first, "{\"state\":1}", nullptr, nullptr).ok());
  EXPECT_EQ(first.seq, 1);
  EntryRecord stale{e.id, 0, 1700000000002, "{\"n\":2}"};
  stale.expected_seq = 1;  // reviewed before `first` was added
  EXPECT_EQ(store_->AddEntry(&stale, "{\"state\":\"stale\"}", nullptr, nullptr)
                .code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->ListEntries(e.id)->size(), 1u);
  EXPECT_EQ(store_->GetEpisode(e.id)->document, "{\"state\":1}");
  stale.expected_seq = 2;
  ASSERT_TRUE(store_->AddEntry(&stale, "{\"state\":2}", nullptr, nullptr).ok());
  EXPECT_EQ(stale.seq, 2);
}

TEST_F(StorageContractTest, IdempotentAddEntry) {
  EpisodeRecord e = MakeEpisode("idem");
  Create(e);
  IdempotencyRecord idem = MakeIdem("add");
  EntryRecord first{e.id, 0, 1, R"({"n":1})"};
  std::optional<IdempotencyRecord> existing;
  ASSERT_TRUE(store_->AddEntry(&first, "{}", &idem, &existing).ok());
  EXPECT_FALSE(existing.has_value());
  EXPECT_EQ(first.seq, 1);

  EntryRecord again{e.id, 0, 2, R"({"n":2})"};
  Status s = store_->AddEntry(&again, R"({"changed":true})", &idem, &existing);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_TRUE(existing.has_value());
  EXPECT_EQ(existing->key_hash, idem.key_hash);
  EXPECT_EQ(existing->request_hash, idem.request_hash);
  EXPECT_EQ(existing->status, 201);
  EXPECT_EQ(existing->response, idem.response);  // bytes, NUL included
  EXPECT_EQ(existing->episode_id, e.id);
  EXPECT_EQ(existing->created_at, idem.created_at);
  EXPECT_EQ(store_->ListEntries(e.id)->size(), 1u);
  EXPECT_EQ(store_->GetEpisode(e.id)->document, "{}");

  Result<std::optional<IdempotencyRecord>> found =
      store_->FindIdempotency(idem.key_hash);
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->response, idem.response);
}

TEST_F(StorageContractTest, IdempotentCreateEpisode) {
  IdempotencyRecord idem = MakeIdem("create");
  EpisodeRecord a = MakeEpisode("c1");
  EpisodeRecord b = MakeEpisode("c2");
  std::optional<IdempotencyRecord> existing;
  ASSERT_TRUE(store_->CreateEpisode(a, &idem, &existing).ok());
  EXPECT_FALSE(existing.has_value());
  ASSERT_TRUE(store_->CreateEpisode(b, &idem, &existing).ok());
  ASSERT_TRUE(existing.has_value());
  EXPECT_EQ(existing->episode_id, a.id);
  EXPECT_EQ(store_->GetEpisode(b.id).status().code(), StatusCode::kNotFound);
}

TEST_F(StorageContractTest, PurgeForgetsOnlyOldIdempotencyRecords) {
  EpisodeRecord e = MakeEpisode("purge");
  Create(e);
  IdempotencyRecord old_idem = MakeIdem("purge-old");
  old_idem.created_at = 1000;
  IdempotencyRecord boundary = MakeIdem("purge-boundary");
  boundary.created_at = 2000;
  IdempotencyRecord fresh = MakeIdem("purge-fresh");
  fresh.created_at = 3000;
  std::optional<IdempotencyRecord> existing;
  for (IdempotencyRecord* idem : {&old_idem, &boundary, &fresh}) {
    EntryRecord entry{e.id, 0, idem->created_at, R"({"n":1})"};
    ASSERT_TRUE(store_->AddEntry(&entry, "", idem, &existing).ok());
  }

  Result<int64_t> purged = store_->PurgeIdempotency(2000);
  ASSERT_TRUE(purged.ok()) << purged.status().message();
  EXPECT_EQ(*purged, 1);  // strictly older than 2000
  EXPECT_FALSE(store_->FindIdempotency(old_idem.key_hash)->has_value());
  EXPECT_TRUE(store_->FindIdempotency(boundary.key_hash)->has_value());
  EXPECT_TRUE(store_->FindIdempotency(fresh.key_hash)->has_value());
  // The entries they answered stay.
  EXPECT_EQ(store_->ListEntries(e.id)->size(), 3u);

  // Forgotten: the same key is now a new request and writes again.
  EntryRecord retry{e.id, 0, 4000, R"({"n":2})"};
  ASSERT_TRUE(store_->AddEntry(&retry, "", &old_idem, &existing).ok());
  EXPECT_FALSE(existing.has_value());
  EXPECT_EQ(retry.seq, 4);

  EXPECT_EQ(*store_->PurgeIdempotency(0), 0);
  EXPECT_EQ(*store_->PurgeIdempotency(int64_t{1} << 62), 3);
  Result<IntegrityReport> report = store_->CheckIntegrity();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << report->detail;
}

TEST_F(StorageContractTest, SameKeyRacedFromEightThreadsWritesOnce) {
  EpisodeRecord e = MakeEpisode("race");
  Create(e);
  IdempotencyRecord idem = MakeIdem("race");
  std::atomic<int> winners{0}, replays{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      EntryRecord entry{e.id, 0, t, "{\"t\":" + std::to_string(t) + "}"};
      std::optional<IdempotencyRecord> existing;
      Status s = store_->AddEntry(&entry, "{}", &idem, &existing);
      if (!s.ok()) {
        ++failures;
      } else if (existing.has_value()) {
        ++replays;
      } else {
        ++winners;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(winners.load(), 1);
  EXPECT_EQ(replays.load(), 7);
  EXPECT_EQ(store_->ListEntries(e.id)->size(), 1u);

  // The same for creates: one episode, whichever id won.
  IdempotencyRecord create_idem = MakeIdem("race-create");
  std::atomic<int> created{0};
  threads.clear();
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::optional<IdempotencyRecord> existing;
      Status s = store_->CreateEpisode(MakeEpisode("rc" + std::to_string(t)),
                                       &create_idem, &existing);
      if (!s.ok()) ++failures;
      if (s.ok() && !existing.has_value()) ++created;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(created.load(), 1);
  Result<IntegrityReport> report = store_->CheckIntegrity();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->episodes, 2);
}

TEST_F(StorageContractTest, ConcurrentWritersGetSeqWithoutGaps) {
  EpisodeRecord e = MakeEpisode("conc");
  Create(e);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 20;
  std::vector<std::vector<int64_t>> seqs(kThreads);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        EntryRecord entry{e.id, 0, i, "{\"t\":" + std::to_string(t) + "}"};
        Status s = store_->AddEntry(&entry, "{}", nullptr, nullptr);
        if (!s.ok()) {
          ++failures;
          ADD_FAILURE() << s.message();
        } else {
          seqs[t].push_back(entry.seq);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_EQ(failures.load(), 0);
  std::set<int64_t> all;
  for (const auto& v : seqs) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), size_t{kThreads * kPerThread});  // no duplicates
  Result<std::vector<EntryRecord>> list = store_->ListEntries(e.id);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), size_t{kThreads * kPerThread});
  for (size_t i = 0; i < list->size(); ++i) {
    EXPECT_EQ((*list)[i].seq, static_cast<int64_t>(i + 1));
  }
  Result<IntegrityReport> report = store_->CheckIntegrity();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << report->detail;
  EXPECT_EQ(report->entries, kThreads * kPerThread);
}

}  // namespace
}  // namespace backaid::storage
