"""Shared fixtures of the Python tests (tests/python/CMakeLists.txt runs them).

Environment, set by ctest:
  WASMGRAPH_TEST_WORK_DIR      scratch folder of this ctest entry (emptied first)
  WASMGRAPH_TEST_EXAMPLE_DIR   the repo's tiny_digits model folder (build tree)
  WASMGRAPH_TEST_PROBE_WASM    modules/probe.wat assembled at build time
  WASMGRAPH_TEST_FIXTURES_DIR  ../shared/fixtures (absent: visible SKIP)
  WASMGRAPH_TEST_TVM_DIR       ../shared/tvm (absent: visible SKIP)
  WASMGRAPH_TEST_E2E_DIR       tests/e2e's build folder: .so files it compiled
  WASMGRAPH_TEST_CLI           the wasmgraph CLI that compiled them

Exit status: pytest's, except that a session in which nothing passed exits
77 (ctest SKIP) when tests were skipped, and 1 when nothing ran at all.
"""

import os
import shutil
import struct
import sys

import numpy as np
import pytest

import wasmgraph
from wg_testing import env_path


def _work_root():
    root = env_path("WASMGRAPH_TEST_WORK_DIR")
    if not root:
        pytest.exit("WASMGRAPH_TEST_WORK_DIR is not set (run these tests through ctest)", 2)
    return root


@pytest.fixture(scope="session")
def work_dir():
    root = _work_root()
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    return root


# ---- models every session has ------------------------------------------------

@pytest.fixture(scope="session")
def example_dir():
    d = env_path("WASMGRAPH_TEST_EXAMPLE_DIR")
    assert d and os.path.isfile(os.path.join(d, "graph.o")), \
        f"the example model folder is missing: {d!r} (build target example_tiny_digits)"
    return d


@pytest.fixture(scope="session")
def example_so(work_dir, example_dir):
    """tiny_digits compiled once from its folder (graph and params embedded)."""
    return wasmgraph.compile(example_dir, os.path.join(work_dir, "digits.so"), name="digits")


@pytest.fixture(scope="session")
def example_input(example_dir):
    return np.load(os.path.join(example_dir, "inputs", "data.npy"))


@pytest.fixture(scope="session")
def example_expected(example_dir):
    return np.load(os.path.join(example_dir, "expected", "0.npy"))


EMPTY_PARAMS = struct.pack("<QQQQ", 0xF7E58D4F05049CB7, 0, 0, 0)  # a param dict with no entries


@pytest.fixture(scope="session")
def probe(work_dir):
    """modules/probe.wat compiled: (so, graph.json, params) paths."""
    wasm = env_path("WASMGRAPH_TEST_PROBE_WASM")
    assert wasm and os.path.isfile(wasm), f"probe.wasm is missing: {wasm!r}"
    so = wasmgraph.compile(wasm, os.path.join(work_dir, "probe.so"))
    params = os.path.join(work_dir, "probe.params")
    with open(params, "wb") as f:
        f.write(EMPTY_PARAMS)
    graph = os.path.join(os.path.dirname(os.path.abspath(__file__)), "modules", "probe.json")
    return so, graph, params


# ---- TVM (../shared/tvm) -------------------------------------------------------

@pytest.fixture(scope="session")
def tvm():
    d = env_path("WASMGRAPH_TEST_TVM_DIR")
    py = os.path.join(d, "python") if d else None
    if not py or not os.path.isdir(py):
        pytest.skip(f"SKIP: TVM not found at {d!r}")
    os.environ.setdefault("TOPHUB_LOCATION", "NONE")  # no network: no tuning logs
    if py not in sys.path:
        sys.path.insert(0, py)
    import tvm as tvm_module
    return tvm_module


# ---- notes, SKIP lines and the zero-checks rule ----------------------------------

_NOTES = []


@pytest.fixture
def note():
    """note(line): printed once at the end of the session (where a model came from)."""
    return _NOTES.append


def pytest_terminal_summary(terminalreporter):
    for line in _NOTES:
        terminalreporter.write_line(line)
    reasons = []
    for rep in terminalreporter.stats.get("skipped", []):
        reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
        reason = reason.replace("Skipped: ", "", 1)
        if reason not in reasons:
            reasons.append(reason)
    for reason in reasons:
        terminalreporter.write_line(reason if reason.startswith("SKIP") else f"SKIP: {reason}")


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    stats = reporter.stats if reporter else {}
    passed = len([r for r in stats.get("passed", []) if r.when == "call"])
    if exitstatus == 0 and passed == 0:
        skipped = len(stats.get("skipped", []))
        session.exitstatus = 77 if skipped else 1
        if reporter:
            reporter.ensure_newline()
            reporter.write_line("no test passed: " + ("every test was skipped (SKIP)" if skipped
                                                      else "FAIL: zero checks ran"))
    elif exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = 1
