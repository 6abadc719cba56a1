// tvm_graph.h — readers for graph.json (json-c), graph.params and .npy, and
// the storage plan, for the wabt interpreter benchmark peer. They mirror
// benchmarks/v8_host/tvm_files.mjs and npy.mjs so that both peers run the
// same plan (docs/tvm-wasm-abi.md §7, §8, §10). Every reader throws
// std::runtime_error with a message on malformed input.
#ifndef WASMGRAPH_BENCH_TVM_GRAPH_H
#define WASMGRAPH_BENCH_TVM_GRAPH_H

#include <cstdint>
#include <string>
#include <vector>

namespace bench {

struct DType {
  uint8_t code = 0, bits = 0;
  uint16_t lanes = 1;
  bool operator==(const DType& o) const {
    return code == o.code && bits == o.bits && lanes == o.lanes;
  }
};

struct Entry {
  std::vector<int64_t> shape;
  std::string dtype;  // graph.json spelling
  DType dt;
  uint64_t sid = 0;
  uint64_t bytes = 0;  // ceil(bits*lanes/8) * prod(shape)
};

struct Node {
  std::string op, name, func;    // func only for tvm_op
  std::vector<uint64_t> inputs;  // entry ids
  uint64_t nout = 1;
};

struct Graph {
  std::vector<Node> nodes;
  std::vector<uint64_t> arg_nodes, heads, row_ptr;  // heads are entry ids
  std::vector<Entry> entries;
  std::vector<uint64_t> sid_bytes;
};

struct Tensor {  // a param or .npy array: raw little-endian element bytes
  std::string name, descr;
  DType dt;
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;
};

DType ParseDType(const std::string& s);
Graph ParseGraph(const std::string& text);
std::vector<Tensor> ParseParams(const std::vector<uint8_t>& buf);

std::string DescrForDtype(const std::string& dtype);
Tensor ReadNpy(const std::string& path);
void WriteNpy(const std::string& path, const std::string& descr, const std::vector<int64_t>& shape,
              const uint8_t* data, size_t size);

std::vector<uint8_t> ReadFileBytes(const std::string& path);

}  // namespace bench

#endif
