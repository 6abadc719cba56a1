# product-code.cmake — the rules for code that ships (common/, runtime/,
# compiler/, tools/), as opposed to tests, examples and benchmark peers.
#
#   wasmgraph_product_code(<target>...)
#
# - Hidden symbols (-fvisibility=hidden): what a library exports is its ABI and
#   nothing else. The public API is marked WASMGRAPH_API (include/wasmgraph.h),
#   what generated code binds to WASM_RT_EXPORT (runtime/wasm-rt/wasm-rt.h) and
#   WG_HOST_IMPORT (the w2c_env_* host imports). tests/abi checks the lists.
# - Warnings are errors (WASMGRAPH_WERROR, default ON) under gcc and clang.
#   Fix a warning at its cause; the release build uses gcc, the ASan build
#   clang, so both must stay quiet.
include_guard(GLOBAL)

function(wasmgraph_product_code)
  foreach(t IN LISTS ARGN)
    set_target_properties(${t} PROPERTIES C_VISIBILITY_PRESET hidden)
    if(WASMGRAPH_WERROR AND CMAKE_C_COMPILER_ID MATCHES "Clang|GNU")
      target_compile_options(${t} PRIVATE -Werror)
    endif()
  endforeach()
endfunction()
