# Install rules for everything makegood ships, in the layout of its Debian
# package (packaging/cpack.cmake): programs in /usr/bin, libmakegood_plugin
# in /usr/lib/<multiarch>, its header in /usr/include/makegood, man pages,
# systemd units in /lib/systemd/system, the sysusers.d and tmpfiles.d
# entries, and the configuration in /etc/makegood. Included at the end of
# the top-level CMakeLists.txt, once every target exists.
#
# The systemd units name /usr/bin and /etc/makegood, so an install outside
# the package uses the same prefix: `cmake --install build/dev --prefix /usr`
# (with DESTDIR=... for a staged tree). The tablet and manager web app needs
# no rule: it is embedded in makegoodd.

set(MAKEGOOD_PACKAGING_DIR ${CMAKE_CURRENT_LIST_DIR})
set(MAKEGOOD_PACKAGING_BINARY_DIR ${CMAKE_BINARY_DIR}/packaging)
file(MAKE_DIRECTORY ${MAKEGOOD_PACKAGING_BINARY_DIR}/man)

# Debian's multiarch directory, lib/x86_64-linux-gnu, from the compiler:
# GNUInstallDirs would say lib for the default /usr/local prefix, while the
# package is always made for /usr.
if(CMAKE_LIBRARY_ARCHITECTURE)
  set(MAKEGOOD_INSTALL_LIBDIR lib/${CMAKE_LIBRARY_ARCHITECTURE})
else()
  set(MAKEGOOD_INSTALL_LIBDIR lib)
endif()
set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
  OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

# Programs and the plugin (its .so.1.0.0, the .so.1 SONAME link, and the .so
# link that -lmakegood_plugin finds).
install(TARGETS makegoodd makegood makegood-adapter makegood-adapter-jsonl makegood-sim
  RUNTIME DESTINATION bin)
