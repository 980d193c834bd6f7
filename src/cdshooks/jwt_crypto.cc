// backaid_jwt.so: JWS key import and signature verification with OpenSSL's
// libcrypto (see jwt_crypto.h for why this is a module).
#include "src/cdshooks/jwt_crypto.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "src/loadable/loadable.h"

namespace backaid::cdshooks {

struct PublicKey {
  EVP_PKEY* pkey = nullptr;
  ~PublicKey() { EVP_PKEY_free(pkey); }
};

namespace {

EVP_PKEY* FromData(const char* type, OSSL_PARAM_BLD* bld) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* pkey = nullptr;
  if (params != nullptr && ctx != nullptr && EVP_PKEY_fromdata_init(ctx) > 0) {
    if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
      pkey = nullptr;
    }
  }
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  return pkey;
}

PublicKey* Wrap(EVP_PKEY* pkey) {
  if (pkey == nullptr) return nullptr;
  auto* key = new PublicKey;
  key->pkey = pkey;
  return key;
}

PublicKey* EcP384Key(const std::string& x, const std::string& y) {
  if (x.size() != 48 || y.size() != 48) return nullptr;
  std::string point = "\x04" + x + y;
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  EVP_PKEY* pkey = nullptr;
  if (bld != nullptr &&
      OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                      "secp384r1", 0) &&
      OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
                                       point.data(), point.size())) {
    pkey = FromData("EC", bld);
  }
  OSSL_PARAM_BLD_free(bld);
  return Wrap(pkey);
}

PublicKey* RsaKey(const std::string& n, const std::string& e) {
  BIGNUM* bn_n = BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()),
                           static_cast<int>(n.size()), nullptr);
  BIGNUM* bn_e = BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()),
                           static_cast<int>(e.size()), nullptr);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  EVP_PKEY* pkey = nullptr;
  if (bld != nullptr && bn_n && bn_e && n.size() >= 256 &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e)) {
    pkey = FromData("RSA", bld);
  }
  OSSL_PARAM_BLD_free(bld);
  BN_free(bn_n);
  BN_free(bn_e);
  return Wrap(pkey);
}

void FreeKey(PublicKey* key) { delete key; }

// JWS carries an ECDSA signature as r || s; libcrypto wants DER.
bool EcdsaToDer(const std::string& sig, std::string* der) {
  if (sig.size() != 96) return false;
  ECDSA_SIG* es = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data()), 48,
                        nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data() + 48),
                        48, nullptr);
  if (es == nullptr || r == nullptr || s == nullptr ||
      ECDSA_SIG_set0(es, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(es);
    return false;
  }
  unsigned char* p = nullptr;
  const int len = i2d_ECDSA_SIG(es, &p);
  ECDSA_SIG_free(es);
  if (len <= 0) return false;
  der->assign(reinterpret_cast<char*>(p), len);
  OPENSSL_free(p);
  return true;
}

bool VerifySha384(const PublicKey* key, std::string_view alg,
                  std::string_view signed_part, const std::string& sig) {
  if (key == nullptr) return false;
  std::string der;
  if (alg == "ES384") {
    if (!EcdsaToDer(sig, &der)) return false;
  } else if (alg == "RS384") {
    der = sig;
  } else {
    return false;
  }
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  const bool ok =
      md != nullptr &&
      EVP_DigestVerifyInit(md, nullptr, EVP_sha384(), nullptr, key->pkey) ==
          1 &&
      EVP_DigestVerify(
          md, reinterpret_cast<const unsigned char*>(der.data()), der.size(),
          reinterpret_cast<const unsigned char*>(signed_part.data()),
          signed_part.size()) == 1;
  EVP_MD_CTX_free(md);
  return ok;
}

const CryptoApi kApi = {&EcP384Key, &RsaKey, &FreeKey, &VerifySha384};

}  // namespace
}  // namespace backaid::cdshooks

BACKAID_MODULE_EXPORT const char* const backaid_module_abi = BACKAID_MODULE_ABI;

BACKAID_MODULE_EXPORT const backaid::cdshooks::CryptoApi*
backaid_jwt_crypto_v1() {
  return &backaid::cdshooks::kApi;
}
