// The API's cryptography (libsodium; sodium_init must have succeeded, as
// RegisterRoutes checks): purpose-labelled hashes, random ids and tokens,
// and the sealing of remembered answers.
#ifndef BACKAID_SRC_API_CRYPTO_H_
#define BACKAID_SRC_API_CRYPTO_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace backaid::api {

// Lower-case hex of n bytes.
std::string Hex(const unsigned char* p, size_t n);

// BLAKE2b of `data` under a purpose label, as hex (`bytes` long before hex
// encoding). Purpose labels keep the hashes of one value for different
// uses unlinkable.
std::string HashHex(std::string_view purpose, std::string_view data,
                    size_t bytes = 32);

// The same under a secret `key` (any length; hashed to a 32-byte BLAKE2b
// key): without the key the result cannot be computed from `data`.
std::string KeyedHashHex(std::string_view key, std::string_view purpose,
                         std::string_view data, size_t bytes = 32);

// `bytes` (at most 64) random bytes, base64url without padding.
std::string RandomUrlSafe(size_t bytes);

// True when `s` is min..max characters of the base64url alphabet.
bool IsUrlSafeId(std::string_view s, size_t min, size_t max);

// Authenticated encryption (XSalsa20-Poly1305) of `plain` under a key
// derived from `key_material`, as hex (nonce, MAC, ciphertext). Open
// returns the plain text, or nullopt when the key is wrong or the text was
// changed.
std::string Seal(std::string_view key_material, std::string_view plain);
std::optional<std::string> Open(std::string_view key_material,
                                std::string_view sealed_hex);

}  // namespace backaid::api

#endif  // BACKAID_SRC_API_CRYPTO_H_
