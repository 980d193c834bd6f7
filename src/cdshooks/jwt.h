// Verification of the JWT a CDS Hooks client (an EHR) sends
// (Authorization: Bearer <jwt>): ES384 or RS384 signature against a JWKS,
// `iss` on an allow-list, `aud` = this service's URL, `exp` in the future,
// `jti` never seen before (replay). OpenSSL's libcrypto does the signature
// arithmetic, in the backaid_jwt.so module (jwt_crypto.h) loaded by the
// first Create.
#ifndef BACKAID_SRC_CDSHOOKS_JWT_H_
#define BACKAID_SRC_CDSHOOKS_JWT_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "backaid/status.h"

namespace backaid::cdshooks {

class JwtVerifier {
 public:
  // `jwks_json`: {"keys":[{"kty":"EC","crv":"P-384","x","y","kid"},
  // {"kty":"RSA","n","e","kid"}]}. Fails on a malformed set or no usable
  // key. kFailedPrecondition naming backaid_jwt.so when the signature
  // module cannot be loaded.
  static Result<std::unique_ptr<JwtVerifier>> Create(
      std::string_view jwks_json, std::vector<std::string> issuers,
      std::string audience);
  ~JwtVerifier();

  // OK, or kInvalidArgument naming the first problem (answer 401).
  // Thread-safe.
  Status Verify(std::string_view jwt, int64_t now_seconds);

 private:
  JwtVerifier() = default;
  struct Key;
  std::vector<std::unique_ptr<Key>> keys_;
  std::set<std::string> issuers_;
  std::string audience_;
  std::mutex mu_;
  std::map<std::string, int64_t> seen_jti_;  // jti -> exp
};

// base64url without padding -> bytes; false on bad input.
bool Base64UrlDecode(std::string_view in, std::string* out);

}  // namespace backaid::cdshooks

#endif  // BACKAID_SRC_CDSHOOKS_JWT_H_
