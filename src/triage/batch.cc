#include "backaid/batch.h"

#include <fmt/format.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <thread>

#include "backaid/case_json.h"
#include "backaid/engine.h"
#include "backaid/report.h"

namespace backaid {
namespace {

constexpr size_t kBlockSize = 8 << 20;    // bytes read per round
constexpr size_t kMaxLineSize = 1 << 20;  // longer lines are errors
constexpr size_t kPadding = simdjson::SIMDJSON_PADDING;
// Lines a worker triages before it writes: about 0.2-0.9 MB of results
// (compact JSON), so a worker's buffer stays in its core's cache.
constexpr size_t kChunkLines = 128;

Status WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IoError(fmt::format("write failed: {}", strerror(errno)));
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

struct Line {
  const char* data;
  size_t size;
  size_t number;  // 1-based line number in the input
  bool too_long;
};

// One worker's state, reused across blocks.
struct Worker {
  explicit Worker(const KnowledgeBase& kb) : reader(kb), c(kb.NewCase()) {}
  CaseReader reader;
  Case c;
  TriageResult result;
  std::string out;
  size_t errors = 0;
};

void ProcessLines(const KnowledgeBase& kb, const Line* lines, size_t count,
                  size_t buffer_end_capacity, const char* buffer_end,
                  const BatchOptions& options, Worker* w) {
  w->out.clear();
  for (size_t i = 0; i < count; ++i) {
    const Line& line = lines[i];
    if (line.too_long) {
      AppendErrorJson("", false,
                      fmt::format("line {}: case longer than {} bytes",
                                  line.number, kMaxLineSize),
                      &w->out);
      w->out.push_back('\n');
      ++w->errors;
      continue;
    }
    // Bytes after the line (the next lines, then the buffer's padding) are
    // readable, as simdjson requires; it does not interpret them.
    const size_t capacity =
        static_cast<size_t>(buffer_end - line.data) + buffer_end_capacity;
    Status s = w->reader.Read(line.data, line.size, capacity, &w->c);
    if (!s.ok()) {
      AppendErrorJson(w->c.id, !w->c.id.empty(),
                      fmt::format("line {}: {}", line.number, s.message()),
                      &w->out);
      w->out.push_back('\n');
      ++w->errors;
      continue;
    }
    Evaluate(kb, w->c, &w->result);
    if (options.format == OutputFormat::kJson) {
      AppendResultJson(
          kb, w->c, w->result, &w->out,
          options.full ? ResultDetail::kFull : ResultDetail::kCompact);
      w->out.push_back('\n');
    } else {
      AppendResultText(kb, w->c, w->result,
                       options.format == OutputFormat::kMarkdown, &w->out);
      w->out.push_back('\n');
    }
  }
}

// One block's lines, shared by its workers.
struct Round {
  const Line* lines = nullptr;
  size_t count = 0;
  const char* buffer_end = nullptr;
  std::atomic<size_t> next{0};     // the next chunk to take
  std::atomic<size_t> written{0};  // chunks written, in order
  Status error = Status::Ok();     // the first write error (set in turn)
};

void RunWorker(const KnowledgeBase& kb, Round* round,
               const BatchOptions& options, int out_fd, Worker* w) {
  for (;;) {
    const size_t i = round->next.fetch_add(1, std::memory_order_relaxed);
    const size_t from = i * kChunkLines;
    if (from >= round->count) return;
    ProcessLines(kb, round->lines + from,
                 std::min(kChunkLines, round->count - from), kPadding,
                 round->buffer_end, options, w);
    // Wait for every chunk before this one to be written.
    for (size_t done = round->written.load(std::memory_order_acquire);
         done != i; done = round->written.load(std::memory_order_acquire)) {
      round->written.wait(done, std::memory_order_acquire);
    }
    if (round->error.ok()) {
      Status s = WriteAll(out_fd, w->out.data(), w->out.size());
      if (!s.ok()) round->error = s;
    }
    round->written.store(i + 1, std::memory_order_release);
    round->written.notify_all();
  }
}

bool IsBlank(const char* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r') return false;
  }
  return true;
}

}  // namespace

