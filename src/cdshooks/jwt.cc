#include "src/cdshooks/jwt.h"

#include <atomic>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>

#include "src/cdshooks/jwt_crypto.h"
#include "src/fhir/json_response.h"
#include "src/loadable/loadable.h"

namespace backaid::cdshooks {

using json = nlohmann::json;
// A token header and a JWKS come from outside: their members are read
// without the throwing nlohmann value().
using fhir::StringMember;

namespace {

// The signature module, loaded by the first JwtVerifier::Create.
Result<const CryptoApi*> Crypto() {
  static std::atomic<const CryptoApi*> cached{nullptr};
  if (const CryptoApi* api = cached.load(std::memory_order_acquire)) {
    return api;
  }
  auto fn = loadable::Symbol(loadable::kJwtModule, kCryptoModuleSymbol,
                             "CDS Hooks JWT verification (OpenSSL)");
  if (!fn.ok()) return fn.status();
  const CryptoApi* api = reinterpret_cast<CryptoModuleFn>(*fn)();
  cached.store(api, std::memory_order_release);
  return api;
}

}  // namespace

struct JwtVerifier::Key {
  std::string kid;
  std::string alg;  // ES384 or RS384
  const CryptoApi* crypto = nullptr;
  PublicKey* pkey = nullptr;
  ~Key() {
    if (pkey != nullptr) crypto->free_key(pkey);
  }
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

Result<std::unique_ptr<JwtVerifier>> JwtVerifier::Create(
    std::string_view jwks_json, std::vector<std::string> issuers,
    std::string audience) {
  json jwks = json::parse(jwks_json, nullptr, false);
  if (jwks.is_discarded() || !jwks.is_object() || !jwks.contains("keys") ||
      !jwks["keys"].is_array()) {
    return Status::InvalidArgument("JWKS: expected {\"keys\": [...]}");
  }
  auto crypto = Crypto();
  if (!crypto.ok()) return crypto.status();
  std::unique_ptr<JwtVerifier> v(new JwtVerifier());
  for (const json& k : jwks["keys"]) {
    if (!k.is_object()) continue;
    auto key = std::make_unique<Key>();
    key->crypto = *crypto;
    key->kid = StringMember(k, "kid");
    const std::string kty = StringMember(k, "kty");
    std::string a, b;
    if (kty == "EC" && StringMember(k, "crv") == "P-384" &&
        Base64UrlDecode(StringMember(k, "x"), &a) &&
        Base64UrlDecode(StringMember(k, "y"), &b)) {
      key->alg = "ES384";
      key->pkey = key->crypto->ec_p384_key(a, b);
    } else if (kty == "RSA" && Base64UrlDecode(StringMember(k, "n"), &a) &&
               Base64UrlDecode(StringMember(k, "e"), &b)) {
      key->alg = "RS384";
      key->pkey = key->crypto->rsa_key(a, b);
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
  const std::string alg = StringMember(header, "alg");
  if (alg != "ES384" && alg != "RS384")
    return bad("alg must be ES384 or RS384");
  if (header.contains("kid") && !header["kid"].is_string())
    return bad("kid must be a string");
  const std::string kid = StringMember(header, "kid");
  bool verified = false;
  for (const auto& k : keys_) {
    if (k->alg != alg || (!kid.empty() && !k->kid.empty() && k->kid != kid))
      continue;
    if (k->crypto->verify_sha384(k->pkey, alg, jwt.substr(0, d2), sig)) {
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
  // NumericDate: seconds, possibly fractional (RFC 7519 2). Out of the
  // int64 range it is refused, never converted (that would be undefined).
  const json& exp_claim = claims["exp"];
  int64_t exp = 0;
  if (exp_claim.is_number_unsigned()) {
    if (exp_claim.get<uint64_t>() >
        static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return bad("exp is out of range");
    exp = static_cast<int64_t>(exp_claim.get<uint64_t>());
  } else if (exp_claim.is_number_integer()) {
    exp = exp_claim.get<int64_t>();
  } else {
    const double d = exp_claim.get<double>();
    if (!(d > -9.0e18 && d < 9.0e18)) return bad("exp is out of range");
    exp = static_cast<int64_t>(d);
  }
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