install(TARGETS makegood_plugin LIBRARY DESTINATION ${MAKEGOOD_INSTALL_LIBDIR}
  PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
install(FILES ${PROJECT_SOURCE_DIR}/plugin/include/makegood_plugin.h DESTINATION include/makegood)

# makegood-plugin.pc finds its prefix from where it is installed.
string(REGEX REPLACE "[^/]+" ".." MAKEGOOD_PC_PREFIX_FROM_PCFILEDIR
  "${MAKEGOOD_INSTALL_LIBDIR}/pkgconfig")
configure_file(${MAKEGOOD_PACKAGING_DIR}/makegood-plugin.pc.in
  ${MAKEGOOD_PACKAGING_BINARY_DIR}/makegood-plugin.pc @ONLY)
install(FILES ${MAKEGOOD_PACKAGING_BINARY_DIR}/makegood-plugin.pc
  DESTINATION ${MAKEGOOD_INSTALL_LIBDIR}/pkgconfig)

# Man pages, made at build time from each program's --help (and its
# subcommands'), so they cannot drift from the binaries.
option(MAKEGOOD_MAN_PAGES "Make the man pages from the programs' --help (needs help2man)" ON)
set(MAKEGOOD_PACKAGE_FILES)
if(MAKEGOOD_MAN_PAGES)
  find_program(MAKEGOOD_HELP2MAN help2man)
  if(NOT MAKEGOOD_HELP2MAN)
    message(FATAL_ERROR "man pages: help2man is not installed: run packaging/dev-setup.sh "
                        "(or apt-get install help2man), or configure with -DMAKEGOOD_MAN_PAGES=OFF")
  endif()
  # makegood_man_page(TARGET SECTION "NAME line"): TARGET.SECTION.gz, with the
  # hand-written sections of packaging/man/TARGET.h2m (FILES, SEE ALSO).
  function(makegood_man_page target section description)
    set(page ${MAKEGOOD_PACKAGING_BINARY_DIR}/man/${target}.${section}.gz)
    set(include ${MAKEGOOD_PACKAGING_DIR}/man/${target}.h2m)
    add_custom_command(OUTPUT ${page}
      COMMAND sh ${MAKEGOOD_PACKAGING_DIR}/man/make-man-page.sh ${MAKEGOOD_HELP2MAN}
              $<TARGET_FILE:${target}> ${section} ${PROJECT_VERSION} "${description}"
              ${include} ${page}
      DEPENDS ${target} ${include} ${MAKEGOOD_PACKAGING_DIR}/man/make-man-page.sh
      COMMENT "Man page ${target}(${section}) from its --help"
      VERBATIM)
    install(FILES ${page} DESTINATION share/man/man${section})
    set(MAKEGOOD_PACKAGE_FILES ${MAKEGOOD_PACKAGE_FILES} ${page} PARENT_SCOPE)
  endfunction()
  makegood_man_page(makegoodd 8 "the makegood service-recovery sidecar daemon")
  makegood_man_page(makegood 1 "command-line client of the makegood sidecar")
  makegood_man_page(makegood-adapter 1 "connect a POS vendor (Square, Toast, Clover, Shopify) to makegood")
  makegood_man_page(makegood-adapter-jsonl 1 "publish a JSON-lines export of order events to makegood")
  makegood_man_page(makegood-sim 1 "play a simulated day of service against makegood")
endif()

# /etc/makegood/makegood.yaml: the sample configuration without its demo
# credentials (packaging/config/packaged-config.sh says what changes), made
# at build time so it cannot drift from the sample; a conffile. The package
# makes it root:makegood 0640, and adapters/ (for the adapters' own
# configurations, which hold vendor secrets) root:makegood 0750.
set(MAKEGOOD_PACKAGED_CONFIG ${MAKEGOOD_PACKAGING_BINARY_DIR}/makegood.yaml)
add_custom_command(OUTPUT ${MAKEGOOD_PACKAGED_CONFIG}
  COMMAND sh ${MAKEGOOD_PACKAGING_DIR}/config/packaged-config.sh
          ${MAKEGOOD_PACKAGING_DIR}/config/sample.yaml ${MAKEGOOD_PACKAGED_CONFIG}
  DEPENDS ${MAKEGOOD_PACKAGING_DIR}/config/sample.yaml ${MAKEGOOD_PACKAGING_DIR}/config/packaged-config.sh
  COMMENT "Packaged configuration from packaging/config/sample.yaml"
  VERBATIM)
list(APPEND MAKEGOOD_PACKAGE_FILES ${MAKEGOOD_PACKAGED_CONFIG})
install(FILES ${MAKEGOOD_PACKAGED_CONFIG} DESTINATION /etc/makegood)
install(DIRECTORY DESTINATION /etc/makegood/adapters)

# systemd: the daemon, one adapter per vendor (makegood-adapter@square) or
# export (makegood-adapter-jsonl@NAME), and the daily backup; the makegood
# user and the directories it writes.
install(FILES
  ${MAKEGOOD_PACKAGING_DIR}/systemd/makegoodd.service
  ${MAKEGOOD_PACKAGING_DIR}/systemd/makegood-adapter@.service
  ${MAKEGOOD_PACKAGING_DIR}/systemd/makegood-adapter-jsonl@.service
  ${MAKEGOOD_PACKAGING_DIR}/systemd/makegood-backup.service
  ${MAKEGOOD_PACKAGING_DIR}/systemd/makegood-backup.timer
  DESTINATION /lib/systemd/system)
install(FILES ${MAKEGOOD_PACKAGING_DIR}/debian/makegood.sysusers
  DESTINATION lib/sysusers.d RENAME makegood.conf)
install(FILES ${MAKEGOOD_PACKAGING_DIR}/debian/makegood.tmpfiles
  DESTINATION lib/tmpfiles.d RENAME makegood.conf)

# Debian's documentation files: copyright, changelog.Debian.gz (gzip -9n,
# no name or time in it), and the justified lintian overrides.
set(MAKEGOOD_DEB_CHANGELOG ${MAKEGOOD_PACKAGING_BINARY_DIR}/changelog.Debian.gz)
add_custom_command(OUTPUT ${MAKEGOOD_DEB_CHANGELOG}
  COMMAND sh -c "gzip -9n < \"$1\" > \"$2\"" sh
          ${MAKEGOOD_PACKAGING_DIR}/debian/changelog ${MAKEGOOD_DEB_CHANGELOG}
  DEPENDS ${MAKEGOOD_PACKAGING_DIR}/debian/changelog
  COMMENT "changelog.Debian.gz"
  VERBATIM)
list(APPEND MAKEGOOD_PACKAGE_FILES ${MAKEGOOD_DEB_CHANGELOG})
install(FILES ${MAKEGOOD_PACKAGING_DIR}/debian/copyright ${MAKEGOOD_DEB_CHANGELOG}
  DESTINATION share/doc/makegood)
install(FILES ${MAKEGOOD_PACKAGING_DIR}/debian/makegood.lintian-overrides
  DESTINATION share/lintian/overrides RENAME makegood)

add_custom_target(makegood_package_files ALL DEPENDS ${MAKEGOOD_PACKAGE_FILES})
