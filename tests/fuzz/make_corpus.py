#!/usr/bin/env python3
"""make_corpus.py — writes the hand-made seed inputs in corpus/{graph_json,params,npy}.

Every seed is small (< 4 KB) and made here from scratch (never copied from
the TVM fixtures): a few valid files of each format in the shapes TVM and
NumPy write, plus typical invalid ones (truncated, wrong types, wrong
magic, fortran order, ...). Files named regress-* are crashers found by
fuzzing; this script leaves them alone. Re-run after changing a seed:
    python3 tests/fuzz/make_corpus.py
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def write(kind, name, data):
    if isinstance(data, str):
        data = data.encode()
    assert len(data) < 4096, (kind, name, len(data))
    os.makedirs(os.path.join(CORPUS, kind), exist_ok=True)
    with open(os.path.join(CORPUS, kind, name), "wb") as f:
        f.write(data)


# ---- graph.json ------------------------------------------------------------

def op(name, func, inputs, num_outputs=1, key="attrs", extra=None):
    attrs = {"func_name": func, "num_inputs": str(len(inputs)),
             "num_outputs": str(num_outputs), "flatten_data": "0"}
    attrs.update(extra or {})
    return {"op": "tvm_op", "name": name, key: attrs, "inputs": inputs}


def null(name):
    return {"op": "null", "name": name, "inputs": []}


def base_graph():
    return {
        "nodes": [null("x"), null("p0"),
                  op("add", "tvmgen_default_fused_add", [[0, 0, 0], [1, 0, 0]],
                     extra={"hash": "0123456789abcdef"}),
                  op("reshape_nop", "__nop", [[2, 0, 0]])],
        "arg_nodes": [0, 1],
        "heads": [[3, 0, 0]],
        "attrs": {
            "dltype": ["list_str", ["float32"] * 4],
            "device_index": ["list_int", [1] * 4],
            "storage_id": ["list_int", [0, 1, 2, 2]],
            "shape": ["list_shape", [[1, 4], [1, 4], [1, 4], [4]]],
        },
        "node_row_ptr": [0, 1, 2, 3, 4],
    }


def tvm_dump(g):
    # TVM's writer: 2-space indent, ", " item separator with a trailing space.
    return json.dumps(g, indent=2)


def graphs():
    g = base_graph()
    write("graph_json", "valid_small.json", tvm_dump(g))

    g = base_graph()
    g["nodes"][2] = op("add", "f", [[0, 0], [1, 0]], key="attr")
    g["heads"] = [[3, 0]]
    g["metadata"] = {"anything": [1, 2]}
    write("graph_json", "valid_attr_2elem_metadata.json", json.dumps(g, separators=(",", ":")))

    # multi-output nodes, __copy, bool, int64, scalar and zero-size entries
    g = {
        "nodes": [null("ids"), null("features"),
                  op("split", "split2", [[1, 0, 0]], num_outputs=2),
                  op("copy", "__copy", [[2, 1, 0]]),
                  op("take", "take", [[0, 0, 0], [2, 0, 0]], num_outputs=2)],
        "arg_nodes": [0, 1],
        "heads": [[4, 0, 0], [3, 0, 0], [2, 1, 0]],
        "attrs": {
            "dltype": ["list_str", ["int64", "float32", "float32", "float32", "float32",
                                    "uint1", "bool"]],
            "storage_id": ["list_int", [0, 1, 2, 3, 4, 5, 0]],
            "shape": ["list_shape", [[1, 16], [1, 32], [1, 16], [1, 16], [1, 16], [],
                                     [0, 3]]],
            "storage_scope": ["list_str", ["global"] * 6 + [""]],
        },
        "node_row_ptr": [0, 1, 2, 4, 5, 7],
    }
    write("graph_json", "valid_multi_output.json", tvm_dump(g))

    g = base_graph()
    g["nodes"][2]["inputs"][1] = [3, 0, 0]
    write("graph_json", "invalid_forward_ref.json", tvm_dump(g))

    g = base_graph()
    g["node_row_ptr"] = [0, 1, 1, 3, 4]
    write("graph_json", "invalid_row_ptr.json", tvm_dump(g))

    g = base_graph()
    g["attrs"]["dltype"][1][2] = "float31"
    write("graph_json", "invalid_dltype.json", tvm_dump(g))

    g = base_graph()
    g["attrs"]["shape"][1][1] = [4294967296, 4294967296, 4294967296]
    write("graph_json", "invalid_huge_shape.json", tvm_dump(g))

    g = base_graph()
    g["nodes"][2]["attrs"]["func_name"] = 7
    write("graph_json", "invalid_func_name_type.json", tvm_dump(g))

    write("graph_json", "invalid_truncated.json", tvm_dump(base_graph())[:200])
    write("graph_json", "invalid_not_object.json", "[1, 2, 3]")


# ---- graph.params ----------------------------------------------------------

LIST_MAGIC = 0xF7E58D4F05049CB7
TENSOR_MAGIC = 0xDD5E40F096B4A13F


def tensor(code, bits, lanes, shape, data=None, dev=1, size=None):
    n = 1
    for d in shape:
        n *= d
    nbytes = (bits + 7) // 8 * n
    if data is None:
        data = bytes((i * 7 + 3) & 0xFF for i in range(nbytes))
    out = struct.pack("<QQiiiBBH", TENSOR_MAGIC, 0, dev, 0, len(shape), code, bits, lanes)
    out += b"".join(struct.pack("<q", d) for d in shape)
    out += struct.pack("<q", nbytes if size is None else size) + data
    return out


def params_file(items, trailing=b""):
    out = struct.pack("<QQQ", LIST_MAGIC, 0, len(items))
    for name, _ in items:
        out += struct.pack("<Q", len(name)) + name.encode()
    out += struct.pack("<Q", len(items))
    for _, t in items:
        out += t
    return out + trailing


def params():
    two = [("p0", tensor(2, 32, 1, [2, 3])), ("p1", tensor(0, 64, 1, []))]
    write("params", "valid_two.params", params_file(two))
    write("params", "valid_empty.params", params_file([]))
    write("params", "valid_bool_int8_f16.params", params_file([
        ("mask", tensor(1, 1, 1, [5])), ("q", tensor(0, 8, 1, [3, 3])),
        ("h", tensor(2, 16, 1, [1, 2, 2, 1])), ("z", tensor(2, 32, 4, [0, 7]))]))
    write("params", "invalid_device.params",
          params_file([("p0", tensor(2, 32, 1, [2, 3], dev=2))]))
    write("params", "invalid_trailing.params", params_file(two, trailing=b"\0\0\0"))
    write("params", "invalid_size.params",
          params_file([("p0", tensor(2, 32, 1, [2, 3], data=bytes(20), size=20))]))
    write("params", "invalid_truncated.params", params_file(two)[:-5])
    write("params", "invalid_duplicate.params",
          params_file([("p0", tensor(2, 32, 1, [1])), ("p0", tensor(2, 32, 1, [1]))]))
    write("params", "invalid_magic.params", b"\0" * 8 + params_file(two)[8:])


# ---- .npy ------------------------------------------------------------------

def npy(header, data, major=1, pad=True):
    h = header.encode()
    pre = 10 if major == 1 else 12
    if pad:
        total = (pre + len(h) + 1 + 63) // 64 * 64
        h = h + b" " * (total - pre - len(h) - 1) + b"\n"
    head = b"\x93NUMPY" + bytes([major, 0])
    head += struct.pack("<H" if major == 1 else "<I", len(h))
    return head + h + data


def npys():
    f4 = b"".join(struct.pack("<f", 0.5 * i) for i in range(6))
    write("npy", "valid_f4_2x3.npy",
          npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", f4))
    write("npy", "valid_i8_scalar.npy",
          npy("{'descr': '<i8', 'fortran_order': False, 'shape': (), }", struct.pack("<q", -5)))
    write("npy", "valid_b1.npy",
          npy("{'descr': '|b1', 'fortran_order': False, 'shape': (4,), }", b"\1\0\1\1"))
    write("npy", "valid_u1_v2.npy",
          npy("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }", b"abcd", major=2))
    write("npy", "valid_f2_v3_dq.npy",
          npy('{"shape": (3,), "descr": "<f2", "fortran_order": False}', b"\0<\0<\0<", major=3))
    write("npy", "valid_zero_size.npy",
          npy("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 3), }", b""))
    write("npy", "invalid_fortran.npy",
          npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", f4))
    write("npy", "invalid_big_endian.npy",
          npy("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }", f4))
    write("npy", "invalid_truncated_data.npy",
          npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", f4[:-3]))
    write("npy", "invalid_structured.npy",
          npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (6,), }", f4))
    write("npy", "invalid_not_tuple.npy",
          npy("{'descr': '<f4', 'fortran_order': False, 'shape': (6), }", f4))
    write("npy", "invalid_magic.npy", b"PK\x03\x04" + f4)


if __name__ == "__main__":
    graphs()
    params()
    npys()
