#!/usr/bin/env python3
"""Writes seeds for tests/fuzz/corpus/{wasm_reader,tar} (all < 4 KB).

wasm: objects from clang --target=wasm32 -c, modules from wasm-ld and
wat2wasm, then hand-edited invalid variants. tar: small archives made with
GNU tar in its ustar/gnu/pax formats (MLF and tvmc package layouts), with
trailing zero blocks stripped, plus edited invalid variants.
"""
import os, shutil, struct, subprocess, sys, tarfile, io

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus")
W = os.path.join(OUT, "wasm_reader")
T = os.path.join(OUT, "tar")
TMP = os.path.join(HERE, "tmp")


def run(*args, **kw):
    subprocess.run(args, check=True, **kw)


def write(d, name, data):
    assert len(data) < 4096, (name, len(data))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def rd(p):
    with open(p, "rb") as f:
        return f.read()


def uleb(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def name(s):
    s = s.encode() if isinstance(s, str) else s
    return uleb(len(s)) + s


def section(i, body):
    return bytes([i]) + uleb(len(body)) + body


HDR = b"\0asm\x01\0\0\0"


def sections(mod):
    """[(id, start, end)] of the top-level sections (payload offsets)."""
    out, pos = [], 8
    while pos < len(mod):
        sid = mod[pos]
        pos += 1
        n, shift = 0, 0
        while True:
            b = mod[pos]
            pos += 1
            n |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        out.append((sid, pos, pos + n))
        pos += n
    return out


def wat(src, name_, *flags):
    p = os.path.join(TMP, name_ + ".wat")
    with open(p, "w") as f:
        f.write(src)
    o = os.path.join(TMP, name_ + ".wasm")
    run("wat2wasm", "--debug-names", *flags, p, "-o", o)
    return rd(o)


def cobj(src, name_, *flags):
    p = os.path.join(TMP, name_ + ".c")
    with open(p, "w") as f:
        f.write(src)
    o = os.path.join(TMP, name_ + ".o")
    run("clang", "--target=wasm32", "-O2", *flags, "-c", p, "-o", o)
    return rd(o)


KERN_C = r'''
typedef unsigned long long u64;
int TVMBackendAllocWorkspace(int dev_type, int dev_id, u64 nbytes, int code, int bits);
int TVMBackendFreeWorkspace(int dev_type, int dev_id, void *ptr);
int TVMBackendRegisterSystemLibSymbol(const char *name, void *ptr);
void TVMAPISetLastError(const char *msg);
float expf(float);
typedef struct { void *data; int dev[2]; int ndim; unsigned char dt[4]; long long *shape;
                 long long *strides; u64 off; } DLTensor;
int tvmgen_default_fused_exp(void *args, int *codes, int n, void *ret, int *ret_code, void *res) {
  if (n != 2) { TVMAPISetLastError("bad args"); return -1; }
  DLTensor *a = ((DLTensor **)args)[0], *b = ((DLTensor **)args)[1];
  float *x = a->data, *y = b->data;
  float *ws = (float *)TVMBackendAllocWorkspace(1, 0, 16, 2, 32);
  for (int i = 0; i < 4; i++) ws[i] = expf(x[i]);
  for (int i = 0; i < 4; i++) y[i] = ws[i];
  TVMBackendFreeWorkspace(1, 0, ws);
  return 0;
}
int __tvm_main__(void *args, int *codes, int n, void *ret, int *ret_code, void *res) {
  return tvmgen_default_fused_exp(args, codes, n, ret, ret_code, res);
}
__attribute__((constructor)) static void reg(void) {
  TVMBackendRegisterSystemLibSymbol("tvmgen_default_fused_exp", (void *)tvmgen_default_fused_exp);
  TVMBackendRegisterSystemLibSymbol("__tvm_main__", (void *)__tvm_main__);
}
'''

NOSYSLIB_C = r'''
void *__TVMAPISetLastError = 0;
int f(void *a, int *c, int n, void *r, int *rc, void *res) { return n; }
'''

SIMD_C = r'''
typedef float v4 __attribute__((vector_size(16)));
void add(v4 *a, v4 *b) { *a += *b; }
'''

WEAK_C = r'''
extern int undefined_data;
extern int ext_fn(int);
__attribute__((weak)) int weak_fn(int x) { return x + undefined_data; }
static int local_fn(int x) { return ext_fn(x) * 2; }
__attribute__((visibility("hidden"))) int hidden_var = 3;
int use(int x) { return local_fn(x) + weak_fn(x) + hidden_var; }
'''

ALL_WAT = r'''
(module
  (type $pk (func (param i32 i32 i32 i32 i32 i32) (result i32)))
  (type $mv (func (param f32 f64 i64) (result i32 i64)))
  (import "env" "TVMBackendRegisterSystemLibSymbol" (func $reg (param i32 i32) (result i32)))
  (import "env" "expf" (func $expf (param f32) (result f32)))
  (import "env" "tab" (table 1 10 funcref))
  (import "env" "memory" (memory 1 2))
  (import "env" "g_imp" (global $gi i32))
  (import "env" "g_mut" (global $gm (mut i64)))
  (table $t 2 externref)
  (global $sp (mut i32) (i32.const 65536))
  (global $c64 i64 (i64.const -5))
  (global $cf f32 (f32.const 1.5))
  (global $cd f64 (f64.const 2.5))
  (global $gg i32 (global.get $gi))
  (global $rf funcref (ref.func $k))
  (global $rn externref (ref.null extern))
  (func $k (type $pk) (local.get 0))
  (func $m (type $mv) (i32.const 1) (i64.const 2))
  (func $ctors)
  (start $ctors)
  (elem (table 0) (i32.const 0) func $k)
  (data (i32.const 16) "hi")
  (export "k" (func $k))
  (export "t" (table $t))
  (export "mem" (memory 0))
  (export "__heap_base" (global $c64))
  (export "sp" (global $sp))
)
'''

# A module shaped like wasm-ld's output that passes wgc_check_linked; the
# variants below each break one rule. @IMP@/@MEM@/@HEAP@/@SP@ are edited.
LINKED_WAT = r'''
(module
  (type $pk (func (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "env" "memory" (memory @MEM@))
  (import "env" "TVMBackendRegisterSystemLibSymbol" (func $reg (param i32 i32) (result i32)))
  (import "env" "TVMBackendAllocWorkspace" (func $aw (param i32 i32 i64 i32 i32) (result i32)))
  (import "env" "memcpy" (func $mc (param i32 i32 i32) (result i32)))
  @IMP@
  (table $__indirect_function_table 2 2 funcref)
  (global $__stack_pointer (mut i32) (i32.const @SP@))
  (global $__data_end i32 (i32.const 1024))
  (global $__heap_base i32 (i32.const @HEAP@))
  (func $__wasm_call_ctors (drop (call $reg (i32.const 0) (i32.const 1))))
  (func $tvmgen_default_fused_add (type $pk) (i32.const 0))
  (elem (i32.const 1) func $tvmgen_default_fused_add)
  (export "__indirect_function_table" (table 0))
  (export "__wasm_call_ctors" (func $__wasm_call_ctors))
  (export "__data_end" (global $__data_end))
  (export "__heap_base" (global $__heap_base))
  (data (i32.const 1000) "tvmgen_default_fused_add\00")
)
'''


def linked(imp="", mem="2 4", heap="70000", sp="70000", *flags):
    src = LINKED_WAT.replace("@IMP@", imp).replace("@MEM@", mem)
    return wat(src.replace("@HEAP@", heap).replace("@SP@", sp), "linked", *flags)


def wasm_seeds():
    kern_o = cobj(KERN_C, "kern")
    write(W, "valid_tvm_object.o", kern_o)
    write(W, "valid_tvm_object_features.o", cobj(KERN_C, "kernf", "-mbulk-memory", "-msign-ext",
                                                  "-mnontrapping-fptoint"))
    write(W, "valid_object_weak_local.o", cobj(WEAK_C, "weak"))
    write(W, "valid_object_no_syslib.o", cobj(NOSYSLIB_C, "nosyslib"))
    write(W, "valid_object_simd.o", cobj(SIMD_C, "simd", "-msimd128"))
    write(W, "valid_object_atomics.o", cobj(KERN_C, "kerna", "-matomics", "-mbulk-memory"))
    ko = os.path.join(TMP, "kern.o")
    common = ["--no-entry", "--export-table", "--export=__heap_base", "--export=__data_end",
              "--export=__wasm_call_ctors", "--allow-undefined"]
    run("wasm-ld", *common, "--import-memory", ko, "-o", os.path.join(TMP, "kern.wasm"))
    run("wasm-ld", *common, ko, "-o", os.path.join(TMP, "kern_ownmem.wasm"))
    kern_wasm = rd(os.path.join(TMP, "kern.wasm"))
    write(W, "valid_linked_wasm_ld.wasm", kern_wasm)
    write(W, "valid_linked_own_memory.wasm", rd(os.path.join(TMP, "kern_ownmem.wasm")))
    write(W, "valid_all_kinds.wasm", wat(ALL_WAT, "all"))
    write(W, "valid_linked_wat.wasm", linked())
    write(W, "valid_linked_bad_import_type.wasm",
          linked('(import "env" "expf" (func (param f64) (result f64)))'))
    write(W, "valid_linked_unknown_import.wasm",
          linked('(import "env" "fopen" (func (param i32 i32) (result i32)))'))
    write(W, "valid_linked_global_import.wasm", linked('(import "env" "g" (global i32))'))
    write(W, "valid_linked_bad_layout.wasm", linked(heap="200000"))
    write(W, "valid_linked_bad_memory.wasm", linked("", "4 2", "70000", "70000", "--no-check"))
    write(W, "valid_linked_memory_too_big.wasm", linked("", "70000", "70000", "70000", "--no-check"))
    write(W, "valid_linked_tag_import.wasm",
          linked('(import "env" "tg" (tag (param i32)))', "2 4", "70000", "70000",
                 "--enable-exceptions"))
    write(W, "valid_features_memory64.wasm",
          HDR + section(0, name("target_features") + b"\x02+" + name("memory64") + b"+"
                        + name("simd128")))
    write(W, "valid_linked_mem_no_max.wasm", linked(mem="2", sp="131072"))
    write(W, "valid_memory64.wasm",
          wat("(module (memory i64 1 2) (func (export \"f\") (result i64) (memory.size)))",
              "m64", "--enable-memory64"))
    write(W, "valid_shared_memory.wasm",
          wat('(module (import "env" "memory" (memory 1 16 shared)) (func (export "f")))',
              "shared", "--enable-threads"))
    write(W, "valid_tags.wasm",
          wat('(module (type (func (param i32))) (import "env" "tag" (tag (type 0))) '
              '(tag (type 0)) (export "t" (tag 1)))', "tag", "--enable-exceptions"))
    write(W, "valid_empty_module.wasm", HDR)
    write(W, "invalid_v128_global.wasm",
          wat("(module (global v128 (v128.const i32x4 1 2 3 4)))", "v128"))

    # ---- hand-edited invalid variants ----
    secs = sections(kern_wasm)
    write(W, "invalid_empty.wasm", b"")
    write(W, "invalid_elf.wasm", b"\x7fELF\x01\x01\x01" + b"\0" * 9)
    write(W, "invalid_ar.wasm", b"!<arch>\n" + b"/               0           0     0     0       4         `\n\0\0\0\0")
    write(W, "invalid_header_only_magic.wasm", b"\0asm\x01\0")
    write(W, "invalid_version2.wasm", b"\0asm\x02\0\0\0")
    write(W, "invalid_component.wasm", b"\0asm\x0d\0\x01\0" + kern_wasm[8:64])
    for n in (9, 40, secs[1][1] + 3, secs[-2][1] + 5, len(kern_wasm) - 1):
        write(W, "invalid_truncated_%d.wasm" % n, kern_wasm[:n])
    for n in (100, len(kern_o) // 2, len(kern_o) - 3):
        write(W, "invalid_truncated_object_%d.o" % n, kern_o[:n])
    write(W, "invalid_unknown_section.wasm", HDR + section(14, b"\0"))
    write(W, "invalid_out_of_order.wasm", HDR + section(3, b"\0") + section(1, b"\0"))
    write(W, "invalid_duplicate_section.wasm", HDR + section(1, b"\0") + section(1, b"\0"))
    write(W, "invalid_trailing_in_type.wasm", HDR + section(1, b"\x01\x60\x00\x00\x00"))
    write(W, "invalid_bad_valtype.wasm", HDR + section(1, b"\x01\x60\x01\x55\x00"))
    write(W, "invalid_not_func_type.wasm", HDR + section(1, b"\x01\x5f\x00\x00"))
    write(W, "invalid_leb_too_long.wasm", HDR + section(1, b"\x80\x80\x80\x80\x80\x00"))
    write(W, "invalid_leb_high_bits.wasm", HDR + section(1, b"\x80\x80\x80\x80\x70"))
    write(W, "invalid_huge_count.wasm", HDR + section(2, b"\xff\xff\xff\xff\x0f"))
    write(W, "invalid_section_len.wasm", HDR + b"\x01\xff\xff\xff\xff\x0f\x00")
    write(W, "invalid_func_type_index.wasm",
          HDR + section(1, b"\x01\x60\x00\x00") + section(3, b"\x01\x05"))
    write(W, "invalid_import_type_index.wasm",
          HDR + section(2, b"\x01" + name("env") + name("f") + b"\x00\x03"))
    write(W, "invalid_import_kind.wasm",
          HDR + section(2, b"\x01" + name("env") + name("f") + b"\x07\x00"))
    write(W, "invalid_name_nul.wasm",
          HDR + section(7, b"\x01" + name(b"a\0b") + b"\x00\x00"))
    write(W, "invalid_limits_flags.wasm", HDR + section(5, b"\x01\x09\x01"))
    write(W, "invalid_table_shared.wasm", HDR + section(4, b"\x01\x70\x03\x01\x02"))
    write(W, "invalid_global_mut.wasm", HDR + section(6, b"\x01\x7f\x02\x41\x00\x0b"))
    write(W, "invalid_const_range.wasm", HDR + section(6, b"\x01\x7f\x00\x41\xff\xff\xff\xff\x0f\x0b"))
    write(W, "invalid_const_opcode.wasm", HDR + section(6, b"\x01\x7f\x00\x6a\x0b"))
    write(W, "invalid_export_kind.wasm", HDR + section(7, b"\x01" + name("x") + b"\x09\x00"))
    write(W, "invalid_custom_name.wasm", HDR + section(0, b"\x09link"))
    write(W, "invalid_linking_v1.wasm", HDR + section(0, name("linking") + b"\x01"))
    write(W, "invalid_linking_sym_kind.wasm",
          HDR + section(0, name("linking") + b"\x02\x08" + uleb(3) + b"\x01\x09\x00"))
    write(W, "invalid_linking_trailing.wasm",
          HDR + section(0, name("linking") + b"\x02\x08" + uleb(5) + b"\x01\x03\x00\x00\x00"))
    write(W, "invalid_features_prefix.wasm",
          HDR + section(0, name("target_features") + b"\x01*" + name("simd128")))
    write(W, "invalid_name_sub_len.wasm",
          HDR + section(0, name("name") + b"\x01\x10\x01\x00"))
    # valid custom-section corner cases
    write(W, "valid_custom_sections.wasm",
          HDR + section(0, name("producers") + b"\x00")
          + section(0, name("target_features") + b"\x03+" + name("bulk-memory") + b"-"
                    + name("simd128") + b"=" + name("sign-ext"))
          + section(0, name("target_features") + b"\x01+" + name("simd128"))
          + section(0, name("name") + b"\x00\x02\x01m" + b"\x01\x07\x02\x00\x01a\x00\x01b"
                    + b"\x07\x04\x01\x00\x01g" + b"\x09\x00")
          + section(0, name("linking") + b"\x02" + b"\x05\x00" + b"\x08\x01\x00"
                    + b"\x08\x01\x00"))
    syms = (b"\x06"
            + b"\x00\x10\x00"                    # undefined function 0, import name
            + b"\x00\x50\x00" + name("ext")      # undefined, explicit name
            + b"\x01\x10" + name("udata")        # undefined data
            + b"\x01\x02" + name("ldata") + b"\x00\x00\x04"
            + b"\x02\x10\x05"                    # undefined global 5 (no import: "")
            + b"\x03\x02\x01")                   # section symbol
    write(W, "valid_linking_symbols.wasm",
          HDR + section(1, b"\x01\x60\x00\x00")
          + section(2, b"\x01" + name("env") + name("imp") + b"\x00\x00")
          + section(0, name("linking") + b"\x02\x08" + uleb(len(syms)) + syms))


# ---- tar ---------------------------------------------------------------------

def gnutar(files, fmt, name_, dirs=None, strip=True):
    """GNU tar of {path: bytes}, record size 512, trailing zero blocks stripped."""
    root = os.path.join(TMP, "t_" + name_)
    shutil.rmtree(root, ignore_errors=True)
    for p, data in files.items():
        full = os.path.join(root, p)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(data)
    for d in dirs or []:
        os.makedirs(os.path.join(root, d), exist_ok=True)
    out = os.path.join(TMP, name_ + ".tar")
    args = ["tar", "--format=" + fmt] + (["--pax-option=delete=atime,delete=ctime"] if fmt == "pax" else []) + [ "-b1", "--owner=0", "--group=0", "--numeric-owner",
            "--mtime=@0", "--sort=name", "-cf", out, "-C", root]
    args += (["./" + p for p in files] if name_.startswith("dot") else list(files)) + (dirs or [])
    run(*args)
    data = rd(out)
    if strip:
        while len(data) >= 512 and data[-512:] == b"\0" * 512:
            data = data[:-512]
    return data


def set_checksum(block):
    b = bytearray(block)
    b[148:156] = b" " * 8
    b[148:156] = b"%06o\0 " % sum(b)
    return bytes(b)


def edit_header(data, off, field_off, value):
    b = bytearray(data)
    b[off + field_off:off + field_off + len(value)] = value
    b[off:off + 512] = set_checksum(b[off:off + 512])
    return bytes(b)


MLF = {"metadata.json": b"{}", "codegen/host/lib/default_lib0.o": b"",
       "executor-config/graph/default.graph": b"", "parameters/default.params": b""}


def header(name_, size, typ=b"0", magic=b"ustar\x0000"):
    """One hand-made header block with a correct checksum."""
    h = bytearray(512)
    h[0:len(name_)] = name_
    h[100:108] = b"0000644\0"
    h[124:136] = b"%011o\0" % size
    h[156:157] = typ
    h[257:265] = magic
    return set_checksum(bytes(h))


def member(name_, data, typ=b"0", size=None):
    pad = b"\0" * (-len(data) % 512)
    return header(name_, len(data) if size is None else size, typ) + data + pad


def tar_seeds():
    mlf = gnutar(MLF, "ustar", "mlf")
    write(T, "valid_mlf_ustar.tar", mlf)
    write(T, "valid_mlf_dot_gnu.tar", gnutar(dict(MLF, **{"metadata.json": b""}), "gnu", "dot_mlf"))
    write(T, "valid_mlf_two_libs.tar",
          gnutar({"metadata.json": b"", "codegen/host/lib/default_lib1.o": b"",
                  "codegen/host/lib/default_lib0.o": b"", "codegen/host/lib/other_lib0.o": b"",
                  "executor-config/graph/default.graph": b"", "parameters/default.params": b""},
                 "ustar", "mlf2"))
    write(T, "valid_mlf_old_layout.tar",
          gnutar({"metadata.json": b"", "runtime-config/graph/graph.json": b"{}",
                  "parameters/x.params": b"", "codegen/host/lib/lib0.o": b""}, "gnu", "mlfold"))
    write(T, "valid_mlf_c_source.tar",
          gnutar({"metadata.json": b"", "executor-config/graph/default.graph": b"",
                  "parameters/default.params": b"", "codegen/host/src/default_lib0.c": b""},
                 "ustar", "mlfc"))
    write(T, "valid_mlf_aot.tar", gnutar({"metadata.json": b"", "codegen/host/lib/a.o": b""},
                                         "ustar", "aot"))
    nested = gnutar({"lib0.o": b"\0asm\x01\0\0\0"}, "ustar", "nested")
    write(T, "valid_tvmc_nested.tar",
          gnutar({"mod.json": b"{}", "mod.params": b"", "mod.tar": nested}, "ustar", "tvmc"))
    write(T, "valid_tvmc_so.tar",
          gnutar({"mod.json": b"", "mod.params": b"", "mod.so": b"\0asm\x01\0\0\0"}, "gnu", "tvmcso"))
    write(T, "valid_tvmc_vm.tar", gnutar({"lib.so": b"", "code.ro": b""}, "gnu", "vm"))
    write(T, "valid_tvmc_no_params.tar", gnutar({"mod.json": b"", "mod.a": b""}, "gnu", "noparams"))
    write(T, "valid_dirs_symlink.tar",
          gnutar({"a/b.txt": b"x" * 700}, "gnu", "dirs", dirs=["a/c"]))
    longname = "d" * 60 + "/" + "e" * 60 + "/f.params"  # > 100 bytes
    write(T, "valid_ustar_prefix.tar", gnutar({longname: b"p"}, "ustar", "prefix"))
    write(T, "valid_gnu_longname.tar", gnutar({"x" * 150 + ".o": b"o"}, "gnu", "longname"))
    write(T, "valid_pax_longname.tar", gnutar({"y" * 150 + ".o": b"o"}, "pax", "paxlong"))
    write(T, "valid_with_end_blocks.tar", gnutar({"mod.json": b"{}"}, "ustar", "end", strip=False)[:3584])

    # Python tarfile (what tvmc and MLF use): pax with a global header.
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT,
                      pax_headers={"comment": "wasmgraph"}) as tf:
        for n, d in (("./metadata.json", b"{}"),):
            ti = tarfile.TarInfo(n)
            ti.size = len(d)
            ti.pax_headers = {"path": n, "mtime": "0.5"}
            tf.addfile(ti, io.BytesIO(d))
    write(T, "valid_python_pax.tar", buf.getvalue().rstrip(b"\0")
          + b"\0" * (-len(buf.getvalue().rstrip(b"\0")) % 512))

    # base-256 size and a signed checksum
    one = gnutar({"mod.json": b"abc"}, "gnu", "b256")
    write(T, "valid_base256_size.tar", edit_header(one, 0, 124, b"\x80" + b"\0" * 10 + b"\x03"))
    hi = edit_header(one, 0, 0, b"\xe9\xe9.o\0")
    blk = bytearray(hi[:512])
    blk[148:156] = b" " * 8
    ssum = sum(x - 256 if x > 127 else x for x in blk)
    blk[148:156] = b"%06o\0 " % ssum
    write(T, "valid_signed_checksum.tar", bytes(blk) + hi[512:])

    # ---- invalid ----
    write(T, "invalid_empty.tar", b"")
    write(T, "invalid_gzip.tar", b"\x1f\x8b\x08\x00" + b"\0" * 600)
    write(T, "invalid_not_ustar.tar", b"\0" * 512)
    write(T, "invalid_short.tar", mlf[:300])
    bad = bytearray(mlf)
    bad[0] ^= 1
    write(T, "invalid_checksum.tar", bytes(bad))
    write(T, "invalid_truncated_header.tar", mlf[:512 + 200])
    big = gnutar({"mod.json": b"x" * 600}, "ustar", "trunc")
    write(T, "invalid_truncated_data.tar", big[:512 + 300])
    write(T, "invalid_size_octal.tar", edit_header(one, 0, 124, b"00000000x03\0"))
    write(T, "invalid_size_negative.tar", edit_header(one, 0, 124, b"\xff" * 12))
    write(T, "invalid_size_huge.tar", edit_header(one, 0, 124, b"77777777777\0"))
    paxl = gnutar({"y" * 150 + ".o": b"o"}, "pax", "paxlong")
    write(T, "invalid_pax_record.tar", edit_header(paxl, 0, 124, b"%011o\0" % 9)[:512]
          + b"8 path=a\n" + paxl[521:1024] + paxl[1024:])
    write(T, "invalid_longname_last.tar", gnutar({"x" * 150 + ".o": b"o"}, "gnu", "longname")[:1024])
    nested_bad = nested[:400]
    write(T, "valid_tvmc_nested_truncated.tar",
          gnutar({"mod.json": b"", "mod.params": b"", "mod.tar": nested_bad}, "ustar", "tvmcbad"))
    write(T, "valid_tvmc_nested_empty.tar",
          gnutar({"mod.json": b"", "mod.params": b"", "mod.tar": gnutar({}, "ustar", "e0", dirs=["d"])},
                 "ustar", "tvmcempty"))


def tar_pax_seeds():
    # pax "size" overrides the header's size field (here 0) for the next member
    write(T, "valid_pax_size.tar", member(b"PaxHeaders/mod.json", b"10 size=3\n", b"x")
          + header(b"mod.json", 0) + b"abc" + b"\0" * 509)
    write(T, "invalid_pax_size_huge.tar",
          member(b"PaxHeaders/mod.json", b"26 size=99999999999999999\n", b"x")
          + header(b"mod.json", 0) + b"\0" * 512)
    write(T, "invalid_pax_size_chars.tar", member(b"PaxHeaders/m", b"10 size=x\n", b"x")
          + header(b"m", 0))
    write(T, "invalid_pax_no_equals.tar", member(b"PaxHeaders/m", b"9 pathab\n", b"x")
          + header(b"m", 0))
    # GNU: a 'K' long link name, then an 'L' long name, for one symlink
    target = b"t" * 120
    write(T, "valid_gnu_longlink.tar",
          member(b"././@LongLink", target + b"\0", b"K")
          + member(b"././@LongLink", b"l" * 110 + b"\0", b"L")
          + header(b"short", 0, b"2", b"ustar  \0"))
    # a pax global header, a '7' contiguous file and a '\0' old-style file
    write(T, "valid_global_and_types.tar",
          member(b"pax_global_header", b"21 comment=wasmgraph\n", b"g")
          + member(b"c.bin", b"c", b"7") + member(b"old.bin", b"o", b"\0"))


if __name__ == "__main__":
    os.makedirs(TMP, exist_ok=True)
    wasm_seeds()
    tar_seeds()
    tar_pax_seeds()
