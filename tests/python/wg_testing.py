"""Helpers shared by the Python tests (fixtures folders, meta.json's rule)."""

import json
import os

import numpy as np
import pytest


def env_path(name):
    v = os.environ.get(name, "")
    return v or None


def fixtures_dir():
    return env_path("WASMGRAPH_TEST_FIXTURES_DIR")


def fixture_folders():
    """Every model folder (one with meta.json) under the fixtures dir, sorted."""
    d = fixtures_dir()
    if not d or not os.path.isdir(d):
        return []
    return sorted(m for m in os.listdir(d) if os.path.isfile(os.path.join(d, m, "meta.json")))


def require_fixtures():
    d = fixtures_dir()
    if not d or not os.path.isdir(d):
        pytest.skip(f"SKIP: fixtures not found at {d!r}")
    return d


def within_tolerance(got, want, atol, rtol):
    """meta.json's rule (tests/e2e/check_outputs.c): floats pass when
    |got - want| <= atol + rtol * |want| elementwise (NaN fails), integers must be
    equal. Returns (ok, max |diff|, failing count)."""
    assert got.shape == want.shape, f"shape {got.shape} != expected {want.shape}"
    assert got.dtype == want.dtype, f"dtype {got.dtype} != expected {want.dtype}"
    if want.dtype.kind in "iub":
        bad = int(np.count_nonzero(got != want))
        diff = float(np.max(np.abs(got.astype(np.float64) - want.astype(np.float64)), initial=0))
        return bad == 0, diff, bad
    g, w = got.astype(np.float64), want.astype(np.float64)
    d = np.abs(g - w)
    ok = d <= atol + rtol * np.abs(w)
    bad = int(np.count_nonzero(~ok))
    return bad == 0, float(np.nanmax(d, initial=0)) if d.size else 0.0, bad


def load_meta(model_dir):
    with open(os.path.join(model_dir, "meta.json"), encoding="utf-8") as f:
        return json.load(f)
