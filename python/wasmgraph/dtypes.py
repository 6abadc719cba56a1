"""numpy dtypes <-> wasmgraph_dtype (DLPack codes, as TVM writes them).

A tensor of ``bits`` bits per element is stored in ceil(bits/8) bytes, so a
graph's ``bool`` (uint1) is numpy's one-byte ``bool``. ``bfloat16`` has no numpy
type: its tensors are exchanged as ``uint16`` holding the raw bits. Vector
dtypes (lanes > 1) and TVM's other codes have no numpy equivalent here.
"""

import numpy as np

from . import _native
from .errors import DtypeMismatchError

INT, UINT, FLOAT, BFLOAT = 0, 1, 2, 4

_NUMPY_KIND = {INT: "i", UINT: "u", FLOAT: "f"}
_CODE_OF_KIND = {"i": INT, "u": UINT, "f": FLOAT}


def to_numpy(code, bits, lanes):
    """The numpy dtype that holds a tensor of this dtype, or None."""
    if lanes != 1:
        return None
    if code == UINT and bits == 1:
        return np.dtype(np.bool_)
    if code == BFLOAT and bits == 16:
        return np.dtype(np.uint16)
    kind = _NUMPY_KIND.get(code)
    if kind is None or bits not in (8, 16, 32, 64) or (kind == "f" and bits == 8):
        return None
    return np.dtype(f"{kind}{bits // 8}").newbyteorder("=")


def for_input(array_dtype, info):
    """The wasmgraph_dtype to declare for an array of ``array_dtype`` given to
    input ``info`` (a TensorInfo); the runtime then checks it against the graph.

    Raises DtypeMismatchError for a numpy dtype that no graph dtype matches
    (object, complex, strings, non-native byte order, ...).
    """
    dt = np.dtype(array_dtype)
    if info.dtype is not None and info.dtype_code == BFLOAT and dt == np.dtype(np.uint16):
        return _native.Dtype(BFLOAT, 16, 1)  # raw bfloat16 bits
    if dt.kind == "b":
        return _native.Dtype(UINT, 1, 1)
    code = _CODE_OF_KIND.get(dt.kind)
    if code is None or not dt.isnative:
        raise DtypeMismatchError(
            f"input '{info.name}': numpy dtype {dt} has no graph dtype, expected {info.dtype_name}")
    return _native.Dtype(code, dt.itemsize * 8, 1)
