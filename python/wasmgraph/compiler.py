"""compile(): ``wasmgraph compile`` as a function (libwasmgraph_compiler.so)."""

import ctypes
import os

from . import _native
from .errors import InvalidArgumentError, error_for
from .model import _path_arg, _text

_OUTPUT_KINDS = (".so", ".o", ".a", ".c", ".wasm")


_FP_CONTRACT = {"off": 0, "fast": 1}  # wasmgraph_fp_contract


def compile(source, output, *, name=None, target=None, cpu=None, embed=None, opt_level=2,
            fp_contract="off", disable_passes=None, log=None):
    """Translates a TVM wasm32 graph library into native code, like
    ``wasmgraph compile SOURCE -o OUTPUT``.

    source: anything ``wasmgraph compile`` takes: TVM's ``graph.o``, an ar
        archive of such objects, a linked ``.wasm``, a folder holding
        ``graph.o``, ``graph.json`` and ``graph.params`` (embedded in the
        output), or a Model Library Format / tvmc package tar.
    output: the file to write; its extension picks the kind: ``.so`` (for
        :func:`load`), ``.o``, ``.a``, ``.c`` or ``.wasm``.
    name: C identifier prefixing every generated symbol (default: from OUTPUT).
    target, cpu: clang target triple and CPU (default: the host, ``native``).
    embed: ``(graph_json_path, params_path)`` to embed in the output.
    opt_level: clang -O level, 0..3.
    fp_contract: ``"off"`` (default: exact wasm semantics, every multiply and
        add rounded on its own) or ``"fast"``: a multiply whose only use is
        an add becomes one fused multiply-add where the CPU has FMA. Faster,
        but results differ from the wasm's in the last bits; memory safety is
        unchanged. Needs opt_level 2 or 3. As ``--fp-contract``.
    disable_passes: names of LLVM pipeline passes to skip (a list, or a
        comma-separated string), as ``--disable-pass``; outputs stay
        bit-identical. Unknown names raise InvalidArgumentError.
    log: optional callable receiving each progress line (and, with it, every
        command the compiler runs).

    Returns OUTPUT. Raises an :class:`~wasmgraph.Error` subclass carrying the
    compiler's message (which names the file and the problem); OUTPUT is then
    left untouched. The GIL is released while the compiler runs.

    wasm-ld, node and clang are found on PATH, as by the CLI.
    """
    src = _path_arg(source, "source")
    out = _path_arg(output, "output")
    if src is None or out is None:
        raise InvalidArgumentError("compile() needs a source and an output path")
    if not os.fsdecode(out).endswith(_OUTPUT_KINDS):
        raise InvalidArgumentError(f"cannot tell what to write from '{os.fsdecode(out)}': the "
                                   f"output must end in {', '.join(_OUTPUT_KINDS)}")
    if isinstance(opt_level, bool) or opt_level not in (0, 1, 2, 3):
        raise InvalidArgumentError(f"opt_level must be 0, 1, 2 or 3, not {opt_level!r}")
    lib = _native.compiler()
    if name is not None:
        if not isinstance(name, str) or not lib.wasmgraph_name_is_valid(name.encode()):
            raise InvalidArgumentError(f"invalid name {name!r}: it must be a C identifier of at "
                                       "most 64 characters")
    embed_graph = embed_params = None
    if embed is not None:
        if isinstance(embed, (str, bytes, os.PathLike)) or len(embed) != 2:
            raise InvalidArgumentError("embed must be a pair (graph_json_path, params_path)")
        embed_graph, embed_params = (_path_arg(embed[0], "embed graph"),
                                     _path_arg(embed[1], "embed params"))
    for what, v in (("target", target), ("cpu", cpu)):
        if v is not None and (not isinstance(v, str) or not v or "\0" in v):
            raise InvalidArgumentError(f"{what} must be a non-empty string, not {v!r}")
    if not isinstance(fp_contract, str) or fp_contract not in _FP_CONTRACT:
        raise InvalidArgumentError(f"fp_contract must be 'off' or 'fast', not {fp_contract!r}")
    if disable_passes is not None:
        if not isinstance(disable_passes, str):
            if not isinstance(disable_passes, (list, tuple)) or not all(
                    isinstance(p, str) for p in disable_passes):
                raise InvalidArgumentError("disable_passes must be a string or a list of pass "
                                           f"names, not {disable_passes!r}")
            disable_passes = ",".join(disable_passes)
        if "\0" in disable_passes:
            raise InvalidArgumentError("disable_passes must not contain NUL")

    buf, o = _native.new_compile_options()
    o.input, o.output = src, out
    o.name = name.encode() if name is not None else None
    o.target = target.encode() if target is not None else None
    o.cpu = cpu.encode() if cpu is not None else None
    o.embed_graph, o.embed_params = embed_graph, embed_params
    o.opt_level = opt_level
    o.no_tile_vectorize = os.environ.get("WASMGRAPH_NO_TILE_VECTORIZE") == "1"  # as the CLI
    o.fp_contract = _FP_CONTRACT[fp_contract]
    o.disable_passes = disable_passes.encode() if disable_passes else None
    raised = []
    if log is not None:
        if not callable(log):
            raise InvalidArgumentError("log must be callable")

        def forward(_user, line):
            if raised:
                return
            try:
                log(_text(line))
            except BaseException as e:  # cannot cross the C library: re-raised below
                raised.append(e)

        o.log = _native.LOG_FN(forward)  # the struct keeps the callback alive
        o.verbose = 1
    err = ctypes.create_string_buffer(2048)
    st = lib.wasmgraph_compile(buf, err, len(err))
    if raised:
        raise raised[0]
    if st:
        raise error_for(st, _text(err.value))
    return output
