#include "src/fhir/json_response.h"

#include <fmt/format.h>
#include <sodium.h>

namespace backaid::fhir {

std::string Dump(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false,
                nlohmann::ordered_json::error_handler_t::replace);
}

server::HttpResponse JsonResponse(int status, std::string_view content_type,
                                  const nlohmann::ordered_json& j) {
  server::HttpResponse r;
  r.status = status;
  r.content_type = std::string(content_type);
  r.body = Dump(j);
  return r;
}

std::string RandomUuid() {
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  std::string hex(33, '\0');
  sodium_bin2hex(hex.data(), hex.size(), b, sizeof b);
  return fmt::format("{}-{}-{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4),
                     hex.substr(12, 4), hex.substr(16, 4), hex.substr(20, 12));
}

std::string StringMember(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace backaid::fhir
