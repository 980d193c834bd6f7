// libFuzzer target: the HTTP request path of `backaid serve` before any
// handler: Beast's request parser with the server's limits, then the
// server's own checks on what it parsed (strict framing, obs-fold, the
// request target's decoding).
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "src/server/http_util.h"

namespace http = boost::beast::http;
using backaid::server::internal::CheckFraming;
using backaid::server::internal::DecodeTarget;
using backaid::server::internal::HasObsFold;
using backaid::server::internal::Target;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(64 * 1024);
  boost::beast::error_code ec;
  size_t used = parser.put(boost::asio::buffer(raw.data(), raw.size()), ec);
  if (parser.is_header_done()) {
    std::vector<std::pair<std::string_view, std::string_view>> fields;
    for (const auto& f : parser.get()) {
      fields.emplace_back(f.name_string(), f.value());
    }
    (void)CheckFraming(fields, parser.get().version(),
                       HasObsFold(raw.substr(0, used)));
    Target t;
    (void)DecodeTarget(parser.get().target(), &t);
  }
  (void)HasObsFold(raw);
  return 0;
}
