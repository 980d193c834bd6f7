// Linked into every executable of the sanitizer build only. LeakSanitizer
// reports memory that third-party libraries keep for the life of the
// process on purpose (caches that are never freed); these are theirs, not
// ours, so they are suppressed by library. Our own code is never listed.
//  - fontconfig, pango, glib, harfbuzz, cairo: the font and type caches
//    built the first time the handover PDF lays out text.
//  - libpqxx 6.4.5: a PGresult left behind when the server ends a session.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libfontconfig.so\n"
         "leak:libpango-1.0.so\n"
         "leak:libpangoft2-1.0.so\n"
         "leak:libpangocairo-1.0.so\n"
         "leak:libglib-2.0.so\n"
         "leak:libgobject-2.0.so\n"
         "leak:libharfbuzz.so\n"
         "leak:libcairo.so\n"
         "leak:libpqxx-6.4.so\n";
}
