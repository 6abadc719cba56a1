"""The Python package as users install it (docs/python.md): `cmake --install`
puts it where the interpreter looks, and `import wasmgraph` then works from
any folder, with no PYTHONPATH, and compiles and runs a model.

Three prefixes, each installed with `--component python` into a temporary
place: a venv made with --system-site-packages (the venv's own site-packages),
~/.local of a temporary HOME (the user site), and /usr/local under DESTDIR
(what `sudo cmake --install build` does), checked against the folders Debian's
python3 searches.
"""

import os
import subprocess

import pytest

from wg_testing import env_path

# Run by the installed package in a fresh interpreter, from another folder.
SMOKE = r"""
import os, sys, numpy as np, wasmgraph
example, work, expect_in = sys.argv[1], sys.argv[2], sys.argv[3]
assert wasmgraph.__file__.startswith(expect_in), wasmgraph.__file__
so = wasmgraph.compile(example, os.path.join(work, "digits.so"))
bundled = os.path.join(os.path.dirname(wasmgraph.__file__), "_lib", "wasm2c.js")
assert os.environ["WASMGRAPH_WASM2C"] == bundled, os.environ.get("WASMGRAPH_WASM2C")
out, = wasmgraph.load(so).executor()(data=np.load(os.path.join(example, "inputs", "data.npy")))
want = np.load(os.path.join(example, "expected", "0.npy"))
assert np.allclose(out, want, rtol=1e-5, atol=1e-6)
print("installed package OK:", wasmgraph.__file__)
"""

PACKAGE_FILES = ["__init__.py", "_native.py", "errors.py", "dtypes.py", "model.py", "executor.py",
                 "compiler.py", "tvm_factory.py", "graph_executor.py", "_lib/libwasmgraph.so",
                 "_lib/libwasmgraph_compiler.so", "_lib/wasm2c.js", "_lib/wasm2c.LICENSE"]


@pytest.fixture(scope="module")
def setup(work_dir, example_dir):
    build, python = env_path("WASMGRAPH_TEST_BUILD_DIR"), env_path("WASMGRAPH_TEST_PYTHON")
    assert build and python, "WASMGRAPH_TEST_BUILD_DIR and WASMGRAPH_TEST_PYTHON must be set"
    return build, python, example_dir


def clean_env(**extra):
    """The caller's environment without anything that would find the build tree's package."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "WASMGRAPH_WASM2C", "PYTHONUSERBASE", "PYTHONNOUSERSITE")}
    env.update(extra)
    return env


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kw)
    assert p.returncode == 0, f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}"
    return p.stdout


def install(build, prefix, env=None):
    return run(["cmake", "--install", build, "--component", "python", "--prefix", prefix],
               env=env or clean_env())


def site_of(install_log):
    for line in install_log.splitlines():
        if "wasmgraph Python package -> " in line:
            pkg = line.split("-> ", 1)[1].strip()
            assert pkg.endswith("/wasmgraph"), line
            return pkg[: -len("/wasmgraph")]
    raise AssertionError(f"no install folder in:\n{install_log}")


def check_files(pkg):
    missing = [f for f in PACKAGE_FILES if not os.path.isfile(os.path.join(pkg, f))]
    assert not missing, f"not installed in {pkg}: {missing}"


def smoke(python, example, work, expect_in, env):
    os.makedirs(work, exist_ok=True)
    out = run([python, "-c", SMOKE, example, work, expect_in], cwd=work, env=env)
    assert "installed package OK" in out


def test_install_into_a_venv(setup, work_dir):
    build, python, example = setup
    venv = os.path.join(work_dir, "venv")
    run([python, "-m", "venv", "--system-site-packages", "--without-pip", venv])
    log = install(build, venv)
    vpy = os.path.join(venv, "bin", "python")
    ver = run([vpy, "-c", "import sys; print('python%d.%d' % sys.version_info[:2])"]).strip()
    pkg = os.path.join(venv, "lib", ver, "site-packages", "wasmgraph")
    assert site_of(log) == os.path.dirname(pkg)
    check_files(pkg)
    smoke(vpy, example, os.path.join(work_dir, "venv_run"), pkg, clean_env())


def test_install_into_user_site(setup, work_dir):
    build, python, example = setup
    home = os.path.join(work_dir, "home")
    log = install(build, os.path.join(home, ".local"))
    env = clean_env(HOME=home)
    user_site = run([python, "-c", "import site; print(site.getusersitepackages())"],
                    env=env).strip()
    assert site_of(log) == user_site
    check_files(os.path.join(user_site, "wasmgraph"))
    smoke(python, example, os.path.join(work_dir, "user_run"), user_site, env)


def test_install_into_usr_local(setup, work_dir):
    """`sudo cmake --install build` (prefix /usr/local), staged under DESTDIR:
    the package lands in a folder that python3 searches by default."""
    build, python, example = setup
    root = os.path.join(work_dir, "root")
    log = install(build, "/usr/local", env=clean_env(DESTDIR=root))
    site = site_of(log)
    searched = run([python, "-c", "import sys; print('\\n'.join(sys.path))"],
                   env=clean_env(), cwd="/").split()
    assert site in searched, f"{site} is not on {python}'s sys.path: {searched}"
    staged = root + site
    check_files(os.path.join(staged, "wasmgraph"))
    smoke(python, example, os.path.join(work_dir, "usr_local_run"), staged,
          clean_env(PYTHONPATH=staged))
