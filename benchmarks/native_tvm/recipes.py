"""recipes.py — each fixture model rebuilt as a Relay module in TVM 0.14.

The fixtures in ../shared/fixtures hold TVM's wasm32 output (graph.o,
graph.json, graph.params), not the Relay module it came from. To time TVM's
native build of the *same* model, every fixture needs a recipe that produces
that Relay module again. native_tvm.py proves each recipe by building it for
the fixture's own wasm32 target and comparing graph.json and graph.params
with the fixture's (`verify`); docs/benchmarks.md lists which recipes match
byte for byte.

A recipe is a function (fixture_dir) -> Recipe. Models without a named
recipe fall back to `model.onnx` in the fixture folder when there is one, so
a new ONNX fixture needs no code here. Recipes that re-create random
weights do it with the seeds and steps that reproduce the fixture's params
(found by comparing with them); the tiny hand-written models (lenet,
multi_io) read their weights back from the fixture's graph.params instead,
undoing TVM's weight packing, which moves values without changing them.

Only Debian packages are used: python3-onnx, and python3-torch with
python3-torchvision for resnet18 and mobilenet_v2_qnn. Imports are local to
each recipe so that a machine without torch can still run the ONNX ones.
"""

import io
import os
from dataclasses import dataclass, field

import numpy as np

INPUT_SHAPE = (1, 3, 224, 224)


@dataclass
class Recipe:
    mod: object            # tvm.IRModule
    params: dict           # name -> numpy array or tvm NDArray (may be empty)
    route: str             # one line: how the module is made
    onnx_bytes: bytes = None   # the same model as ONNX, for ONNX Runtime (when the recipe made one)
    notes: list = field(default_factory=list)


class NoRecipe(Exception):
    pass


def _onnx_module(onnx_model, shape):
    from tvm import relay

    # freeze_params=True: the weights become constants, as in the fixtures'
    # own build (their graph.params are what relay.build bound from them).
    mod, params = relay.frontend.from_onnx(onnx_model, shape=shape, freeze_params=True)
    return mod, params


def from_fixture_onnx(fixture):
    """Generic route: the fixture's own model.onnx through relay.frontend.from_onnx."""
    import onnx

    path = os.path.join(fixture, "model.onnx")
    if not os.path.exists(path):
        raise NoRecipe(f"{fixture}: no recipe for this model and no model.onnx")
    model = onnx.load(path)
    shape = _input_shapes(fixture)
    mod, params = _onnx_module(model, shape)
    return Recipe(mod, params, "relay.frontend.from_onnx(model.onnx, freeze_params=True)")


def _input_shapes(fixture):
    import json

    with open(os.path.join(fixture, "meta.json")) as f:
        meta = json.load(f)
    return {i["name"]: tuple(i["shape"]) for i in meta["inputs"]}


def _fixture_params(fixture):
    from tvm import relay

    with open(os.path.join(fixture, "graph.params"), "rb") as f:
        return {k: v.numpy() for k, v in relay.load_param_dict(f.read()).items()}


# TVM's x86/wasm schedules pack weights; these undo the packing exactly.
def _unpack_conv_nchwc(p):
    """OIHW{i}i{o}o (O/o, I/i, H, W, i, o) -> OIHW."""
    oo, ii, h, w, i, o = p.shape
    return np.ascontiguousarray(p.transpose(0, 5, 1, 4, 2, 3).reshape(oo * o, ii * i, h, w))


def _unpack_dense(p):
    """dense_pack weight (N/n, K, n) -> (N, K)."""
    no, k, n = p.shape
    return np.ascontiguousarray(p.transpose(0, 2, 1).reshape(no * n, k))


def squeezenet1_1(fixture):
    r = from_fixture_onnx(fixture)
    r.notes.append("model.onnx: torchvision squeezenet1_1, random weights, exported by PyTorch 1.13")
    return r


def mobilenet_v2(fixture):
    r = from_fixture_onnx(fixture)
    r.notes.append("model.onnx: torchvision mobilenet_v2, random weights, exported by PyTorch 1.13")
    return r


def _resnet18_onnx_bytes():
    import torch
    import torchvision

    torch.manual_seed(0)
    model = torchvision.models.resnet18().eval()
    buf = io.BytesIO()
    torch.onnx.export(model, torch.randn(*INPUT_SHAPE), buf, input_names=["data"],
                      output_names=["output"], opset_version=13)
    return buf.getvalue()


def resnet18(fixture):
    """torchvision resnet18 with torch.manual_seed(0) weights, exported to ONNX
    (opset 13, input "data") and imported like the other ONNX fixtures."""
    import onnx

    data = _resnet18_onnx_bytes()
    mod, params = _onnx_module(onnx.load_from_string(data), {"data": INPUT_SHAPE})
    return Recipe(mod, params, "torch.manual_seed(0); torchvision resnet18() -> torch.onnx.export(opset 13) "
                  "-> relay.frontend.from_onnx", onnx_bytes=data)


def squeezenet1_1_int8(fixture):
    """squeezenet1_1's model.onnx through relay.quantize with the default
    qconfig (global_scale 8.0, power-of-two weight scales, first conv and
    dense layers kept in float)."""
    from tvm import relay

    src = os.path.join(os.path.dirname(os.path.abspath(fixture)), "squeezenet1_1")
    base = from_fixture_onnx(src)
    with relay.quantize.qconfig():
        mod = relay.quantize.quantize(base.mod, base.params)
    return Recipe(mod, {}, "squeezenet1_1/model.onnx -> from_onnx -> relay.quantize.quantize(qconfig())")


