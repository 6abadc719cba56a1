"""Bad input through every entry point: each is an exception of a
wasmgraph.Error subclass carrying status, trap kind and a message that names
the file or tensor; none crashes the interpreter, and executors stay usable."""

import os
import pickle

import numpy as np
import pytest

import wasmgraph
from wasmgraph import Status, TrapKind


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


# ---- compile() ------------------------------------------------------------------

def test_compile_missing_source(work_dir):
    missing = os.path.join(work_dir, "no_such_graph.o")
    with pytest.raises(wasmgraph.FileError) as e:
        wasmgraph.compile(missing, os.path.join(work_dir, "x.so"))
    assert e.value.status == Status.IO and missing in str(e.value)
    assert isinstance(e.value, OSError)
    assert not os.path.exists(os.path.join(work_dir, "x.so"))


def test_compile_not_wasm(work_dir):
    bogus = write(os.path.join(work_dir, "bogus.o"), b"this is not a wasm object\n" * 4)
    with pytest.raises(wasmgraph.Error) as e:
        wasmgraph.compile(bogus, os.path.join(work_dir, "bogus.so"))
    assert e.value.status in (Status.FORMAT, Status.UNSUPPORTED)
    assert "bogus.o" in e.value.message


def test_compile_truncated_wasm(work_dir, example_dir):
    with open(os.path.join(example_dir, "graph.o"), "rb") as f:
        data = f.read()
    cut = write(os.path.join(work_dir, "cut.o"), data[: len(data) // 2])
    with pytest.raises(wasmgraph.FormatError) as e:
        wasmgraph.compile(cut, os.path.join(work_dir, "cut.so"))
    assert "cut.o" in e.value.message


@pytest.mark.parametrize("kwargs, match", [
    ({"output": "model.exe"}, "must end in"),
    ({"name": "9lives"}, "invalid name"),
    ({"name": "x" * 65}, "invalid name"),
    ({"opt_level": 4}, "opt_level"),
    ({"opt_level": True}, "opt_level"),
    ({"embed": "graph.json"}, "embed must be a pair"),
    ({"embed": ("a", "b", "c")}, "embed must be a pair"),
    ({"target": ""}, "target"),
    ({"cpu": 3}, "cpu"),
    ({"log": "not callable"}, "callable"),
    ({"fp_contract": "on"}, "fp_contract"),
    ({"fp_contract": None}, "fp_contract"),
    ({"disable_passes": 5}, "disable_passes"),
    ({"disable_passes": ["int-dot", 3]}, "disable_passes"),
    ({"disable_passes": "no-such-pass"}, "unknown pass 'no-such-pass'"),
    ({"source": None}, "source"),
    ({"source": 42}, "source must be a path"),
    ({"source": "a\0b"}, "not a valid path"),
])
def test_compile_bad_arguments(work_dir, example_dir, kwargs, match):
    args = {"source": os.path.join(example_dir, "graph.o"),
            "output": os.path.join(work_dir, "args.so")}
    args.update(kwargs)
    if not os.path.isabs(args["output"]):
        args["output"] = os.path.join(work_dir, args["output"])
    source, output = args.pop("source"), args.pop("output")
    with pytest.raises(wasmgraph.InvalidArgumentError, match=match):
        wasmgraph.compile(source, output, **args)


def test_compile_bad_embed_file(work_dir, example_dir):
    with pytest.raises(wasmgraph.Error) as e:
        wasmgraph.compile(os.path.join(example_dir, "graph.o"), os.path.join(work_dir, "e.so"),
                          embed=(os.path.join(work_dir, "missing.json"),
                                 os.path.join(example_dir, "graph.params")))
    assert "missing.json" in e.value.message


def test_compile_log_exception_propagates(work_dir, example_dir):
    def boom(line):
        raise KeyboardInterrupt("stop")

    with pytest.raises(KeyboardInterrupt):
        wasmgraph.compile(os.path.join(example_dir, "graph.o"), os.path.join(work_dir, "l.so"),
                          log=boom)


# ---- load() -----------------------------------------------------------------------

def test_load_missing_library(work_dir):
    missing = os.path.join(work_dir, "missing.so")
    with pytest.raises(wasmgraph.FileError) as e:
        wasmgraph.load(missing)
    assert missing in str(e.value) and e.value.status == Status.IO


def test_load_not_a_library(work_dir):
    junk = write(os.path.join(work_dir, "junk.so"), b"\x7fELF but not really")
    with pytest.raises(wasmgraph.FileError) as e:
        wasmgraph.load(junk)
    assert "junk.so" in str(e.value)


def test_load_library_without_a_model(work_dir):
    # A real shared object, but not a wasmgraph model: the runtime library itself.
    lib = os.path.join(os.path.dirname(wasmgraph.__file__), "_lib", "libwasmgraph.so")
    with pytest.raises(wasmgraph.FormatError, match="not a wasmgraph model library"):
        wasmgraph.load(lib)


def test_load_without_graph(work_dir, example_dir):
    so = wasmgraph.compile(os.path.join(example_dir, "graph.o"), os.path.join(work_dir, "bare.so"))
    with pytest.raises(wasmgraph.Error) as e:
        wasmgraph.load(so)  # nothing embedded, nothing given
    assert e.value.status in (Status.INVALID_ARGUMENT, Status.NOT_FOUND, Status.FORMAT)
    with pytest.raises(wasmgraph.FileError) as e:
        wasmgraph.load(so, os.path.join(work_dir, "nope.json"),
                       os.path.join(example_dir, "graph.params"))
    assert "nope.json" in str(e.value)


def test_load_malformed_graph_and_params(work_dir, example_dir):
    so = os.path.join(work_dir, "bare2.so")
    wasmgraph.compile(os.path.join(example_dir, "graph.o"), so)
    bad_json = write(os.path.join(work_dir, "bad.json"), b'{"nodes": [')
    with pytest.raises(wasmgraph.FormatError) as e:
        wasmgraph.load(so, bad_json, os.path.join(example_dir, "graph.params"))
    assert "bad.json" in str(e.value)
    with open(os.path.join(example_dir, "graph.params"), "rb") as f:
        params = f.read()
    cut = write(os.path.join(work_dir, "cut.params"), params[:100])
    with pytest.raises(wasmgraph.FormatError) as e:
        wasmgraph.load(so, os.path.join(example_dir, "graph.json"), cut)
    assert "cut.params" in str(e.value)


def test_load_bad_arguments():
    with pytest.raises(wasmgraph.InvalidArgumentError):
        wasmgraph.load(None)
    with pytest.raises(wasmgraph.InvalidArgumentError):
        wasmgraph.load(b"")
    with pytest.raises(wasmgraph.InvalidArgumentError):
        wasmgraph.load(["model.so"])


# ---- executor(), set_input, get_output ------------------------------------------------

@pytest.mark.parametrize("kwargs", [{"threads": 0}, {"threads": -1}, {"threads": "2"},
                                    {"threads": 1.5}, {"threads": 100000},
                                    {"workspace_mb": 0}, {"workspace_mb": -3},
                                    {"workspace_mb": "big"}])
def test_executor_bad_options(example_so, kwargs):
    with pytest.raises(wasmgraph.InvalidArgumentError):
        wasmgraph.load(example_so).executor(**kwargs)


@pytest.fixture(scope="module")
def digits(example_so):
    return wasmgraph.load(example_so).executor(threads=1)


@pytest.mark.parametrize("value, exc, match", [
    (np.zeros((1, 1, 8, 8), np.float64), wasmgraph.DtypeMismatchError, "dtype is float64, expected float32"),
    (np.zeros((1, 1, 8, 8), np.int32), wasmgraph.DtypeMismatchError, "expected float32"),
    (np.zeros((1, 1, 8, 8), np.complex64), wasmgraph.DtypeMismatchError, "no graph dtype"),
    (np.zeros((1, 1, 8, 8), ">f4"), wasmgraph.DtypeMismatchError, "no graph dtype"),
    (np.zeros((1, 1, 8, 8), object), wasmgraph.DtypeMismatchError, "no graph dtype"),
    (np.zeros((1, 1, 8, 7), np.float32), wasmgraph.ShapeMismatchError, r"shape is \(1, 1, 8, 7\), expected \(1, 1, 8, 8\)"),
    (np.zeros((64,), np.float32), wasmgraph.ShapeMismatchError, "expected"),
    (np.float32(1), wasmgraph.ShapeMismatchError, r"shape is \(\)"),
    (np.zeros((1,) * 20, np.float32), wasmgraph.ShapeMismatchError, "shape is"),
    ("a string", wasmgraph.DtypeMismatchError, "no graph dtype"),
    ([[1.0, 2.0], [3.0]], wasmgraph.InvalidArgumentError, "cannot use list"),
])
def test_set_input_rejects_bad_arrays(digits, example_input, value, exc, match):
    with pytest.raises(exc, match=match) as e:
        digits.set_input("data", value)
    assert isinstance(e.value, wasmgraph.Error)
    assert e.value.trap == TrapKind.NONE
    np.testing.assert_array_equal(digits(data=example_input)[0].shape, (1, 10))  # still usable


@pytest.mark.parametrize("key, exc", [("nope", wasmgraph.NotFoundError), (1, wasmgraph.InvalidArgumentError),
                                      (-1, wasmgraph.InvalidArgumentError), (2**70, wasmgraph.InvalidArgumentError),
                                      (1.0, wasmgraph.InvalidArgumentError), (None, wasmgraph.InvalidArgumentError)])
def test_set_input_bad_key(digits, example_input, key, exc):
    with pytest.raises(exc):
        digits.set_input(key, example_input)


@pytest.mark.parametrize("index", [1, -1, 2**40, "output_0", None])
def test_get_output_bad_index(digits, index):
    with pytest.raises(wasmgraph.InvalidArgumentError):
        digits.get_output(index)
    with pytest.raises(wasmgraph.InvalidArgumentError):
        digits.output_view(index)


def test_call_with_too_many_or_unknown_inputs(digits, example_input):
    with pytest.raises(wasmgraph.InvalidArgumentError):
        digits(example_input, example_input)
    with pytest.raises(wasmgraph.NotFoundError, match="no input named 'image'.*inputs: data"):
        digits(image=example_input)


# ---- traps and kernel errors (modules/probe.wat) ------------------------------------

@pytest.fixture(scope="module")
def probe_ex(probe):
    so, graph, params = probe
    return wasmgraph.load(so, graph, params).executor(threads=1)


@pytest.mark.parametrize("x, exc, status, trap, words", [
    ([1, 0, 3, 4], wasmgraph.TrapError, Status.TRAP, TrapKind.DIVIDE_BY_ZERO, "divide by zero"),
    ([1, -16, 3, 4], wasmgraph.TrapError, Status.TRAP, TrapKind.OUT_OF_BOUNDS, "out-of-bounds"),
    ([7, 1, 1, 1], wasmgraph.TrapError, Status.TRAP, TrapKind.UNREACHABLE, "unreachable"),
    ([13, 1, 1, 1], wasmgraph.KernelError, Status.KERNEL, TrapKind.NONE, "probe: 13 is unlucky"),
])
def test_traps_and_kernel_errors_are_exceptions(probe_ex, x, exc, status, trap, words):
    good = np.array([1, 2, 4, 5], np.int32)
    assert probe_ex(x=good)[0].tolist() == [1000, 500, 250, 200]
    with pytest.raises(exc) as e:
        probe_ex(x=np.array(x, np.int32))
    err = e.value
    assert (err.status, err.trap) == (status, trap)
    assert words in err.message and "probe" in err.message  # names the kernel
    assert isinstance(err, RuntimeError)
    # The executor stays usable after the failure.
    assert probe_ex(x=good)[0].tolist() == [1000, 500, 250, 200]


def test_errors_pickle_with_their_fields(probe_ex):
    with pytest.raises(wasmgraph.TrapError) as e:
        probe_ex(x=np.array([0, 0, 0, 0], np.int32))
    back = pickle.loads(pickle.dumps(e.value))
    assert type(back) is wasmgraph.TrapError
    assert (back.status, back.trap, back.message) == (e.value.status, e.value.trap, e.value.message)


# ---- from_tvm() and GraphModule without TVM objects ---------------------------------

def test_from_tvm_rejects_other_objects(example_so):
    for bad in (None, "graph.o", wasmgraph.load(example_so)):
        with pytest.raises(wasmgraph.InvalidArgumentError, match="relay.build"):
            wasmgraph.from_tvm(bad)


def test_from_tvm_argument_checks():
    class Factory:  # the shape of relay.build's result
        def get_lib(self):
            raise AssertionError("not reached")

        get_graph_json = get_params = get_lib

    with pytest.raises(wasmgraph.InvalidArgumentError, match="must be a .so"):
        wasmgraph.from_tvm(Factory(), output="model.o")
    with pytest.raises(wasmgraph.InvalidArgumentError, match="embed"):
        wasmgraph.from_tvm(Factory(), embed=("a", "b"))


def test_graph_module_rejects_other_objects():
    for bad in (None, 42, object()):
        with pytest.raises(wasmgraph.InvalidArgumentError, match="GraphModule takes"):
            wasmgraph.GraphModule(bad)


def test_graph_module_bad_input(example_so, example_input):
    gm = wasmgraph.GraphModule(example_so)
    assert gm.get_num_inputs() == 5  # as TVM counts: data and four weights
    assert gm.get_input_index("p0") == 1
    with pytest.raises(wasmgraph.UnsupportedError, match="'p0' is a weight"):
        gm.set_input("p0", np.zeros((16, 64), np.float32))  # fixed when compiled
    with pytest.raises(wasmgraph.UnsupportedError, match="'p0' is a weight"):
        gm.set_input(1, np.zeros((16, 64), np.float32))
    with pytest.raises(wasmgraph.UnsupportedError):
        gm.get_input(1)
    with pytest.raises(wasmgraph.NotFoundError):
        gm.set_input("image", example_input)
    with pytest.raises(wasmgraph.InvalidArgumentError):
        gm.set_input(5, example_input)
    with pytest.raises(wasmgraph.ShapeMismatchError):
        gm.set_input("data", np.zeros((1, 8, 8), np.float32))
    with pytest.raises(wasmgraph.DtypeMismatchError, match="cannot convert"):
        gm.set_input("data", np.full((1, 1, 8, 8), "text"))
    with pytest.raises(wasmgraph.UnsupportedError):
        gm.load_params(b"")
    with pytest.raises(wasmgraph.InvalidArgumentError):
        gm.benchmark(repeat=0)
    assert gm.get_input_index("nope") == -1
