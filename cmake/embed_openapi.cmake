# Writes the OpenAPI document as a C++ string (IN -> OUT).
file(READ "${IN}" DOC)
string(LENGTH "${DOC}" LEN)
# Split into chunks: compilers limit the length of one string literal.
set(BODY "")
set(POS 0)
while(POS LESS LEN)
  string(SUBSTRING "${DOC}" ${POS} 8000 CHUNK)
  string(APPEND BODY "R\"oapi(${CHUNK})oapi\"\n")
  math(EXPR POS "${POS} + 8000")
endwhile()
file(WRITE "${OUT}.tmp" "// Generated from src/api/openapi.json; do not edit.
#include <string_view>
namespace backaid::api {
std::string_view OpenApiDocument() {
  static const char kDoc[] =
${BODY};
  return std::string_view(kDoc, sizeof(kDoc) - 1);
}
}  // namespace backaid::api
")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
