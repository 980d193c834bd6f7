#include "src/api/crypto.h"

#include <sodium.h>

#include <cstring>

namespace backaid::api {

std::string Hex(const unsigned char* p, size_t n) {
  std::string s(n * 2, '0');
  sodium_bin2hex(s.data(), s.size() + 1, p, n);
  return s;
}

// BLAKE2b of `data` under a purpose label, as hex. Purpose labels keep the
// hashes of one value for different uses unlinkable.
std::string HashHex(std::string_view purpose, std::string_view data,
                    size_t bytes) {
  crypto_generichash_state st;
  unsigned char out[crypto_generichash_BYTES_MAX];
  crypto_generichash_init(&st, nullptr, 0, bytes);
  crypto_generichash_update(
      &st, reinterpret_cast<const unsigned char*>(purpose.data()),
      purpose.size());
  const unsigned char sep = 0;
  crypto_generichash_update(&st, &sep, 1);
  crypto_generichash_update(
      &st, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  crypto_generichash_final(&st, out, bytes);
  return Hex(out, bytes);
}

std::string KeyedHashHex(std::string_view key, std::string_view purpose,
                         std::string_view data, size_t bytes) {
  unsigned char k[crypto_generichash_KEYBYTES];
  crypto_generichash(k, sizeof k,
                     reinterpret_cast<const unsigned char*>(key.data()),
                     key.size(), nullptr, 0);
  crypto_generichash_state st;
  unsigned char out[crypto_generichash_BYTES_MAX];
  crypto_generichash_init(&st, k, sizeof k, bytes);
  sodium_memzero(k, sizeof k);
  crypto_generichash_update(
      &st, reinterpret_cast<const unsigned char*>(purpose.data()),
      purpose.size());
  const unsigned char sep = 0;
  crypto_generichash_update(&st, &sep, 1);
  crypto_generichash_update(
      &st, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  crypto_generichash_final(&st, out, bytes);
  return Hex(out, bytes);
}

std::string RandomUrlSafe(size_t bytes) {
  unsigned char buf[64];
  randombytes_buf(buf, bytes);
  std::string s(sodium_base64_encoded_len(
                    bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                '\0');
  sodium_bin2base64(s.data(), s.size(), buf, bytes,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  s.resize(std::strlen(s.c_str()));
  return s;
}

bool IsUrlSafeId(std::string_view s, size_t min, size_t max) {
  if (s.size() < min || s.size() > max) return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
          (c >= '0' && c <= '9') || c == '-' || c == '_')) {
      return false;
    }
  }
  return true;
}

// Authenticated encryption of a remembered response under a key derived
// from the client's Idempotency-Key, so the database alone never reveals
// a response (which may hold a capability token).
std::string Seal(std::string_view key_material, std::string_view plain) {
  unsigned char key[crypto_secretbox_KEYBYTES];
  crypto_generichash(
      key, sizeof key,
      reinterpret_cast<const unsigned char*>(key_material.data()),
      key_material.size(), nullptr, 0);
  std::string out(
      crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plain.size(),
      '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(o, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(o + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plain.data()),
                        plain.size(), o, key);
  sodium_memzero(key, sizeof key);
  return Hex(o, out.size());
}

std::optional<std::string> Open(std::string_view key_material,
                                std::string_view sealed_hex) {
  std::string sealed(sealed_hex.size() / 2, '\0');
  size_t len = 0;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(sealed.data()),
                     sealed.size(), sealed_hex.data(), sealed_hex.size(),
                     nullptr, &len, nullptr) != 0 ||
      len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return std::nullopt;
  }
  unsigned char key[crypto_secretbox_KEYBYTES];
  crypto_generichash(
      key, sizeof key,
      reinterpret_cast<const unsigned char*>(key_material.data()),
      key_material.size(), nullptr, 0);
  const auto* s = reinterpret_cast<const unsigned char*>(sealed.data());
  std::string plain(
      len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  const int rc =
      crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                 s + crypto_secretbox_NONCEBYTES,
                                 len - crypto_secretbox_NONCEBYTES, s, key);
  sodium_memzero(key, sizeof key);
  if (rc != 0) return std::nullopt;
  return plain;
}

}  // namespace backaid::api
