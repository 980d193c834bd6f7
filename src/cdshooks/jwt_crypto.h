// The JWT signature module (backaid_jwt.so): the only code that touches
// OpenSSL's libcrypto. libcrypto alone carries more load-time relocations
// than the rest of the binary, and only `backaid serve` with CDS Hooks
// authentication configured needs it, so jwt.cc forwards key import and
// signature checks to this table, loaded when the first verifier is
// created (src/loadable/loadable.h). Both sides come from one build (the
// loader checks the module's ABI tag); rename the symbol (_v2) if the
// table changes.
#ifndef BACKAID_SRC_CDSHOOKS_JWT_CRYPTO_H_
#define BACKAID_SRC_CDSHOOKS_JWT_CRYPTO_H_

#include <string>
#include <string_view>

namespace backaid::cdshooks {

// An imported public key; owned by the caller, released with free_key.
struct PublicKey;

struct CryptoApi {
  // A P-384 public key from its affine coordinates (48 bytes each), or
  // nullptr if they are not a point of the curve.
  PublicKey* (*ec_p384_key)(const std::string& x, const std::string& y);
  // An RSA public key from modulus and exponent (big-endian bytes), or
  // nullptr if the modulus is shorter than 2048 bits or unusable.
  PublicKey* (*rsa_key)(const std::string& n, const std::string& e);
  void (*free_key)(PublicKey* key);
  // True iff `sig` is a valid SHA-384 signature of `signed_part` by `key`:
  // ES384 (`sig` = r || s, 48 bytes each, as JWS carries it) or RS384
  // (PKCS #1 v1.5). `alg` is "ES384" or "RS384".
  bool (*verify_sha384)(const PublicKey* key, std::string_view alg,
                        std::string_view signed_part, const std::string& sig);
};

using CryptoModuleFn = const CryptoApi* (*)();
inline constexpr const char* kCryptoModuleSymbol = "backaid_jwt_crypto_v1";

}  // namespace backaid::cdshooks

#endif  // BACKAID_SRC_CDSHOOKS_JWT_CRYPTO_H_
