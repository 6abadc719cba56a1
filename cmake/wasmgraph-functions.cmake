# wasmgraph-functions.cmake — wasmgraph_add_model(): a TVM wasm32 model as a
# library target, compiled at build time by the user's own toolchain.
#
#   wasmgraph_add_model(TARGET <target>
#                       INPUT <graph.o | lib.a | module.wasm | folder | package.tar>
#                       [GRAPH <graph.json> PARAMS <graph.params>]
#                       [EMBED] [NAME <c_identifier>] [OPT 0|1|2|3]
#                       [DEPENDS <files or targets>...])
#
# At build time it runs `wasmgraph compile INPUT -o NAME.c` into
# ${CMAKE_CURRENT_BINARY_DIR}/wasmgraph/<target>/, which writes NAME.c (the
# descriptor glue), NAME_w2c.c/.h (wasm2c's translation), NAME.h (the model
# header with NAME_create()/NAME_run() and the input/output constants) and,
# when graph.json and params are embedded, NAME_data.c. Those files become the
# sources of the STATIC library <target>, compiled with the user's compiler,
# flags, toolchain file and sanitizers; <target> links wasmgraph::runtime
# publicly and exports the folder holding NAME.h as its include directory.
#
#   GRAPH/PARAMS  graph.json and params; optional when INPUT is a folder or a
#                 package, which carry their own (and always embed them, as
#                 `wasmgraph compile` does).
#   EMBED         embed GRAPH and PARAMS into the library (NAME_create());
#                 without it the program passes their paths at run time
#                 (NAME_create_from_files()).
#   NAME          C identifier prefixing every generated symbol; default: the
#                 target name made a C identifier. Several models link into
#                 one program as long as their NAMEs differ.
#   OPT           optimisation level for the model's C (appended after the
#                 build type's flags, so a Debug build can still run fast
#                 models); default: the build type's.
#   DEPENDS       more files or targets the generated code depends on (e.g.
#                 the target that produces INPUT).
# The command re-runs only when INPUT (for a folder: its graph.o, graph.json
# and graph.params), GRAPH, PARAMS, a DEPENDS file or the compiler changes.
#
# The compiler is the executable target wasmgraph::compiler: an alias of
# `wasmgraph` in wasmgraph's own build, the installed CLI after
# find_package(wasmgraph). Set WASMGRAPH_COMPILER (a path or a target) to use
# another one, e.g. a host build of the CLI when cross-compiling. The
# compiler itself runs wasm-ld, node (wasm2c 1.0.39) and clang from PATH.
include_guard(GLOBAL)

