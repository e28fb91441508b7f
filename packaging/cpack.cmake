# The Debian package, made by CPack's DEB generator from the install rules of
# packaging/install.cmake. After a build:
#
#   cpack -G DEB --config build/dev/CPackConfig.cmake -B /tmp/makegood-deb
#
# writes /tmp/makegood-deb/makegood_<version>-<release>_<arch>.deb. Its
# runtime dependencies come from dpkg-shlibdeps; its maintainer scripts
# (packaging/debian/) create the makegood user and directories with
# systemd-sysusers and systemd-tmpfiles and enable the units with
# deb-systemd-helper, so it also installs where systemd is not running.
# tests/package/package_test.sh (ctest package_deb) builds, lints, installs
# and purges it.

set(MAKEGOOD_PACKAGING_DIR ${CMAKE_CURRENT_LIST_DIR})
set(MAKEGOOD_DEB_RELEASE 1 CACHE STRING "Debian revision of the makegood package")
set(MAKEGOOD_DEB_MAINTAINER "makegood developers <makegood@packages.invalid>"
  CACHE STRING "Maintainer of the makegood package (name <address>)")

# packaging/debian/changelog must have an entry for this version.
file(STRINGS ${MAKEGOOD_PACKAGING_DIR}/debian/changelog _makegood_changelog_top LIMIT_COUNT 1)
string(FIND "${_makegood_changelog_top}" "makegood (${PROJECT_VERSION}-${MAKEGOOD_DEB_RELEASE}) " _makegood_at)
if(NOT _makegood_at EQUAL 0)
  message(FATAL_ERROR "packaging/debian/changelog: its newest entry is '${_makegood_changelog_top}'; "
                      "add one for makegood ${PROJECT_VERSION}-${MAKEGOOD_DEB_RELEASE}")
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME makegood)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "the makegood authors")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "service-recovery sidecar for point-of-sale systems")
# Every path of install.cmake is under /usr or absolute; CPack's DEB
# generator stages them all below its own DESTDIR.
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS ${CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS})

set(CPACK_DEBIAN_PACKAGE_NAME makegood)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE ${MAKEGOOD_DEB_RELEASE})
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${MAKEGOOD_DEB_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
"When a guest has a problem (a cold dish, the wrong item, a long wait),
staff press one button on a tablet. makegoodd opens a recovery case, offers
the remedies the business configured, checks the staff member's authority,
sends the remedies to the point of sale and records everything for the
manager's end-of-day report.

This package has makegoodd with its tablet and manager web app, the makegood
command-line client, the adapters for Square, Toast, Clover, Shopify and
JSON-lines exports, the makegood-sim simulator, and libmakegood_plugin (a C
library for point-of-sale software), with their systemd units and a daily
backup of the database.")

# The shared libraries the programs and the plugin link (gRPC, protobuf,
# Abseil, SQLite, yaml-cpp, OpenSSL, curl...), found by dpkg-shlibdeps;
# plus what the maintainer scripts and the configuration need: tzdata
# (location.timezone is checked against it), deb-systemd-helper, and
# systemd-sysusers and systemd-tmpfiles, from systemd or standalone.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
  "tzdata, init-system-helpers (>= 1.54~), systemd | systemd-standalone-sysusers | systemd-sysusers, systemd | systemd-standalone-tmpfiles | systemd-tmpfiles")
# The adapters call the vendors' APIs over HTTPS.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "ca-certificates")
# A shlibs file for libmakegood_plugin.so.1, so that packages linking it
# depend on this package.
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")

set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${MAKEGOOD_PACKAGING_DIR}/debian/conffiles
  ${MAKEGOOD_PACKAGING_DIR}/debian/postinst
  ${MAKEGOOD_PACKAGING_DIR}/debian/prerm
  ${MAKEGOOD_PACKAGING_DIR}/debian/postrm
  ${MAKEGOOD_PACKAGING_DIR}/debian/triggers)
# 0755 for the scripts, 0644 for the rest, whatever the checkout's modes.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

include(CPack)
