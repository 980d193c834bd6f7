// The web page's built files (index.html and assets/), read once at start
// and served from memory. Names with a path separator never match a file.
#ifndef BACKAID_SRC_API_STATIC_FILES_H_
#define BACKAID_SRC_API_STATIC_FILES_H_

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "src/server/http_server.h"

namespace backaid::api {

class StaticFiles {
 public:
  // Reads root/index.html and every regular file in root/assets. An empty
  // root, or files that cannot be read, leave nothing to serve.
  void Load(const std::string& root);
  // The file `name` ("index.html", "assets/x.js") with its content type
  // and caching headers, or a 404 problem saying whether the page is
  // served at all.
  server::HttpResponse Serve(const server::HttpRequest& req,
                             const std::string& name) const;
  bool empty() const { return files_.empty(); }
  // Replaces every occurrence of each `from` in the loaded file `name` (if
  // it was loaded) with its `to`: the server's own data written into the
  // page, e.g. the vocabulary into index.html.
  void Fill(const std::string& name,
            const std::vector<std::pair<std::string, std::string>>& with);

 private:
  struct File {
    std::string content_type;
    std::string body;
  };
  void LoadOne(const std::filesystem::path& root,
               const std::filesystem::path& name);
  std::map<std::string, File> files_;
};

}  // namespace backaid::api

#endif  // BACKAID_SRC_API_STATIC_FILES_H_
