"""The Python API on the repo's own model (tiny_digits, always built):
compile() in each input and output kind, load(), Model, Executor."""

import gc
import json
import os
import shutil

import numpy as np
import pytest

import wasmgraph


def test_version_and_memory_mode():
    assert wasmgraph.__version__.count(".") == 2
    assert wasmgraph.memory_mode() in ("guard-pages", "bounds-check")


def test_model_describes_inputs_and_outputs(example_so):
    m = wasmgraph.load(example_so)
    assert m.name == "digits"
    assert m.input_names == ["data"] and m.output_names == ["output_0"]
    assert m.num_inputs == 1 and m.num_outputs == 1
    (i,), (o,) = m.inputs, m.outputs
    assert (i.shape, i.dtype, i.dtype_name, i.nbytes) == ((1, 1, 8, 8), np.float32, "float32", 256)
    assert (o.shape, o.dtype, o.nbytes) == ((1, 10), np.float32, 40)
    assert m.input_index("data") == 0 and m.input_index(0) == 0
    assert "digits" in repr(m) and "float32[1, 1, 8, 8]" in repr(m)


def test_graph_json_read_back(example_so, example_dir):
    with open(os.path.join(example_dir, "graph.json"), encoding="utf-8") as f:
        want = json.load(f)
    embedded = wasmgraph.load(example_so)  # from the copy inside the library
    assert json.loads(embedded.graph_json) == want
    given = wasmgraph.load(example_so, os.path.join(example_dir, "graph.json"),
                           os.path.join(example_dir, "graph.params"))
    assert json.loads(given.graph_json) == want
    assert [a[0] for a in embedded.graph_args()] == ["data", "p0", "p1", "p2", "p3"]
    assert embedded.graph_args()[0] == ("data", (1, 1, 8, 8), "float32")


def test_run_matches_expected(example_so, example_input, example_expected):
    ex = wasmgraph.load(example_so).executor(threads=1)
    ex.set_input("data", example_input)
    ex.run()
    got = ex.get_output(0)
    assert got.dtype == np.float32 and got.shape == (1, 10)
    np.testing.assert_allclose(got, example_expected, rtol=1e-5, atol=1e-6)


def test_call_by_name_and_by_position(example_so, example_input, example_expected):
    ex = wasmgraph.load(example_so).executor()
    by_name = ex(data=example_input)
    by_pos = ex(example_input)
    assert isinstance(by_name, list) and len(by_name) == 1
    assert np.array_equal(by_name[0], by_pos[0])
    np.testing.assert_allclose(by_name[0], example_expected, rtol=1e-5, atol=1e-6)


def test_get_output_is_a_copy_and_output_view_is_not(example_so, example_input):
    ex = wasmgraph.load(example_so).executor(threads=1)
    first = ex(data=example_input)[0]
    view = ex.output_view(0)
    assert not view.flags.writeable and view.base is not None
    assert np.array_equal(view, first)
    copy = ex.get_output(0)
    copy[...] = -1  # the copy is the caller's
    assert np.array_equal(ex.get_output(0), first)
    # Another input: the view shows the new run's output in place.
    ex(data=np.ascontiguousarray(example_input[:, :, ::-1, :]))
    second = ex.get_output(0)
    assert not np.array_equal(second, first)
    assert np.array_equal(view, second)
    assert np.array_equal(first, ex(data=example_input)[0])  # runs are deterministic


def test_input_view_writes_the_input(example_so, example_input):
    ex = wasmgraph.load(example_so).executor(threads=1)
    want = ex(data=example_input)[0]
    ex.set_input("data", np.zeros_like(example_input))
    inp = ex.input_view("data")
    assert inp.flags.writeable and inp.shape == example_input.shape
    assert not inp.any()
    inp[...] = example_input
    ex.run()
    assert np.array_equal(ex.get_output(0), want)


def test_set_input_accepts_non_contiguous_and_sequences(example_so, example_input):
    ex = wasmgraph.load(example_so).executor(threads=1)
    want = ex(data=example_input)[0]
    strided = np.asfortranarray(example_input)
    assert not strided.flags.c_contiguous
    assert np.array_equal(ex(data=strided)[0], want)
    as_list = example_input.tolist()  # float64 after np.asarray: a dtype error, not a cast
    with pytest.raises(wasmgraph.DtypeMismatchError):
        ex.set_input("data", as_list)