def mobilenet_v2_qnn(fixture):
    """PyTorch post-training static quantization (qnnpack, per-tensor) of
    torchvision's quantizable mobilenet_v2, imported through the QNN dialect.

    The steps reproduce the fixture's params: seed 0; four training-mode
    passes over random batches of 8 so that batch-norm statistics are not
    the trivial defaults (otherwise every fused bias is zero); fuse;
    per-tensor MinMax observers over the full uint8 range (reduce_range off,
    as qnnpack wants); calibrate on one random batch of 8; convert; trace."""
    import torch
    import torchvision
    from torch.ao.quantization import QConfig, default_weight_observer
    from torch.ao.quantization.observer import MinMaxObserver
    from tvm import relay

    # Batch-norm statistics come from parallel reductions whose rounding
    # depends on the thread count; the fixture was made with one thread.
    torch.set_num_threads(1)
    torch.backends.quantized.engine = "qnnpack"
    torch.manual_seed(0)
    model = torchvision.models.quantization.mobilenet_v2(weights=None, quantize=False)
    model.train()
    with torch.no_grad():
        for _ in range(4):
            model(torch.randn(8, *INPUT_SHAPE[1:]))
    model.eval()
    model.fuse_model()
    model.qconfig = QConfig(activation=MinMaxObserver.with_args(reduce_range=False),
                            weight=default_weight_observer)
    torch.ao.quantization.prepare(model, inplace=True)
    with torch.no_grad():
        model(torch.randn(8, *INPUT_SHAPE[1:]))
    torch.ao.quantization.convert(model, inplace=True)
    script = torch.jit.trace(model, torch.randn(*INPUT_SHAPE)).eval()
    mod, params = relay.frontend.from_pytorch(script, [("data", INPUT_SHAPE)])
    return Recipe(mod, params, "torchvision quantizable mobilenet_v2 (seed 0, BN warm-up 4x8) -> fuse -> "
                  "PTQ qnnpack per-tensor MinMax (1x8 random batch) -> jit.trace -> relay.frontend.from_pytorch")


def mlp(fixture):
    """tvm.relay.testing.mlp with its own seeded initializer (seed 0)."""
    from tvm.relay import testing

    mod, params = testing.mlp.get_workload(batch_size=1)
    return Recipe(mod, params, "tvm.relay.testing.mlp.get_workload(batch_size=1)")


def lenet(fixture):
    """LeNet-5 written in Relay; weights read back from the fixture."""
    from tvm import relay

    p = _fixture_params(fixture)
    data = relay.var("data", shape=(1, 1, 28, 28), dtype="float32")
    w1, w2 = relay.var("w1"), relay.var("w2")
    w3, b3, w4 = relay.var("w3"), relay.var("b3"), relay.var("w4")
    x = relay.nn.relu(relay.nn.conv2d(data, w1, channels=6, kernel_size=(5, 5)))
    x = relay.nn.max_pool2d(x, pool_size=(2, 2), strides=(2, 2))
    x = relay.nn.relu(relay.nn.conv2d(x, w2, channels=16, kernel_size=(5, 5)))
    x = relay.nn.avg_pool2d(x, pool_size=(2, 2), strides=(2, 2))
    x = relay.nn.batch_flatten(x)
    x = relay.nn.relu(relay.nn.bias_add(relay.nn.dense(x, w3, units=120), b3))
    x = relay.nn.softmax(relay.nn.dense(x, w4, units=10))
    params = {"w1": _unpack_conv_nchwc(p["p0"]), "w2": _unpack_conv_nchwc(p["p1"]),
              "w3": _unpack_dense(p["p2"]), "b3": p["p3"].reshape(-1), "w4": _unpack_dense(p["p4"])}
    mod = _module(x)
    return Recipe(mod, params, "Relay LeNet-5 (conv-relu-maxpool-conv-relu-avgpool-dense-relu-dense-softmax), "
                  "weights unpacked from the fixture's graph.params")


def multi_io(fixture):
    """Two inputs, two outputs: embedding take, mean, add, dense+tanh,
    sigmoid and argmax. Weights read back from the fixture."""
    from tvm import relay

    p = _fixture_params(fixture)
    ids = relay.var("ids", shape=(1, 16), dtype="int64")
    feats = relay.var("features", shape=(1, 32), dtype="float32")
    table, w = relay.var("table"), relay.var("w")
    x = relay.mean(relay.take(table, ids, axis=0), axis=1)
    h = relay.tanh(relay.nn.dense(relay.add(x, feats), w, units=32))
    out = relay.Tuple([relay.sigmoid(h), relay.argmax(h, axis=1)])
    params = {"table": p["p0"], "w": _unpack_dense(p["p1"])}
    mod = _module(out)
    return Recipe(mod, params, "Relay take-mean-add-dense-tanh -> (sigmoid, argmax), weights unpacked from "
                  "the fixture's graph.params")


def _module(expr):
    import tvm
    from tvm import relay

    return tvm.IRModule.from_expr(relay.Function(relay.analysis.free_vars(expr), expr))


RECIPES = {
    "squeezenet1_1": squeezenet1_1,
    "mobilenet_v2": mobilenet_v2,
    "resnet18": resnet18,
    "squeezenet1_1_int8": squeezenet1_1_int8,
    "mobilenet_v2_qnn": mobilenet_v2_qnn,
    "mlp": mlp,
    "lenet": lenet,
    "multi_io": multi_io,
}


def load(fixture):
    """The Recipe for the fixture folder: a named recipe, else its model.onnx."""
    name = os.path.basename(os.path.normpath(fixture))
    return RECIPES.get(name, from_fixture_onnx)(fixture)
