"""wasmgraph with a real TVM (../shared/tvm, 0.14): from_tvm() on models built
inside the test, the GraphModule adapter against TVM's own GraphModule running
the same model natively, and an unmodified TVM-style script.

Models (built once per session, each for the host and for wasm32 with and
without simd128): relay.testing's mlp and a small CNN (two convolutions, max
and global average pooling, dense, softmax). Tolerance: the fixtures' rule,
rtol 1e-4 and atol 1e-4 x max|expected|.
"""

import difflib
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import pytest

import wasmgraph
from wg_testing import within_tolerance

WASM32 = "llvm -mtriple=wasm32-unknown-unknown"
TARGETS = {"wasm32": WASM32, "wasm32-simd": WASM32 + " -mattr=+simd128"}
MODELS = ["mlp", "cnn"]


def small_cnn(relay, tvm):
    data = relay.var("data", shape=(1, 3, 32, 32), dtype="float32")
    x = relay.nn.conv2d(data, relay.var("c1_weight"), channels=8, kernel_size=(3, 3),
                        padding=(1, 1))
    x = relay.nn.relu(relay.nn.bias_add(x, relay.var("c1_bias")))
    x = relay.nn.max_pool2d(x, pool_size=(2, 2), strides=(2, 2))
    x = relay.nn.conv2d(x, relay.var("c2_weight"), channels=16, kernel_size=(3, 3),
                        padding=(1, 1))
    x = relay.nn.relu(relay.nn.bias_add(x, relay.var("c2_bias")))
    x = relay.nn.batch_flatten(relay.nn.global_avg_pool2d(x))
    x = relay.nn.bias_add(relay.nn.dense(x, relay.var("fc_weight"), units=10),
                          relay.var("fc_bias"))
    net = relay.nn.softmax(x)
    import tvm.relay.testing
    return tvm.relay.testing.create_workload(relay.Function(relay.analysis.free_vars(net), net))


@pytest.fixture(scope="session")
def built(tvm):
    """model -> {"mod", "params", "input", "native", "wasm32", "wasm32-simd"}:
    relay.build results, and the native GraphModule's outputs."""
    from tvm import relay
    import tvm.relay.testing
    from tvm.contrib import graph_executor

    out = {}
    for name in MODELS:
        if name == "mlp":
            mod, params = tvm.relay.testing.mlp.get_workload(batch_size=1)
            shape = (1, 1, 28, 28)
        else:
            mod, params = small_cnn(relay, tvm)
            shape = (1, 3, 32, 32)
        x = np.random.RandomState(3).uniform(-1, 1, size=shape).astype("float32")
        entry = {"mod": mod, "params": params, "input": x}
        with tvm.transform.PassContext(opt_level=3):
            native = relay.build(mod, target="llvm", params=params)
            for variant, target in TARGETS.items():
                entry[variant] = relay.build(
                    mod, target=target, params=params,
                    runtime=relay.backend.Runtime("cpp", {"system-lib": True}))
        entry["native"] = native
        gm = graph_executor.GraphModule(native["default"](tvm.cpu()))
        gm.set_input("data", x)
        gm.run()
        entry["expected"] = [gm.get_output(i).numpy() for i in range(gm.get_num_outputs())]
        entry["native_gm"] = gm
        out[name] = entry
    return out


def assert_close(got, want, what):
    atol = 1e-4 * float(np.max(np.abs(want)))
    ok, diff, bad = within_tolerance(got, want, atol, 1e-4)
    assert ok, f"{what}: {bad} elements outside tolerance (max |diff| {diff:.3g}, atol {atol:.3g})"


@pytest.fixture(scope="session")
def loaded(built):
    """(model, variant) -> Model, from_tvm'd once."""
    cache = {}

    def get(name, variant):
        if (name, variant) not in cache:
            cache[(name, variant)] = wasmgraph.from_tvm(built[name][variant])
        return cache[(name, variant)]

    return get