def test_executor_options_and_views_outlive_close(example_so, example_input):
    m = wasmgraph.load(example_so)
    with m.executor(threads=2, workspace_mb=4) as ex:
        assert ex.num_threads == 2
        out = ex(data=example_input)[0]
        view = ex.output_view(0)
    with pytest.raises(wasmgraph.InvalidArgumentError, match="closed"):
        ex.run()
    del ex, m
    gc.collect()
    assert np.array_equal(view, out)  # the sandbox lives as long as the view


def test_executors_of_one_model_are_independent(example_so, example_input):
    m = wasmgraph.load(example_so)
    a, b = m.executor(threads=1), m.executor(threads=1)
    ra = a(data=example_input)[0]
    b.set_input("data", np.zeros_like(example_input))
    b.run()
    assert np.array_equal(a.get_output(0), ra)
    assert not np.array_equal(b.get_output(0), ra)


def test_model_outlives_its_python_name(example_so, example_input):
    ex = wasmgraph.load(example_so).executor(threads=1)  # no reference to the Model kept
    gc.collect()
    assert ex(data=example_input)[0].shape == (1, 10)


@pytest.mark.parametrize("source", ["graph.o", "libgraph_wasm32.a", "folder"])
def test_compile_input_kinds(work_dir, example_dir, example_input, example_expected, source):
    src = example_dir if source == "folder" else os.path.join(example_dir, source)
    out = os.path.join(work_dir, f"kind_{source.replace('.', '_')}.so")
    assert wasmgraph.compile(src, out, opt_level=1) == out
    if source == "folder":
        m = wasmgraph.load(out)  # graph and params embedded
    else:
        m = wasmgraph.load(out, os.path.join(example_dir, "graph.json"),
                           os.path.join(example_dir, "graph.params"))
    np.testing.assert_allclose(m.executor()(data=example_input)[0], example_expected,
                               rtol=1e-5, atol=1e-6)


def test_compile_embed_and_name(work_dir, example_dir, example_input, example_expected):
    out = os.path.join(work_dir, "embedded.so")
    wasmgraph.compile(os.path.join(example_dir, "graph.o"), out, name="emb",
                      embed=(os.path.join(example_dir, "graph.json"),
                             os.path.join(example_dir, "graph.params")))
    m = wasmgraph.load(out)
    assert m.name == "emb"
    np.testing.assert_allclose(m.executor()(data=example_input)[0], example_expected,
                               rtol=1e-5, atol=1e-6)


def test_compile_output_kinds(work_dir, example_dir):
    src = os.path.join(example_dir, "graph.o")
    d = os.path.join(work_dir, "kinds")
    os.makedirs(d, exist_ok=True)
    wasmgraph.compile(src, os.path.join(d, "m.o"), name="m_obj")
    wasmgraph.compile(src, os.path.join(d, "libm.a"), name="m_lib")
    wasmgraph.compile(src, os.path.join(d, "m.wasm"))
    wasmgraph.compile(src, os.path.join(d, "mc.c"), name="mc")
    with open(os.path.join(d, "m.o"), "rb") as f:
        assert f.read(4) == b"\x7fELF"
    with open(os.path.join(d, "libm.a"), "rb") as f:
        assert f.read(8) == b"!<arch>\n"
    with open(os.path.join(d, "m.wasm"), "rb") as f:
        assert f.read(4) == b"\0asm"
    for f in ("mc.c", "mc_w2c.c", "mc_w2c.h", "mc.h"):
        assert os.path.getsize(os.path.join(d, f)) > 0, f


def test_compile_log_and_pathlike(work_dir, example_dir):
    import pathlib
    lines = []
    out = pathlib.Path(work_dir) / "logged.so"
    assert wasmgraph.compile(pathlib.Path(example_dir), out, log=lines.append) == out
    text = "\n".join(lines)
    assert "wasm-ld" in text and "clang" in text, text


