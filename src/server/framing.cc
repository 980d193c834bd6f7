// Strict request framing (RFC 9112), checked before any body is read or
// answered: what a proxy in front could frame differently is refused.
// Boost-free, unit-tested without sockets (http_util_test.cc).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/server/http_util.h"

namespace backaid::server {
namespace internal {

namespace {

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

bool HasObsFold(std::string_view block) {
  const size_t end = block.find("\r\n\r\n");
  if (end != std::string_view::npos) block = block.substr(0, end + 2);
  for (size_t i = block.find('\n'); i != std::string_view::npos;
       i = block.find('\n', i + 1)) {
    if (i + 1 < block.size() && (block[i + 1] == ' ' || block[i + 1] == '\t'))
      return true;
  }
  return false;
}

FramingProblem CheckFraming(
    const std::vector<std::pair<std::string_view, std::string_view>>& fields,
    unsigned version, bool obs_fold) {
  if (obs_fold) {
    return {400, "bad-framing",
            "A header field is folded over two lines (obs-fold); send each "
            "field on one line."};
  }
  int hosts = 0, authorizations = 0, content_lengths = 0;
  std::vector<std::string_view> codings;
  for (const auto& [name, value] : fields) {
    if (IEquals(name, "host")) ++hosts;
    if (IEquals(name, "authorization")) ++authorizations;
    if (IEquals(name, "content-length")) ++content_lengths;
    if (IEquals(name, "transfer-encoding")) {
      if (TrimOws(value).empty()) codings.push_back("");
      std::string_view rest = value;
      for (;;) {
        const size_t comma = rest.find(',');
        const std::string_view c = TrimOws(rest.substr(0, comma));
        if (!c.empty()) codings.push_back(c);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
    }
  }
  if (version >= 11 && hosts != 1) {
    return {400, "bad-framing",
            hosts == 0 ? "An HTTP/1.1 request needs a Host header."
                       : "The request has more than one Host header."};
  }
  if (authorizations > 1) {
    return {400, "bad-framing",
            "The request has more than one Authorization header."};
  }
  if (!codings.empty()) {
    if (content_lengths > 0) {
      return {400, "bad-framing",
              "The request has both Transfer-Encoding and Content-Length."};
    }
    int chunked = 0;
    for (std::string_view c : codings) chunked += IEquals(c, "chunked");
    if (!IEquals(codings.back(), "chunked") || chunked > 1) {
      return {400, "bad-framing",
              "Transfer-Encoding must end with chunked, applied once."};
    }
    if (codings.size() > 1) {
      // RFC 9112 allows 501 here; 400 keeps every refusal of a client's
      // request a 4xx (a 5xx means the server failed).
      return {400, "unsupported-transfer-coding",
              "The only transfer coding this server accepts is chunked."};
    }
  }
  return {};
}

}  // namespace internal
}  // namespace backaid::server
