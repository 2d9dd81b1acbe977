# install-units.cmake — run by `cmake --install` (CMakeLists.txt): writes
# deploy/systemd/*.service.in to PREFIX/lib/systemd/system (staged under
# DESTDIR), with @LRS_BINDIR@ and @LRS_DOCDIR@ the installed program's and
# docs' absolute paths.  systemd reads units from /usr/lib/systemd/system
# and /usr/local/lib/systemd/system; under another prefix, link them into
# /etc/systemd/system (docs/deploy.md).
foreach(v LRS_UNITS_SRC LRS_UNITS_BINDIR LRS_UNITS_DOCDIR)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "install-units.cmake: ${v} is not set")
  endif()
endforeach()
foreach(v BINDIR DOCDIR)
  if(IS_ABSOLUTE "${LRS_UNITS_${v}}")
    set(LRS_${v} "${LRS_UNITS_${v}}")
  else()
    set(LRS_${v} "${CMAKE_INSTALL_PREFIX}/${LRS_UNITS_${v}}")
  endif()
endforeach()
set(dest "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
file(GLOB units "${LRS_UNITS_SRC}/*.service.in")
foreach(in ${units})
  get_filename_component(name "${in}" NAME)
  string(REGEX REPLACE "\\.in$" "" name "${name}")
  message(STATUS "Installing: ${dest}/${name}")
  configure_file("${in}" "${dest}/${name}" @ONLY)
  file(CHMOD "${dest}/${name}" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
endforeach()
