# install.cmake — what `cmake --install` puts in place, included at the end of
# the top-level CMakeLists.txt:
#
#   bin/wasmgraph                          the CLI (exported as wasmgraph::compiler)
#   lib/libwasmgraph.a, libwasmgraph.so*   the runtime (wasmgraph::runtime,
#                                          wasmgraph::runtime_shared)
#   include/wasmgraph.h, wasmgraph_module.h
#   include/wasmgraph/wasm-rt.h            the wasm-rt API generated code compiles
#                                          against; the runtime implements it with
#                                          the WASM_RT_* choices of this build,
#                                          which the exported runtime target and
#                                          wasmgraph.pc pass on to users
#   include/wasmgraph/wg_simd_fixups.h     SIMDe corrections, force-included into
#                                          the C of SIMD128 models
#   libexec/wasmgraph/wasm2c.js            wabt 1.0.39's wasm2c (compiler/CMakeLists.txt)
#   lib/cmake/wasmgraph/                   package config, version, targets and
#                                          wasmgraph-functions.cmake (wasmgraph_add_model)
#   lib/pkgconfig/wasmgraph.pc
#
# It also makes wasmgraph_add_model() available in this build (and to a
# project that adds wasmgraph with add_subdirectory).
include_guard(GLOBAL)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

include("${CMAKE_CURRENT_LIST_DIR}/wasmgraph-functions.cmake")

option(WASMGRAPH_INSTALL_RULES "Generate wasmgraph's install rules" "${PROJECT_IS_TOP_LEVEL}")
if(NOT WASMGRAPH_INSTALL_RULES)
  return()
endif()

# Installed names match the in-tree aliases (wasmgraph::runtime, wasmgraph::compiler).
set(_wg_targets wasmgraph_runtime wasmgraph_runtime_shared)
set_target_properties(wasmgraph_runtime PROPERTIES EXPORT_NAME runtime)
set_target_properties(wasmgraph_runtime_shared PROPERTIES EXPORT_NAME runtime_shared)
if(TARGET wasmgraph)
  set_target_properties(wasmgraph PROPERTIES EXPORT_NAME compiler)
  list(APPEND _wg_targets wasmgraph)
else()
  message(WARNING "install: the wasmgraph CLI is not built; wasmgraph::compiler is not installed")
endif()

install(TARGETS ${_wg_targets} EXPORT wasmgraph-targets
        RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}"
        LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}")
install(FILES "${PROJECT_SOURCE_DIR}/include/wasmgraph.h"
              "${PROJECT_SOURCE_DIR}/include/wasmgraph_module.h"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(FILES "${PROJECT_SOURCE_DIR}/runtime/wasm-rt/wasm-rt.h"
              "${PROJECT_SOURCE_DIR}/runtime/wasm-rt/wg_simd_fixups.h"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/wasmgraph")

set(_wg_cmakedir "${CMAKE_INSTALL_LIBDIR}/cmake/wasmgraph")
install(EXPORT wasmgraph-targets NAMESPACE wasmgraph:: DESTINATION "${_wg_cmakedir}")
configure_package_config_file("${CMAKE_CURRENT_LIST_DIR}/wasmgraph-config.cmake.in"
                              "${PROJECT_BINARY_DIR}/wasmgraph-config.cmake"
                              INSTALL_DESTINATION "${_wg_cmakedir}")
# 0.x: a minor version may break the API.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/wasmgraph-config-version.cmake"
                                 COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/wasmgraph-config.cmake"
              "${PROJECT_BINARY_DIR}/wasmgraph-config-version.cmake"
              "${CMAKE_CURRENT_LIST_DIR}/wasmgraph-functions.cmake"
        DESTINATION "${_wg_cmakedir}")

# pkg-config: paths relative to ${prefix} (from GNUInstallDirs, so Debian's
# multiarch libdir works) unless the install dirs were given as absolute. The
# prefix is filled in at install time, so `cmake --install --prefix P` gets a
# file that points into P.
foreach(_d LIBDIR INCLUDEDIR BINDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${_d}}")
    set(WASMGRAPH_PC_${_d} "${CMAKE_INSTALL_${_d}}")
  else()
    set(WASMGRAPH_PC_${_d} "\${prefix}/${CMAKE_INSTALL_${_d}}")
  endif()
endforeach()
set(WASMGRAPH_PC_DEFINES "")
foreach(_d IN LISTS WASMGRAPH_WASM_RT_DEFINES)
  string(APPEND WASMGRAPH_PC_DEFINES " -D${_d}")
endforeach()
set(WASMGRAPH_PC_PREFIX "@WASMGRAPH_PC_PREFIX@") # kept for the install-time pass
configure_file("${CMAKE_CURRENT_LIST_DIR}/wasmgraph.pc.in" "${PROJECT_BINARY_DIR}/wasmgraph.pc.in" @ONLY)
# The install-time pass writes straight into (DESTDIR)PREFIX/LIBDIR/pkgconfig,
# so the build tree is never written during an install.
install(CODE "
  set(WASMGRAPH_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  set(_wg_pc_dir \"${CMAKE_INSTALL_LIBDIR}/pkgconfig\")
  if(NOT IS_ABSOLUTE \"\${_wg_pc_dir}\")
    set(_wg_pc_dir \"\${CMAKE_INSTALL_PREFIX}/\${_wg_pc_dir}\")
  endif()
  set(_wg_pc \"\$ENV{DESTDIR}\${_wg_pc_dir}/wasmgraph.pc\")
  message(STATUS \"Installing: \${_wg_pc}\")
  configure_file(\"${PROJECT_BINARY_DIR}/wasmgraph.pc.in\" \"\${_wg_pc}\" @ONLY)
  list(APPEND CMAKE_INSTALL_MANIFEST_FILES \"\${_wg_pc}\")
")
