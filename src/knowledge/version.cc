// The version hash: SHA-256 over the knowledge base files.
#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>

#include "src/knowledge/build.h"

namespace backaid::kb {

std::string Sha256Hex(const std::vector<KbFile>& files) {
  std::vector<const KbFile*> sorted;
  for (const auto& f : files) sorted.push_back(&f);
  std::sort(sorted.begin(), sorted.end(),
            [](const KbFile* a, const KbFile* b) { return a->path < b->path; });
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  for (const KbFile* f : sorted) {
    const std::string header =
        fmt::format("{}\n{}\n", f->path, f->content.size());
    crypto_hash_sha256_update(
        &st, reinterpret_cast<const unsigned char*>(header.data()),
        header.size());
    crypto_hash_sha256_update(
        &st, reinterpret_cast<const unsigned char*>(f->content.data()),
        f->content.size());
  }
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&st, digest);
  std::string hex;
  for (unsigned char b : digest) hex += fmt::format("{:02x}", b);
  return hex;
}

}  // namespace backaid::kb
