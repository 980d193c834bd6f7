# Installation layout and the Debian package (`make deb`: CPack's DEB
# generator). Included at the end of CMakeLists.txt, once every target
# exists. Layout under the package's /usr prefix:
#   bin/backaid                          the one binary
#   share/backaid/web/                   the built web page (serve --web)
#   share/man/man1/backaid.1.gz          generated from --help (help2man)
#   share/doc/backaid/{copyright,changelog.gz}
#   /etc/backaid/backaid.conf            serve's options (a conffile)
#   /lib/systemd/system/backaid.service  the hardened service unit
# Modules loaded on demand (if any) install themselves under
# ${CMAKE_INSTALL_LIBDIR}/backaid from their own cmake/modules file.
include(GNUInstallDirs)
set(BACKAID_PACKAGING_DIR "${CMAKE_SOURCE_DIR}/packaging")

install(TARGETS backaid RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY "${BACKAID_WEB_DIR}/"
        DESTINATION ${CMAKE_INSTALL_DATADIR}/backaid/web
        PATTERN build-stamp EXCLUDE)
install(FILES "${BACKAID_PACKAGING_DIR}/backaid.conf" DESTINATION /etc/backaid
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
install(FILES "${BACKAID_PACKAGING_DIR}/backaid.service"
        DESTINATION /lib/systemd/system)

# The man page: help2man over `backaid --help`, with a section per
# subcommand from its own --help (tools/manpage.sh), so it cannot drift.
find_program(BACKAID_HELP2MAN help2man)
set(BACKAID_MANPAGE "${CMAKE_BINARY_DIR}/package/backaid.1.gz")
if(BACKAID_HELP2MAN)
  add_custom_command(
    OUTPUT "${BACKAID_MANPAGE}"
    COMMAND bash "${BACKAID_PACKAGING_DIR}/manpage.sh" $<TARGET_FILE:backaid>
            "${BACKAID_MANPAGE}"
    DEPENDS backaid "${BACKAID_PACKAGING_DIR}/manpage.sh"
    COMMENT "Generating the man page from --help (help2man)"
    VERBATIM)
  add_custom_target(backaid_manpage ALL DEPENDS "${BACKAID_MANPAGE}")
  install(FILES "${BACKAID_MANPAGE}" DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()

# Debian's documentation files: copyright, and a native changelog whose
# version is the project's (gzip -n: no timestamp in the archive).
string(TIMESTAMP BACKAID_CHANGELOG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
file(READ "${BACKAID_PACKAGING_DIR}/debian/changelog" BACKAID_CHANGELOG)
string(REPLACE "@VERSION@" "${PROJECT_VERSION}" BACKAID_CHANGELOG
       "${BACKAID_CHANGELOG}")
string(REPLACE "@DATE@" "${BACKAID_CHANGELOG_DATE}" BACKAID_CHANGELOG
       "${BACKAID_CHANGELOG}")
file(WRITE "${CMAKE_BINARY_DIR}/package/changelog" "${BACKAID_CHANGELOG}")
add_custom_command(
  OUTPUT "${CMAKE_BINARY_DIR}/package/changelog.gz"
  COMMAND gzip -9nf -k "${CMAKE_BINARY_DIR}/package/changelog"
  DEPENDS "${BACKAID_PACKAGING_DIR}/debian/changelog"
  COMMENT "Compressing the Debian changelog"
  VERBATIM)
add_custom_target(backaid_changelog ALL
  DEPENDS "${CMAKE_BINARY_DIR}/package/changelog.gz")
install(FILES "${BACKAID_PACKAGING_DIR}/debian/copyright"
              "${CMAKE_BINARY_DIR}/package/changelog.gz"
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME backaid)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "backaid developers <dev@backaid.example.org>")
set(CPACK_PACKAGE_VENDOR "backaid developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "back spasm assessment, triage and self-care guidance")
set(CPACK_PACKAGE_DESCRIPTION
    "backaid asks about a back spasm, says how urgently care is needed
(emergency, urgent, routine or self-care) and why, names the warning signs
and the conditions to check for, and plans safe self-care with a follow-up
diary. It gives information and triage, not a diagnosis.

This package holds the command line (triage, validate, assess, plan), the
HTTP API server with its web page, and a hardened systemd service.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# adduser: postinst creates the service's system user.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${BACKAID_PACKAGING_DIR}/debian/postinst"
    "${BACKAID_PACKAGING_DIR}/debian/prerm"
    "${BACKAID_PACKAGING_DIR}/debian/postrm"
    "${BACKAID_PACKAGING_DIR}/debian/conffiles")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_STRIP_FILES TRUE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_OUTPUT_FILE_PREFIX "${CMAKE_BINARY_DIR}")
include(CPack)