function(wasmgraph_add_model)
  cmake_parse_arguments(PARSE_ARGV 0 arg "EMBED" "TARGET;INPUT;GRAPH;PARAMS;NAME;OPT" "DEPENDS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "wasmgraph_add_model: unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_TARGET)
    message(FATAL_ERROR "wasmgraph_add_model: TARGET <name> is required")
  endif()
  if(NOT arg_INPUT)
    message(FATAL_ERROR "wasmgraph_add_model(${arg_TARGET}): INPUT <graph.o|lib.a|.wasm|folder|package.tar> is required")
  endif()
  if((arg_GRAPH AND NOT arg_PARAMS) OR (arg_PARAMS AND NOT arg_GRAPH))
    message(FATAL_ERROR "wasmgraph_add_model(${arg_TARGET}): GRAPH and PARAMS go together")
  endif()
  if(arg_EMBED AND NOT arg_GRAPH)
    message(FATAL_ERROR "wasmgraph_add_model(${arg_TARGET}): EMBED needs GRAPH and PARAMS "
                        "(a folder or package INPUT embeds its own graph without EMBED)")
  endif()
  if(DEFINED arg_OPT AND NOT arg_OPT MATCHES "^[0-3]$")
    message(FATAL_ERROR "wasmgraph_add_model(${arg_TARGET}): OPT must be 0, 1, 2 or 3, not '${arg_OPT}'")
  endif()
  if(arg_NAME)
    set(name "${arg_NAME}")
    if(NOT name MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
      message(FATAL_ERROR "wasmgraph_add_model(${arg_TARGET}): NAME '${name}' is not a C identifier")
    endif()
  else()
    string(MAKE_C_IDENTIFIER "${arg_TARGET}" name)
  endif()

  if(DEFINED WASMGRAPH_COMPILER)
    set(compiler "${WASMGRAPH_COMPILER}")
  elseif(TARGET wasmgraph::compiler)
    set(compiler wasmgraph::compiler)
  else()
    message(FATAL_ERROR "wasmgraph_add_model(${arg_TARGET}): no wasmgraph compiler: call "
                        "find_package(wasmgraph) first, or set WASMGRAPH_COMPILER")
  endif()
  # In-tree wasmgraph::compiler is an ALIAS of `wasmgraph`; COMMAND and DEPENDS
  # get the real target, which every CMake version resolves to its file.
  if(TARGET "${compiler}")
    get_target_property(aliased "${compiler}" ALIASED_TARGET)
    if(aliased)
      set(compiler "${aliased}")
    endif()
  endif()

  get_filename_component(input "${arg_INPUT}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  set(out "${CMAKE_CURRENT_BINARY_DIR}/wasmgraph/${arg_TARGET}")
  file(MAKE_DIRECTORY "${out}")
  set(sources "${out}/${name}.c" "${out}/${name}_w2c.c" "${out}/${name}_data.c")
  set(headers "${out}/${name}.h" "${out}/${name}_w2c.h")

  # What the command reads. A folder that exists at configure time is
  # depended on file by file; one made during the build (by a DEPENDS target)
  # through its graph.json and graph.params.
  set(deps "${compiler}")
  if(IS_DIRECTORY "${input}")
    foreach(f graph.o lib/graph.o wasm32/graph.o graph.json graph.params)
      if(EXISTS "${input}/${f}")
        list(APPEND deps "${input}/${f}")
      endif()
    endforeach()
  elseif(NOT arg_GRAPH AND NOT input MATCHES "\\.tar$" AND NOT EXISTS "${input}")
    list(APPEND deps "${input}/graph.json" "${input}/graph.params")
  else()
    list(APPEND deps "${input}")
  endif()

  set(args compile "${input}" -o "${out}/${name}.c" --name "${name}")
  if(DEFINED arg_OPT)
    list(APPEND args "-O${arg_OPT}")
  endif()
  if(arg_GRAPH)
    get_filename_component(graph "${arg_GRAPH}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    get_filename_component(params "${arg_PARAMS}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND deps "${graph}" "${params}")
    if(arg_EMBED)
      list(APPEND args --embed "${graph}" "${params}")
    endif()
  endif()
  foreach(d IN LISTS arg_DEPENDS)
    if(NOT TARGET "${d}")
      get_filename_component(d "${d}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    endif()
    list(APPEND deps "${d}")
  endforeach()

  # NAME_data.c exists only when something is embedded; it is removed first
  # and then always created (empty when nothing was embedded), so the list of
  # sources is fixed at configure time and never holds stale data.
  add_custom_command(
    OUTPUT ${sources} ${headers}
    COMMAND "${CMAKE_COMMAND}" -E rm -f "${out}/${name}_data.c"
    COMMAND ${compiler} ${args}
    COMMAND "${CMAKE_COMMAND}" -E touch "${out}/${name}_data.c"
    DEPENDS ${deps}
    COMMENT "wasmgraph: translating model ${name} (${arg_INPUT})"
    VERBATIM)

  add_library(${arg_TARGET} STATIC ${sources} ${headers})
  target_include_directories(${arg_TARGET} PUBLIC "$<BUILD_INTERFACE:${out}>")
  target_link_libraries(${arg_TARGET} PUBLIC wasmgraph::runtime)
  set_target_properties(${arg_TARGET} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  # What wasm2c's README asks of GCC and clang for conforming float and
  # recursion behaviour (the same flags `wasmgraph compile` uses itself).
  target_compile_options(${arg_TARGET} PRIVATE
    $<$<C_COMPILER_ID:Clang,AppleClang,GNU>:-fno-optimize-sibling-calls;-frounding-math>
    $<$<C_COMPILER_ID:GNU>:-fsignaling-nans>)
  if(DEFINED arg_OPT)
    target_compile_options(${arg_TARGET} PRIVATE $<$<C_COMPILER_ID:Clang,AppleClang,GNU>:-O${arg_OPT}>)
  endif()
  # Generated code: the user's warning flags (and -Werror) stay off it. The
  # glue NAME.c is warning-clean and keeps them.
  set_source_files_properties("${out}/${name}_w2c.c" "${out}/${name}_data.c" PROPERTIES
    COMPILE_OPTIONS "$<$<C_COMPILER_ID:Clang,AppleClang,GNU>:-w>")
  set_target_properties(${arg_TARGET} PROPERTIES WASMGRAPH_MODEL_NAME "${name}"
                                                 WASMGRAPH_MODEL_DIR "${out}")
endfunction()
