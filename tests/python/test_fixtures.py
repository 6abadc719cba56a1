"""Every TVM fixture folder (../shared/fixtures), scalar and SIMD128 builds,
through the Python API, against expected/ under meta.json's tolerances.

Each model is compiled once per session. The .so that tests/e2e compiled from
the same graph.o with `wasmgraph compile` is reused when it is at least as new
as the CLI of this build (ctest runs this test after those); otherwise, and for
the models tests/e2e does not cover, the test compiles it with
wasmgraph.compile().
"""

import os
import re

import numpy as np
import pytest

import wasmgraph
from wg_testing import (env_path, fixture_folders, fixtures_dir, load_meta, require_fixtures,
                      within_tolerance)

VARIANTS = ["wasm32", "wasm32-simd"]


def _fresh_e2e_so(model, variant):
    e2e, cli = env_path("WASMGRAPH_TEST_E2E_DIR"), env_path("WASMGRAPH_TEST_CLI")
    if not e2e or not cli or not os.path.isfile(cli):
        return None
    name = re.sub(r"[^A-Za-z0-9_]", "_", model)
    so = os.path.join(e2e, variant, model, f"{name}.so")
    if os.path.isfile(so) and os.path.getmtime(so) >= os.path.getmtime(cli):
        return so
    return None


@pytest.fixture(scope="session")
def compiled(work_dir):
    """(model, variant) -> (so, graph.json, params, how), compiled at most once."""
    cache = {}

    def get(model, variant):
        key = (model, variant)
        if key not in cache:
            mdir = os.path.join(fixtures_dir(), model)
            vdir = os.path.join(mdir, variant)
            # int8 SIMD builds have their own graph and params (meta simd_graph_identical).
            graph = os.path.join(vdir, "graph.json")
            params = os.path.join(vdir, "graph.params")
            if not os.path.isfile(graph):
                graph, params = os.path.join(mdir, "graph.json"), os.path.join(mdir, "graph.params")
            so = _fresh_e2e_so(model, variant)
            how = "reused tests/e2e's .so"
            if so is None:
                so = os.path.join(work_dir, variant, f"{model}.so")
                os.makedirs(os.path.dirname(so), exist_ok=True)
                wasmgraph.compile(os.path.join(vdir, "graph.o"), so,
                                  name=re.sub(r"[^A-Za-z0-9_]", "_", model))
                how = "compiled with wasmgraph.compile"
            cache[key] = (so, graph, params, how)
        return cache[key]

    return get


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("model", fixture_folders() or ["(no fixtures)"])
def test_fixture_through_python(compiled, note, model, variant):
    root = require_fixtures()
    mdir = os.path.join(root, model)
    if not os.path.isfile(os.path.join(mdir, variant, "graph.o")):
        pytest.skip(f"SKIP: {model} has no {variant}/graph.o")
    meta = load_meta(mdir)
    so, graph, params, how = compiled(model, variant)
    note(f"{model} {variant}: {how} ({so})")

    m = wasmgraph.load(so, graph, params)
    assert m.input_names == [i["name"] for i in meta["inputs"]]
    for info, want in zip(m.inputs, meta["inputs"]):
        assert (list(info.shape), info.dtype_name) == (want["shape"], want["dtype"])
    assert m.num_outputs == len(meta["outputs"])
    for info, want in zip(m.outputs, meta["outputs"]):
        assert (list(info.shape), info.dtype_name) == (want["shape"], want["dtype"])

    inputs = {i["name"]: np.load(os.path.join(mdir, "inputs", i["name"] + ".npy"))
              for i in meta["inputs"]}
    ex = m.executor(threads=2)
    outs = ex(**inputs)
    assert len(outs) == m.num_outputs
    for i, got in enumerate(outs):
        want = np.load(os.path.join(mdir, "expected", f"{i}.npy"))
        ok, diff, bad = within_tolerance(got, want, meta["atol_by_output"][i], meta["rtol"])
        assert ok, (f"{model} {variant} output {i}: {bad} of {want.size} elements outside "
                    f"atol {meta['atol_by_output'][i]} + rtol {meta['rtol']} (max |diff| {diff:.3g})")
        assert np.array_equal(ex.output_view(i), got)  # the zero-copy view holds the same bits