Result<BatchStats> TriageStream(const KnowledgeBase& kb, int in_fd, int out_fd,
                                const BatchOptions& options) {
  int threads = options.threads > 0
                    ? options.threads
                    : static_cast<int>(std::thread::hardware_concurrency());
  threads = std::clamp(threads, 1, 64);
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < threads; ++i)
    workers.push_back(std::make_unique<Worker>(kb));

  BatchStats stats;
  // Not zeroed: only the bytes read are used, and the padding after them
  // is cleared each round (zeroing 8 MiB up front cost more than triaging
  // a small input).
  const auto storage =
      std::make_unique_for_overwrite<char[]>(kBlockSize + kPadding);
  char* const buf = storage.get();
  size_t filled = 0;       // bytes of input in buf
  size_t line_number = 0;  // lines consumed so far
  bool eof = false;
  bool discarding = false;  // inside an over-long line
  std::vector<Line> lines;

  while (!eof || filled > 0) {
    // Fill the buffer.
    while (!eof && filled < kBlockSize) {
      const ssize_t n = ::read(in_fd, buf + filled, kBlockSize - filled);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::IoError(fmt::format("read failed: {}", strerror(errno)));
      }
      if (n == 0) eof = true;
      filled += static_cast<size_t>(n);
    }
    std::memset(buf + filled, 0, kPadding);

    // Split complete lines; keep a trailing partial line for the next round.
    lines.clear();
    size_t start = 0;
    while (start < filled) {
      const char* nl = static_cast<const char*>(
          std::memchr(buf + start, '\n', filled - start));
      if (nl == nullptr && !eof) break;
      const size_t end = nl ? static_cast<size_t>(nl - buf) : filled;
      size_t len = end - start;
      if (discarding) {
        discarding = false;  // the rest of an over-long line
      } else {
        ++line_number;
        if (len > 0 && buf[start + len - 1] == '\r') --len;
        if (!IsBlank(buf + start, len)) {
          lines.push_back(
              Line{buf + start, len, line_number, len > kMaxLineSize});
        }
      }
      start = end + 1;
    }
    if (start > filled) start = filled;
    if (start == 0 && filled >= kBlockSize) {
      // No newline in a whole block: the line is too long. Report it once
      // and skip to its end.
      if (!discarding) {
        ++line_number;
        lines.push_back(Line{buf, 0, line_number, true});
        discarding = true;
      }
      start = filled;
    }

    // Triage the lines in parallel, a chunk of lines at a time: each
    // worker takes the next chunk, triages it into its own buffer and
    // writes it when every chunk before it is written. Output stays in
    // input order, and a worker's buffer is at most one chunk (in cache,
    // reused), not a whole block's results.
    const size_t n = lines.size();
    const size_t chunks = (n + kChunkLines - 1) / kChunkLines;
    Round round;
    round.lines = lines.data();
    round.count = n;
    round.buffer_end = buf + filled;
    const int used = static_cast<int>(
        std::min<size_t>(static_cast<size_t>(threads), chunks));
    std::vector<std::thread> pool;
    for (int t = 1; t < used; ++t) {
      pool.emplace_back(RunWorker, std::cref(kb), &round, std::cref(options),
                        out_fd, workers[t].get());
    }
    if (used > 0) RunWorker(kb, &round, options, out_fd, workers[0].get());
    for (auto& th : pool) th.join();
    if (!round.error.ok()) return round.error;
    for (int t = 0; t < used; ++t) {
      stats.errors += workers[t]->errors;
      workers[t]->errors = 0;
    }
    stats.cases += n;

    // Move the partial line to the front.
    const size_t rest = filled - start;
    if (rest > 0) std::memmove(buf, buf + start, rest);
    filled = rest;
    if (eof && filled == 0) break;
  }
  return stats;
}

}  // namespace backaid
