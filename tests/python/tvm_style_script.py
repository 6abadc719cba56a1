"""A model check written the way TVM users write them, for test_tvm.py.

test_tvm.py runs this file twice: as it is (TVM's own graph executor, native
code) and with the lines marked "IMPORT" and "CONSTRUCT" replaced, nothing
else, by their wasmgraph versions (see the test). Both runs save the output
they print, and the test compares them.

usage: tvm_style_script.py OUTPUT.npy
"""

import sys

import numpy as np
import tvm
import tvm.relay.testing
from tvm import relay
from tvm.contrib import graph_executor  # IMPORT

mod, params = relay.testing.mlp.get_workload(batch_size=1)
data = np.random.RandomState(7).uniform(-1, 1, size=(1, 1, 28, 28)).astype("float32")
dev = tvm.cpu()

with tvm.transform.PassContext(opt_level=3):
    lib = relay.build(mod, target="llvm", params=params)  # CONSTRUCT
module = graph_executor.GraphModule(lib["default"](dev))  # CONSTRUCT

print("inputs:", module.get_num_inputs(), "outputs:", module.get_num_outputs())
module.set_input("data", tvm.nd.array(data))
module.run()
out = module.get_output(0).numpy()
print("top-1:", int(out.argmax()))
module.run(data=data)
again = module.get_output(0, tvm.nd.empty(out.shape, out.dtype)).numpy()
assert np.array_equal(out, again)
print(module.benchmark(dev, repeat=3, number=5))
np.save(sys.argv[1], out)
