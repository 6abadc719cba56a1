"""Executors on Python threads: run() releases the GIL, and two executors
running at once on two threads compute what they compute alone."""

import os
import threading

import numpy as np

import wasmgraph

SPIN = 60_000_000  # probe.wat: x >= 1e6 iterates xorshift32 x times (a long kernel)


def xorshift32(n):
    r = 1
    for _ in range(n):
        r ^= (r << 13) & 0xFFFFFFFF
        r ^= r >> 17
        r ^= (r << 5) & 0xFFFFFFFF
    return r - (1 << 32) if r >= 1 << 31 else r


def test_probe_spin_is_exact(probe):
    so, graph, params = probe
    ex = wasmgraph.load(so, graph, params).executor(threads=1)
    assert ex(x=np.array([1_000_000, 1, 2, 4], np.int32))[0].tolist() == \
        [xorshift32(1_000_000), 1000, 500, 250]


def test_run_releases_the_gil(probe):
    """While one thread is inside run(), this thread keeps executing Python.

    With the GIL held for the whole call, the counter below could only move in
    the instants around the call; it moves through all of it. The check counts
    loop iterations, not time.
    """
    so, graph, params = probe
    ex = wasmgraph.load(so, graph, params).executor(threads=1)
    x = np.array([SPIN, 1, 1, 1], np.int32)
    state = {"in_run": False, "done": False, "result": None, "error": None}

    def worker():
        try:
            state["in_run"] = True
            state["result"] = ex(x=x)[0]
        except BaseException as e:  # reported below
            state["error"] = e
        finally:
            state["done"] = True

    t = threading.Thread(target=worker)
    t.start()
    while not state["in_run"]:
        pass
    spins = 0
    while not state["done"]:
        spins += 1
    t.join()
    assert state["error"] is None, state["error"]
    assert state["result"][1:].tolist() == [1000, 1000, 1000]
    assert spins > 100_000, f"only {spins} Python iterations ran during run(): GIL held?"


def _hammer(ex, inputs, wants, rounds, failures, start):
    start.wait()
    try:
        for r in range(rounds):
            for x, want in zip(inputs, wants):
                got = ex(data=x)[0]
                if not np.array_equal(got, want):
                    failures.append(f"round {r}: output differs from the serial run")
                    return
    except BaseException as e:
        failures.append(repr(e))


def test_two_executors_on_two_threads(example_so, example_input):
    m = wasmgraph.load(example_so)
    rng = np.random.default_rng(1)
    inputs = [example_input] + [rng.standard_normal(example_input.shape).astype(np.float32)
                                for _ in range(3)]
    ref = m.executor(threads=1)
    wants = [ref(data=x)[0] for x in inputs]
    assert len({w.tobytes() for w in wants}) == len(wants)  # distinct answers to mix up
    a, b = m.executor(threads=1), m.executor(threads=1)
    failures, start = [], threading.Barrier(2)
    threads = [threading.Thread(target=_hammer, args=(a, inputs, wants, 300, failures, start)),
               threading.Thread(target=_hammer, args=(b, inputs[::-1], wants[::-1], 300, failures,
                                                      start))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_trap_on_one_thread_leaves_the_other_alone(probe, example_so, example_input):
    so, graph, params = probe
    trapping = wasmgraph.load(so, graph, params).executor(threads=1)
    digits = wasmgraph.load(example_so).executor(threads=1)
    want = digits(data=example_input)[0]
    traps, failures, start = [], [], threading.Barrier(2)

    def trapper():
        start.wait()
        for i in range(200):
            try:
                trapping(x=np.array([1, 2, 0, i % 3 + 1], np.int32))
                failures.append("no trap")
            except wasmgraph.TrapError as e:
                traps.append(e.trap)

    t1 = threading.Thread(target=trapper)
    t2 = threading.Thread(target=_hammer,
                          args=(digits, [example_input], [want], 400, failures, start))
    t1.start()
    t2.start()
    t1.join()
    t2.join()
    assert failures == []
    assert traps == [wasmgraph.TrapKind.DIVIDE_BY_ZERO] * 200


def test_one_executor_shared_by_threads_serialises(example_so, example_input):
    """An executor serves one thread at a time: calls from several threads
    wait for each other, and each call's inputs give that call's outputs."""
    ex = wasmgraph.load(example_so).executor(threads=1)
    rng = np.random.default_rng(2)
    inputs = [rng.standard_normal(example_input.shape).astype(np.float32) for _ in range(3)]
    wants = [ex(data=x)[0] for x in inputs]
    failures, start = [], threading.Barrier(3)
    threads = [threading.Thread(target=_hammer, args=(ex, [inputs[i]], [wants[i]], 200, failures,
                                                      start)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_compiles_on_two_threads(work_dir, example_dir, example_input, example_expected):
    """compile() releases the GIL too; two at once give two working models."""
    outs = [os.path.join(work_dir, f"parallel_{i}.so") for i in range(2)]
    errors, start = [], threading.Barrier(2)

    def build(out):
        start.wait()
        try:
            wasmgraph.compile(example_dir, out)
        except BaseException as e:
            errors.append(repr(e))

    threads = [threading.Thread(target=build, args=(o,)) for o in outs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for o in outs:
        got = wasmgraph.load(o).executor(threads=1)(data=example_input)[0]
        np.testing.assert_allclose(got, example_expected, rtol=1e-5, atol=1e-6)
