# embed_file.cmake — writes a C source defining the bytes of one file:
#   const char <SYMBOL>[] = {..., 0};  const size_t <SYMBOL>_size = N;
# Usage: cmake -DINPUT=file -DOUTPUT=out.c -DSYMBOL=name -P embed_file.cmake
# Run at build time (add_custom_command), so an edited header is re-embedded.
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_len)
math(EXPR size "${hex_len} / 2")
# 32 bytes per line keeps the generated file readable in a diff.
string(REGEX REPLACE "(................................................................)"
       "\\1\n" hex "${hex}")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
file(WRITE "${OUTPUT}.tmp"
"/* Generated from ${INPUT} by compiler/cmake/embed_file.cmake. Do not edit. */
#include <stddef.h>
extern const char ${SYMBOL}[];
extern const size_t ${SYMBOL}_size;
const char ${SYMBOL}[] = {
${body}0};
const size_t ${SYMBOL}_size = ${size};
")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
