#include "src/cdshooks/jwt.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <nlohmann/json.hpp>

namespace backaid::cdshooks {

using json = nlohmann::json;

struct JwtVerifier::Key {
  std::string kid;
  std::string alg;  // ES384 or RS384
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

JwtVerifier::~JwtVerifier() = default;

bool Base64UrlDecode(std::string_view in, std::string* out) {
  out->clear();
  uint32_t buf = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '-')
      v = 62;
    else if (c == '_')
      v = 63;
    else
      return false;
    buf = (buf << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((buf >> bits) & 0xff));
    }
  }
  return bits < 6;
}

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

EVP_PKEY* EcKey(const std::string& x, const std::string& y) {
  if (x.size() != 48 || y.size() != 48) return nullptr;
  std::string point = "\x04" + x + y;
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  EVP_PKEY* pkey = nullptr;
  if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                      "secp384r1", 0) &&
      OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
                                       point.data(), point.size())) {
    pkey = FromData("EC", bld);
  }
  OSSL_PARAM_BLD_free(bld);
  return pkey;
}

EVP_PKEY* RsaKey(const std::string& n, const std::string& e) {
  BIGNUM* bn_n = BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()),
                           static_cast<int>(n.size()), nullptr);
  BIGNUM* bn_e = BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()),
                           static_cast<int>(e.size()), nullptr);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  EVP_PKEY* pkey = nullptr;
  if (bn_n && bn_e && n.size() >= 256 &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e)) {
    pkey = FromData("RSA", bld);
  }
  OSSL_PARAM_BLD_free(bld);
  BN_free(bn_n);
  BN_free(bn_e);
  return pkey;
}

bool VerifySignature(EVP_PKEY* pkey, const std::string& alg,
                     std::string_view signed_part, const std::string& sig) {
  std::string der;
  if (alg == "ES384") {
    // JWS carries r || s (48 bytes each); libcrypto wants DER.
    if (sig.size() != 96) return false;
    ECDSA_SIG* es = ECDSA_SIG_new();
    BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data()),
                          48, nullptr);
    BIGNUM* s = BN_bin2bn(
        reinterpret_cast<const unsigned char*>(sig.data() + 48), 48, nullptr);
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
    der.assign(reinterpret_cast<char*>(p), len);
    OPENSSL_free(p);
  } else {
    der = sig;
  }
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  bool ok =
      md != nullptr &&
      EVP_DigestVerifyInit(md, nullptr, EVP_sha384(), nullptr, pkey) == 1 &&
      EVP_DigestVerify(
          md, reinterpret_cast<const unsigned char*>(der.data()), der.size(),
          reinterpret_cast<const unsigned char*>(signed_part.data()),
          signed_part.size()) == 1;
  EVP_MD_CTX_free(md);
  return ok;
}

}  // namespace

Result<std::unique_ptr<JwtVerifier>> JwtVerifier::Create(
    std::string_view jwks_json, std::vector<std::string> issuers,
    std::string audience) {
  json jwks = json::parse(jwks_json, nullptr, false);
  if (jwks.is_discarded() || !jwks.is_object() || !jwks.contains("keys") ||
      !jwks["keys"].is_array()) {
    return Status::InvalidArgument("JWKS: expected {\"keys\": [...]}");
  }
  std::unique_ptr<JwtVerifier> v(new JwtVerifier());
  for (const json& k : jwks["keys"]) {
    if (!k.is_object()) continue;
    auto key = std::make_unique<Key>();
    key->kid = k.value("kid", "");
    const std::string kty = k.value("kty", "");
    std::string a, b;
    if (kty == "EC" && k.value("crv", "") == "P-384" &&
        Base64UrlDecode(k.value("x", ""), &a) &&
        Base64UrlDecode(k.value("y", ""), &b)) {
      key->alg = "ES384";
      key->pkey = EcKey(a, b);
    } else if (kty == "RSA" && Base64UrlDecode(k.value("n", ""), &a) &&
               Base64UrlDecode(k.value("e", ""), &b)) {
      key->alg = "RS384";
      key->pkey = RsaKey(a, b);
    }
    if (key->pkey != nullptr) v->keys_.push_back(std::move(key));
  }
  if (v->keys_.empty()) {
    return Status::InvalidArgument(
        "JWKS: no usable key (EC P-384 or RSA >= 2048 bits)");
  }
  if (issuers.empty()) return Status::InvalidArgument("no allowed issuer");
  if (audience.empty()) return Status::InvalidArgument("no audience");
  v->issuers_ = {issuers.begin(), issuers.end()};
  v->audience_ = std::move(audience);
  return v;
}

Status JwtVerifier::Verify(std::string_view jwt, int64_t now) {
  auto bad = [](std::string m) { return Status::InvalidArgument(m); };
  const size_t d1 = jwt.find('.');
  const size_t d2 = d1 == jwt.npos ? jwt.npos : jwt.find('.', d1 + 1);
  if (d2 == jwt.npos || jwt.find('.', d2 + 1) != jwt.npos || jwt.size() > 8192)
    return bad("not a compact JWS");
  std::string header_raw, payload_raw, sig;
  if (!Base64UrlDecode(jwt.substr(0, d1), &header_raw) ||
      !Base64UrlDecode(jwt.substr(d1 + 1, d2 - d1 - 1), &payload_raw) ||
      !Base64UrlDecode(jwt.substr(d2 + 1), &sig))
    return bad("bad base64url");
  json header = json::parse(header_raw, nullptr, false);
  json claims = json::parse(payload_raw, nullptr, false);
  if (!header.is_object() || !claims.is_object()) return bad("bad JSON");
  const std::string alg = header.value("alg", "");
  if (alg != "ES384" && alg != "RS384")
    return bad("alg must be ES384 or RS384");
  const std::string kid = header.value("kid", "");
  bool verified = false;
  for (const auto& k : keys_) {
    if (k->alg != alg || (!kid.empty() && !k->kid.empty() && k->kid != kid))
      continue;
    if (VerifySignature(k->pkey, alg, jwt.substr(0, d2), sig)) {
      verified = true;
      break;
    }
  }
  if (!verified) return bad("signature does not verify against the JWKS");
  if (!claims.contains("iss") || !claims["iss"].is_string() ||
      !issuers_.count(claims["iss"].get<std::string>()))
    return bad("iss is not an allowed issuer");
  bool aud_ok = false;
  if (claims.contains("aud")) {
    const json& aud = claims["aud"];
    if (aud.is_string()) aud_ok = aud == audience_;
    if (aud.is_array())
      for (const json& a : aud)
        aud_ok = aud_ok || (a.is_string() && a == audience_);
  }
  if (!aud_ok) return bad("aud is not this service");
  if (!claims.contains("exp") || !claims["exp"].is_number())
    return bad("exp is required");
  const int64_t exp = claims["exp"].get<int64_t>();
  if (exp <= now) return bad("the token has expired");
  if (!claims.contains("jti") || !claims["jti"].is_string() ||
      claims["jti"].get<std::string>().empty())
    return bad("jti is required");
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = seen_jti_.begin(); it != seen_jti_.end();) {
    it = it->second <= now ? seen_jti_.erase(it) : std::next(it);
  }
  // Bounded memory: tokens live minutes; this many at once is an attack.
  if (seen_jti_.size() >= 100000) return bad("too many live tokens");
  if (!seen_jti_.emplace(claims["jti"].get<std::string>(), exp).second)
    return bad("jti was already used (replay)");
  return Status::Ok();
}

}  // namespace backaid::cdshooks