@pytest.mark.parametrize("variant", list(TARGETS))
@pytest.mark.parametrize("name", MODELS)
def test_from_tvm_matches_native_tvm(built, loaded, name, variant):
    entry = built[name]
    m = loaded(name, variant)
    shapes, dtypes = entry["native_gm"].get_input_info()
    assert m.input_names == ["data"]
    assert m.inputs[0].shape == tuple(int(d) for d in shapes["data"])
    assert m.inputs[0].dtype_name == str(dtypes["data"])
    assert m.num_outputs == len(entry["expected"])
    outs = m.executor()(data=entry["input"])
    for i, (got, want) in enumerate(zip(outs, entry["expected"])):
        assert_close(got, want, f"{name} {variant} output {i}")


@pytest.mark.parametrize("variant", list(TARGETS))
@pytest.mark.parametrize("name", MODELS)
def test_graph_module_adapter_matches_tvm_graph_module(tvm, built, name, variant):
    entry = built[name]
    ref = entry["native_gm"]
    gm = wasmgraph.GraphModule(entry[variant])  # relay.build's result, as is
    assert gm.get_num_outputs() == ref.get_num_outputs()
    # TVM numbers every argument node, weights included, in graph.json's order.
    # The host and the wasm32 builds lay their weights out differently, so
    # the wasm32 graph is the reference for those.
    graph = json.loads(entry[variant].get_graph_json())
    args = [graph["nodes"][n]["name"] for n in graph["arg_nodes"]]
    assert gm.get_num_inputs() == len(args)
    assert [gm.get_input_index(a) for a in args] == list(range(len(args)))
    assert gm.get_input_index("no_such_input") == -1
    r_shapes, r_dtypes = ref.get_input_info()
    shapes, dtypes = gm.get_input_info()
    assert list(shapes) == list(dtypes) == args
    assert shapes["data"] == tuple(int(d) for d in r_shapes["data"])
    assert dtypes["data"] == str(r_dtypes["data"])
    for n in graph["arg_nodes"]:
        entry_id = graph["node_row_ptr"][n]
        name = graph["nodes"][n]["name"]
        assert shapes[name] == tuple(graph["attrs"]["shape"][1][entry_id])
        assert dtypes[name] == graph["attrs"]["dltype"][1][entry_id]

    x = entry["input"]
    gm.set_input("data", tvm.nd.array(x))  # a TVM NDArray, as scripts pass them
    gm.run()
    first = gm.get_output(0).numpy()
    assert_close(first, entry["expected"][0], f"{name} {variant} GraphModule")
    gm.run(data=x.astype("float64"))  # TVM converts to the input's dtype; so does the adapter
    out = tvm.nd.empty(first.shape, str(first.dtype))
    assert gm.get_output(0, out) is out
    assert np.array_equal(out.numpy(), first)
    assert np.array_equal(gm.get_input(0), x)

    res = gm.benchmark(tvm.cpu(), repeat=3, number=2)
    assert len(res.results) == 3 and all(t > 0 for t in res.results)
    assert res.min <= res.median <= res.max and res.std >= 0
    assert abs(res.mean_ms - res.mean * 1e3) < 1e-9
    text = str(res)
    assert "mean (ms)" in text and "median (ms)" in text and "std (ms)" in text


def test_from_tvm_leaves_no_files_unless_asked(built, work_dir, monkeypatch):
    scratch = os.path.join(work_dir, "tmp")
    os.makedirs(scratch, exist_ok=True)
    monkeypatch.setattr(tempfile, "tempdir", scratch)
    entry = built["mlp"]
    m = wasmgraph.from_tvm(entry["wasm32"])
    assert os.listdir(scratch) == []
    assert_close(m.executor()(data=entry["input"])[0], entry["expected"][0], "mlp")

    kept = os.path.join(work_dir, "mlp_kept.so")
    m2 = wasmgraph.from_tvm(entry["wasm32"], output=kept, name="mlp_kept", opt_level=1)
    assert os.listdir(scratch) == []
    assert m2.name == "mlp_kept"
    alone = wasmgraph.load(kept)  # graph.json and params are inside
    assert_close(alone.executor()(data=entry["input"])[0], entry["expected"][0], "mlp (kept)")


