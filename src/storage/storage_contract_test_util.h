// The storage contract, run against one backend per process:
//   BACKAID_TEST_BACKEND=sqlite    (default) a fresh SQLite file per test
//   BACKAID_TEST_BACKEND=postgres  a fresh schema per test on the server
//       named by BACKAID_TEST_PG_URL, or by the first line of the file
//       BACKAID_PG_URL_FILE (written by the ctest fixture `pg`). No server
//       is a test failure, never a skip.
//
// Shared fixture of the storage contract tests.
#ifndef BACKAID_SRC_STORAGE_STORAGE_CONTRACT_TEST_UTIL_H_
#define BACKAID_SRC_STORAGE_STORAGE_CONTRACT_TEST_UTIL_H_

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "src/storage/storage.h"

namespace backaid::storage::contract_test {

namespace fs = std::filesystem;

inline std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

inline std::string Backend() {
  std::string b = Env("BACKAID_TEST_BACKEND");
  return b.empty() ? "sqlite" : b;
}

inline bool IsPostgres() { return Backend() == "postgres"; }

inline std::string RandomSuffix() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  return std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
         std::to_string(rd() % 1000000);
}

// The base PostgreSQL URL, or "" (with the reason in *why).
inline std::string PgBaseUrl(std::string* why) {
  std::string url = Env("BACKAID_TEST_PG_URL");
  if (!url.empty()) return url;
  const std::string file = Env("BACKAID_PG_URL_FILE");
  if (file.empty()) {
    *why = "neither BACKAID_TEST_PG_URL nor BACKAID_PG_URL_FILE is set";
    return "";
  }
  std::ifstream in(file);
  std::getline(in, url);
  if (url.empty()) *why = "no URL in " + file + " (did pg_start run?)";
  return url;
}

inline std::string WithParam(const std::string& url, const std::string& param) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + param;
}

class StorageContractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    suffix_ = RandomSuffix();
    if (IsPostgres()) {
      std::string why;
      base_url_ = PgBaseUrl(&why);
      ASSERT_FALSE(base_url_.empty()) << "PostgreSQL not available: " << why;
      schema_ = "t_" + suffix_;
      ASSERT_NO_THROW(RawExec("CREATE SCHEMA " + schema_, /*in_schema=*/false));
      url_ = SchemaUrl(schema_);
    } else {
      ASSERT_EQ(Backend(), "sqlite") << "unknown BACKAID_TEST_BACKEND";
      std::string tmp = Env("BACKAID_TEST_TMPDIR");
      if (tmp.empty()) tmp = fs::temp_directory_path().string();
      dir_ = fs::path(tmp) / ("storage_" + suffix_);
      db_path_ = dir_ / "nested" / "backaid.db";  // directory made by Open
      url_ = "sqlite:" + db_path_.string();
    }
    Result<std::unique_ptr<Storage>> opened = OpenStorage(url_);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    store_ = std::move(*opened);
  }

  void TearDown() override {
    store_.reset();
    if (IsPostgres()) {
      if (!schema_.empty()) {
        try {
          RawExec("DROP SCHEMA " + schema_ + " CASCADE", false);
        } catch (...) {
        }
      }
    } else if (!dir_.empty()) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
    }
  }

  std::string SchemaUrl(const std::string& schema) const {
    return WithParam(base_url_, "options=-csearch_path%3D" + schema +
                                    "&application_name=" + schema);
  }

  // Runs SQL behind the storage's back (to corrupt data on purpose).
  void RawExec(const std::string& sql, bool in_schema = true) {
    if (IsPostgres()) {
      pqxx::connection c(in_schema ? url_ : base_url_);
      pqxx::work tx(c);
      tx.exec(sql);
      tx.commit();
    } else {
      SQLite::Database db(db_path_.string(), SQLite::OPEN_READWRITE, 5000);
      db.exec(sql);
    }
  }

  int64_t RawCount(const std::string& sql) {
    if (IsPostgres()) {
      pqxx::connection c(url_);
      pqxx::work tx(c);
      return tx.exec(sql)[0][0].as<int64_t>();
    }
    SQLite::Database db(db_path_.string(), SQLite::OPEN_READONLY, 5000);
    return db.execAndGet(sql).getInt64();
  }

  EpisodeRecord MakeEpisode(const std::string& tag) {
    EpisodeRecord e;
    e.id = "ep-" + tag + "-" + suffix_;
    e.token_hash = "th-" + tag;
    e.created_at = 1700000000000;
    e.document = R"({"level":"routine"})";
    return e;
  }

  void Create(const EpisodeRecord& e) {
    Status s = store_->CreateEpisode(e, nullptr, nullptr);
    ASSERT_TRUE(s.ok()) << s.message();
  }

  IdempotencyRecord MakeIdem(const std::string& key) {
    IdempotencyRecord r;
    r.key_hash = "kh-" + key + "-" + suffix_;
    r.request_hash = "rh-" + key;
    r.status = 201;
    r.response = std::string("\x01\x02\xff\x00 binary", 11);
    r.created_at = 1700000000123;
    return r;
  }

  std::string suffix_;
  std::string url_;
  std::string base_url_;
  std::string schema_;
  fs::path dir_;
  fs::path db_path_;
  std::unique_ptr<Storage> store_;
};

}  // namespace backaid::storage::contract_test

#endif  // BACKAID_SRC_STORAGE_STORAGE_CONTRACT_TEST_UTIL_H_
