# python_install_dir.cmake — run by `cmake --install` (python/CMakeLists.txt):
# sets WASMGRAPH_PYTHON_SITE, the folder that receives the wasmgraph package,
# for the install prefix in effect at install time.
#
#   WASMGRAPH_PYTHON_INSTALL_DIR set   that folder (relative: to the prefix)
#   a folder WASMGRAPH_PYTHON searches lies in the prefix's lib/
#                                      that folder: on Debian, prefix /usr/local
#                                      -> lib/python3.11/dist-packages and /usr ->
#                                      lib/python3/dist-packages, so a plain
#                                      `sudo cmake --install build` makes
#                                      `import wasmgraph` work for /usr/bin/python3
#   any other prefix                   <prefix>/lib/python3.X/site-packages, the
#                                      layout of a venv and of ~/.local (user site)
#
# Input: WASMGRAPH_PYTHON, WASMGRAPH_PYTHON_INSTALL_DIR, CMAKE_INSTALL_PREFIX.
if(WASMGRAPH_PYTHON_INSTALL_DIR)
  if(IS_ABSOLUTE "${WASMGRAPH_PYTHON_INSTALL_DIR}")
    set(WASMGRAPH_PYTHON_SITE "${WASMGRAPH_PYTHON_INSTALL_DIR}")
  else()
    set(WASMGRAPH_PYTHON_SITE "${CMAKE_INSTALL_PREFIX}/${WASMGRAPH_PYTHON_INSTALL_DIR}")
  endif()
  return()
endif()

set(_wg_pick [=[
import os, site, sys
prefix = sys.argv[1]
real = os.path.realpath(prefix)
searched = site.getsitepackages() + [site.getusersitepackages()]
for d in searched:
    rel = os.path.relpath(os.path.realpath(d), real)
    if rel.split(os.sep)[0] in ("lib", "lib64"):
        print(os.path.join(prefix, rel))
        break
else:
    print(os.path.join(prefix, "lib", "python%d.%d" % sys.version_info[:2], "site-packages"))
]=])
execute_process(COMMAND "${WASMGRAPH_PYTHON}" -c "${_wg_pick}" "${CMAKE_INSTALL_PREFIX}"
                OUTPUT_VARIABLE WASMGRAPH_PYTHON_SITE OUTPUT_STRIP_TRAILING_WHITESPACE
                RESULT_VARIABLE _wg_rc)
if(NOT _wg_rc EQUAL 0 OR NOT WASMGRAPH_PYTHON_SITE)
  message(FATAL_ERROR "wasmgraph: ${WASMGRAPH_PYTHON} could not name its site-packages folder "
                      "(${_wg_rc}); set WASMGRAPH_PYTHON_INSTALL_DIR")
endif()
message(STATUS "wasmgraph Python package -> ${WASMGRAPH_PYTHON_SITE}/wasmgraph")
