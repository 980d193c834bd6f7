#include "src/api/static_files.h"

#include <fstream>
#include <sstream>

namespace backaid::api {

using server::HttpRequest;
using server::HttpResponse;

void StaticFiles::Load(const std::string& root_dir) {
  namespace fs = std::filesystem;
  if (root_dir.empty()) return;
  std::error_code ec;
  const fs::path root(root_dir);
  LoadOne(root, fs::path("index.html"));
  for (fs::directory_iterator it(root / "assets", ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->is_regular_file()) {
      LoadOne(root, fs::path("assets") / it->path().filename());
    }
  }
}

void StaticFiles::LoadOne(const std::filesystem::path& root,
                          const std::filesystem::path& name) {
  std::ifstream in(root / name, std::ios::binary);
  if (!in) return;
  std::ostringstream data;
  data << in.rdbuf();
  const std::string ext = name.extension().string();
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
  };
  auto type = kTypes.find(ext);
  files_[name.generic_string()] =
      File{type == kTypes.end() ? "application/octet-stream" : type->second,
           data.str()};
}

void StaticFiles::Fill(
    const std::string& name,
    const std::vector<std::pair<std::string, std::string>>& with) {
  auto it = files_.find(name);
  if (it == files_.end()) return;
  std::string& body = it->second.body;
  for (const auto& [from, to] : with) {
    for (size_t at = body.find(from); at != std::string::npos;
         at = body.find(from, at + to.size())) {
      body.replace(at, from.size(), to);
    }
  }
}

HttpResponse StaticFiles::Serve(const HttpRequest& req,
                                const std::string& name) const {
  auto it = files_.find(name);
  if (it == files_.end()) {
    return server::Problem(404, "not-found", "No such page",
                           !empty() ? "there is no such file of the web page"
                                    : "the web page is not served: start "
                                      "with --web DIR",
                           req.request_id);
  }
  HttpResponse r;
  r.content_type = it->second.content_type;
  r.body = it->second.body;
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Cache-Control", name == "index.html"
                                              ? "no-cache"
                                              : "public, max-age=300");
  return r;
}

}  // namespace backaid::api