def test_from_tvm_rejects_native_and_non_system_lib_builds(tvm, built):
    from tvm import relay
    with pytest.raises(wasmgraph.UnsupportedError, match="not WebAssembly"):
        wasmgraph.from_tvm(built["mlp"]["native"])
    entry = built["mlp"]
    with tvm.transform.PassContext(opt_level=3):
        plain = relay.build(entry["mod"], target=WASM32, params=entry["params"])
    with pytest.raises(wasmgraph.UnsupportedError, match="system-lib") as e:
        wasmgraph.from_tvm(plain)
    assert e.value.message.startswith("from_tvm: ")


def test_from_tvm_compile_errors_carry_the_message(built):
    with pytest.raises(wasmgraph.InvalidArgumentError, match="opt_level"):
        wasmgraph.from_tvm(built["mlp"]["wasm32"], opt_level=9)
    with pytest.raises(TypeError):
        wasmgraph.from_tvm(built["mlp"]["wasm32"], no_such_option=1)


def script_env(tvm):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.path.dirname(os.path.dirname(wasmgraph.__file__)),
                                         os.path.dirname(tvm.__path__[0])])
    return env


def test_docs_example_runs(tvm, work_dir):
    """docs/python.md's example, as written there."""
    docs = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "python.md")
    with open(docs, encoding="utf-8") as f:
        text = f.read()
    block = text.split("<!-- example:begin -->", 1)[1].split("<!-- example:end -->", 1)[0]
    code = block.strip().removeprefix("```python").removesuffix("```")
    assert "from_tvm" in code and "relay.build" in code
    run_dir = os.path.join(work_dir, "docs_example")
    os.makedirs(run_dir, exist_ok=True)
    p = subprocess.run([sys.executable, "-c", code], cwd=run_dir, env=script_env(tvm),
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, f"docs/python.md example failed:\n{p.stdout}\n{p.stderr}"
    assert "<wasmgraph.Model 'model' (data: float32[1, 1, 28, 28]) -> (float32[1, 10])>" in p.stdout
    assert "class " in p.stdout
    # Only the file it asked for (and TVM's relay.testing cache folder).
    assert [f for f in os.listdir(run_dir) if not f.startswith(".pkl_memoize")] == ["mlp.so"]


def test_tvm_style_script_runs_with_two_changes(tvm, work_dir):
    """The script runs under TVM as written, and under wasmgraph with only
    its import line and its module construction changed; same outputs."""
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "tvm_style_script.py"), encoding="utf-8") as f:
        original = f.read()
    changes = {
        "from tvm.contrib import graph_executor  # IMPORT":
            "from wasmgraph import graph_executor  # IMPORT",
        'lib = relay.build(mod, target="llvm", params=params)  # CONSTRUCT':
            'lib = relay.build(mod, target="llvm -mtriple=wasm32-unknown-unknown", params=params, '
            'runtime=relay.backend.Runtime("cpp", {"system-lib": True}))  # CONSTRUCT',
        'module = graph_executor.GraphModule(lib["default"](dev))  # CONSTRUCT':
            "module = graph_executor.GraphModule(lib)  # CONSTRUCT",
    }
    ported = original
    for before, after in changes.items():
        assert original.count(before) == 1, before
        ported = ported.replace(before, after)
    changed = [l for l in difflib.ndiff(original.splitlines(), ported.splitlines())
               if l.startswith("+ ")]
    assert len(changed) == 3 and all("# IMPORT" in l or "# CONSTRUCT" in l for l in changed)
    port_path = os.path.join(work_dir, "tvm_style_script_wasmgraph.py")
    with open(port_path, "w", encoding="utf-8") as f:
        f.write(ported)

    env = script_env(tvm)
    runs = {}
    for label, script in (("tvm", os.path.join(here, "tvm_style_script.py")),
                          ("wasmgraph", port_path)):
        out = os.path.join(work_dir, f"script_{label}.npy")
        p = subprocess.run([sys.executable, script, out], cwd=work_dir, env=env,
                           capture_output=True, text=True, timeout=600)
        assert p.returncode == 0, f"{label} run failed:\n{p.stdout}\n{p.stderr}"
        assert "Execution time summary" in p.stdout, p.stdout
        runs[label] = (np.load(out), [l for l in p.stdout.splitlines()
                                      if l.startswith(("inputs:", "top-1:"))])
    assert runs["wasmgraph"][1] == runs["tvm"][1]
    assert_close(runs["wasmgraph"][0], runs["tvm"][0], "script output")
