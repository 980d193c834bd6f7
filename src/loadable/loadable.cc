#include "src/loadable/loadable.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <mutex>
#include <string>

#ifndef BACKAID_MODULE_RELATIVE_DIR
#define BACKAID_MODULE_RELATIVE_DIR "../lib/backaid"
#endif
#ifndef BACKAID_MODULE_INSTALL_DIR
#define BACKAID_MODULE_INSTALL_DIR "/usr/local/lib/backaid"
#endif

namespace backaid::loadable {
namespace {

struct Loaded {
  void* handle = nullptr;
  std::string error;  // when handle is null
};

std::string ExecutableDir() {
  std::string buf(4096, '\0');
  const ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  if (n <= 0) return "";
  buf.resize(static_cast<size_t>(n));
  const size_t slash = buf.rfind('/');
  return slash == std::string::npos ? "" : buf.substr(0, slash);
}

std::string Join(const std::vector<std::string>& dirs) {
  std::string s;
  for (const std::string& d : dirs) {
    if (!s.empty()) s += ", ";
    s += d;
  }
  return s;
}

Loaded Open(const std::string& file, std::string_view what) {
  const std::vector<std::string> dirs = ModuleDirs();
  for (const std::string& dir : dirs) {
    const std::string path = dir + "/" + file;
    if (::access(path.c_str(), F_OK) != 0) continue;
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* err = ::dlerror();
      return {nullptr, "cannot load " + std::string(what) + " module '" + path +
                           "': " + (err ? err : "unknown error")};
    }
    auto* abi =
        static_cast<const char* const*>(::dlsym(handle, "backaid_module_abi"));
    if (abi == nullptr || *abi == nullptr ||
        std::strcmp(*abi, BACKAID_MODULE_ABI) != 0) {
      // Not closed: a module's static destructors may not be safe to run
      // half-initialised; the handle is simply never used.
      return {nullptr,
              "the " + std::string(what) + " module '" + path +
                  "' belongs to another build of backaid (module ABI '" +
                  (abi && *abi ? *abi : "none") + "', this binary needs '" +
                  BACKAID_MODULE_ABI + "'): reinstall backaid"};
    }
    return {handle, ""};
  }
  return {nullptr, std::string(what) + " needs the module file '" + file +
                       "', which was found in none of: " + Join(dirs) +
                       " (install it beside the backaid binary or there)"};
}

}  // namespace

std::vector<std::string> ModuleDirs() {
  std::vector<std::string> dirs;
  const std::string self = ExecutableDir();
  if (!self.empty()) {
    dirs.push_back(self);
    // Installed under any prefix (a package's /usr, a configured
    // /usr/local): the library directory relative to the binary's.
    dirs.push_back(self + "/" + BACKAID_MODULE_RELATIVE_DIR);
  }
  const std::string installed = BACKAID_MODULE_INSTALL_DIR;
  if (installed != self) dirs.push_back(installed);
  return dirs;
}

Result<void*> Symbol(std::string_view module_file, const char* symbol,
                     std::string_view what) {
  static std::mutex mu;
  static auto* loaded = new std::map<std::string, Loaded, std::less<>>();
  std::lock_guard<std::mutex> lock(mu);
  auto it = loaded->find(module_file);
  if (it == loaded->end()) {
    it = loaded
             ->emplace(std::string(module_file),
                       Open(std::string(module_file), what))
             .first;
  }
  if (it->second.handle == nullptr) {
    return Status::FailedPrecondition(it->second.error);
  }
  ::dlerror();
  void* sym = ::dlsym(it->second.handle, symbol);
  if (sym == nullptr) {
    return Status::FailedPrecondition("the " + std::string(what) + " module '" +
                                      std::string(module_file) +
                                      "' has no entry point '" + symbol + "'");
  }
  return sym;
}

}  // namespace backaid::loadable