def test_compile_fp_contract_and_disable_passes(work_dir, example_dir, example_input,
                                                example_expected):
    """fp_contract and disable_passes reach the LLVM pipeline as the CLI's
    --fp-contract and --disable-pass do: the log says so, the exact build
    with passes skipped computes the same bits as the default one, and the
    FMA build stays within the example's tolerance."""
    runs = {}
    for label, kwargs in (("default", {}),
                          ("skipped", {"disable_passes": ["tile-vectorize", "address-fold"]}),
                          ("fast", {"fp_contract": "fast"})):
        lines = []
        out = os.path.join(work_dir, f"fpc_{label}.so")
        wasmgraph.compile(example_dir, out, log=lines.append, **kwargs)
        text = "\n".join(lines)
        if label == "fast":
            assert "fp contraction: off" not in text and "fp contraction:" in text, text
        else:
            assert "fp contraction: off" in text, text
        if label == "skipped":
            assert "tile-vectorize: off (disabled by the caller)" in text, text
            assert "address-fold: off (disabled by the caller)" in text, text
        runs[label] = wasmgraph.load(out).executor(threads=1)(data=example_input)[0]
    assert runs["skipped"].tobytes() == runs["default"].tobytes()
    np.testing.assert_allclose(runs["fast"], example_expected, rtol=1e-5, atol=1e-6)


def test_compile_releases_output_on_failure(work_dir, example_dir):
    """A failed compile leaves OUTPUT as it was (the library writes under a
    temporary name and renames at the end)."""
    out = os.path.join(work_dir, "kept.so")
    shutil.copy(os.path.join(example_dir, "graph.json"), out)
    with pytest.raises(wasmgraph.Error):
        wasmgraph.compile(os.path.join(example_dir, "graph.json"), out)
    with open(out, "rb") as f, open(os.path.join(example_dir, "graph.json"), "rb") as g:
        assert f.read() == g.read()


def _vm_size_kb():
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1])
    raise AssertionError("no VmSize in /proc/self/status")


def test_executors_release_their_sandbox(example_so, example_input):
    """Dropping the last reference to an executor (and its views) unmaps its
    linear memory: address space returns to where it was."""
    m = wasmgraph.load(example_so)
    m.executor(threads=1)  # first-use setup (signal stack, thread pool) out of the way
    gc.collect()
    before = _vm_size_kb()
    executors = [m.executor(threads=1) for _ in range(8)]
    views = [ex(data=example_input) and ex.output_view(0) for ex in executors]
    grown = _vm_size_kb() - before
    assert grown > 8 * 64, f"8 sandboxes took only {grown} KiB of address space"
    for ex in executors[:4]:
        ex.close()
    del executors
    gc.collect()
    assert _vm_size_kb() - before > grown // 4  # the views still hold their sandboxes
    del views
    gc.collect()
    assert _vm_size_kb() - before < grown // 16, "sandboxes not released"


def _mapped(path):
    real = os.path.realpath(path)
    with open("/proc/self/maps", encoding="utf-8", errors="replace") as f:
        return any(line.rstrip("\n").endswith(real) or real + " (deleted)" in line for line in f)


def test_recompiling_in_place_loads_the_new_model(work_dir, example_dir, probe, example_input):
    """A new file at the same path is a new model, even while a model of the
    old file is alive (dlopen alone would hand back the old code)."""
    path = os.path.join(work_dir, "same.so")
    wasmgraph.compile(example_dir, path)
    first = wasmgraph.load(path).executor(threads=1)
    so, graph, params = probe
    shutil.copy(so, path + ".tmp")
    os.replace(path + ".tmp", path)  # what compile() does: a new file, renamed over the old
    second = wasmgraph.load(path, graph, params).executor(threads=1)
    assert second(x=np.array([1, 2, 4, 5], np.int32))[0].tolist() == [1000, 500, 250, 200]
    assert first(data=example_input)[0].shape == (1, 10)  # the old model still runs
    # The same file loaded twice shares one library.
    again = wasmgraph.load(path, graph, params)
    assert again.executor(threads=1)(x=np.array([4, 4, 4, 4], np.int32))[0].tolist() == [250] * 4


def test_library_unloads_with_its_last_model(work_dir, example_dir, example_input):
    path = os.path.join(work_dir, "unload.so")
    wasmgraph.compile(example_dir, path)
    fds = len(os.listdir("/proc/self/fd"))
    ex = wasmgraph.load(path).executor(threads=1)
    view = ex(data=example_input) and ex.output_view(0)
    assert _mapped(path)
    del ex
    gc.collect()
    assert _mapped(path)  # the view keeps executor, model and library
    del view
    gc.collect()
    assert not _mapped(path), "the model library stayed loaded"
    assert len(os.listdir("/proc/self/fd")) == fds
