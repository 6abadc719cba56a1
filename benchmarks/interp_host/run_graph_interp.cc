// run_graph_interp.cc — benchmark peer: runs a linked TVM wasm32 graph
// library in wabt's interpreter (Debian libwabt.a, 1.0.32, in process) with
// the same host imports, memory plan and CLI as benchmarks/v8_host/
// run_graph.mjs, and prints the same JSON line with engine "wabt-interp".
//
// Layout in the imported env.memory, above __heap_base, in the order of
// runtime/executor_layout.c: DLTensors (40 B) + int64 shapes, per-node
// TVMValue/tcode/ret slots, penv {0, num_task=1}, sid buffers (64-aligned),
// then a LIFO workspace arena that grows memory on demand. Kernels are called through the exported table with the indices
// the constructor registered; each table slot's type is checked to be
// (i32 x6)->i32 (lambdas (i32 x3)->i32) before use. Parallel lambdas run
// serially on a second interpreter Thread, because a wabt Thread cannot be
// re-entered from a host callback. Every pointer a kernel passes to an import
// is bounds-checked; a bad one becomes a trap, reported with the node name.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <time.h>

#include "wabt/binary-reader.h"
#include "wabt/error-formatter.h"
#include "wabt/feature.h"
#include "wabt/interp/binary-reader-interp.h"
#include "wabt/interp/interp.h"

#include "tvm_graph.h"

using namespace wabt;
using namespace wabt::interp;
namespace fs = std::filesystem;

namespace {

constexpr uint64_t kPage = 65536;
constexpr uint32_t kDLTensorSize = 40;
constexpr int32_t kTVMNullptr = 4;
constexpr int32_t kTVMDLTensorHandle = 7;

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

uint64_t AlignUp(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }

double CRound(double x) { return std::round(x); }  // C round(): half away from zero

struct Op {
  const bench::Node* node = nullptr;
  std::vector<uint64_t> eids;
  uint32_t args = 0, tcodes = 0, rv = 0, rtc = 0;
  Func::Ptr fn;  // empty for __copy
};

class Host {
 public:
  explicit Host(uint64_t workspace_bytes) : workspace_bytes_(workspace_bytes) {}

  void Load(const std::string& wasm_path, const bench::Graph& graph, const std::vector<bench::Tensor>* params);
  void SetInput(const std::string& name, const bench::Tensor& t);
  void CheckInputsSet() const;
  void Run();
  size_t NumOutputs() const { return graph_->heads.size(); }
  const bench::Entry& OutputEntry(size_t i) const { return graph_->entries[graph_->heads[i]]; }
  const uint8_t* OutputData(size_t i) { return Mem() + sid_addr_[OutputEntry(i).sid]; }
  uint64_t workspace_peak() const { return ws_peak_; }

 private:
  uint8_t* Mem() { return memory_->UnsafeData(); }
  uint64_t MemSize() const { return memory_->ByteSize(); }
  bool InRange(uint64_t p, uint64_t n) const { return p <= MemSize() && n <= MemSize() - p; }
  void Put32(uint64_t a, uint32_t v) { std::memcpy(Mem() + a, &v, 4); }
  void Put64(uint64_t a, uint64_t v) { std::memcpy(Mem() + a, &v, 8); }
  std::string ReadCString(uint32_t p) {
    if (p >= MemSize()) throw std::runtime_error("string pointer out of bounds");
    const uint8_t* s = Mem() + p;
    size_t max = std::min<uint64_t>(MemSize() - p, 4096);
    size_t n = 0;
    while (n < max && s[n] != 0) n++;
    if (n == MemSize() - p) throw std::runtime_error("string not NUL-terminated in memory");
    return std::string(reinterpret_cast<const char*>(s), n);
  }
  void Grow(uint64_t need) {
    if (need > MemSize()) {
      uint64_t pages = (need - MemSize() + kPage - 1) / kPage;
      if (Failed(memory_->Grow(pages))) throw std::runtime_error("cannot grow memory to " + std::to_string(need) + " bytes");
    }
  }
  Func::Ptr TableFunc(uint32_t idx, size_t nparams, const std::string& what);
  RefVec BindImports(const Module::Ptr& module);
  HostFunc::Ptr MakeImport(const std::string& name);
  uint32_t WsAlloc(uint64_t nbytes);
  int32_t WsFree(uint32_t p);
  void Plan(uint64_t heap_base);

  uint64_t workspace_bytes_;
  Store store_;
  Memory::Ptr memory_;
  Table::Ptr table_;
  Instance::Ptr instance_;
  std::unique_ptr<Thread> main_thread_, lambda_thread_;
  int lambda_depth_ = 0;
  std::map<std::string, uint32_t> symbols_;
  std::map<uint32_t, Func::Ptr> lambdas_;
  bool ctors_done_ = false;
  std::string last_error_;
  const bench::Graph* graph_ = nullptr;
  std::vector<uint64_t> sid_addr_, tensor_addr_;
  std::vector<Op> ops_;
  std::map<uint64_t, bool> arg_set_;
  uint32_t penv_ = 0;
  uint64_t ws_base_ = 0, ws_top_ = 0, ws_peak_ = 0;
  std::vector<uint64_t> ws_stack_;
};

Result TrapWith(Thread& thread, Trap::Ptr* out_trap, const std::string& msg) {
  *out_trap = Trap::New(thread.store(), msg);
  return Result::Error;
}

// Wraps a host function body that may throw (e.g. a failed bounds check)
// into wabt's trap convention.
HostFunc::Ptr NewHostFunc(Store& store, ValueTypes params, ValueTypes results,
                          std::function<void(const Values&, Values&)> body) {
  size_t nres = results.size();
  return HostFunc::New(store, FuncType(std::move(params), std::move(results)),
                       [body, nres](Thread& thread, const Values& p, Values& r, Trap::Ptr* trap) -> Result {
                         r.resize(nres);
                         try {
                           body(p, r);
                         } catch (const std::exception& e) {
                           return TrapWith(thread, trap, e.what());
                         }
                         return Result::Ok;
                       });
}

HostFunc::Ptr Host::MakeImport(const std::string& name) {
  const ValueType I = Type::I32, L = Type::I64, f = Type::F32, F = Type::F64;
  auto i32 = [](const Values& p, size_t k) { return p[k].Get<u32>(); };
  // Math: native libm, like the wasm2c runtime.
  static const std::map<std::string, float (*)(float)> f1 = {
      {"expf", expf},     {"exp2f", exp2f},   {"expm1f", expm1f}, {"logf", logf},   {"log2f", log2f},
      {"log10f", log10f}, {"log1pf", log1pf}, {"sinf", sinf},     {"cosf", cosf},   {"tanf", tanf},
      {"tanhf", tanhf},   {"sinhf", sinhf},   {"coshf", coshf},   {"asinf", asinf}, {"acosf", acosf},
      {"atanf", atanf},   {"asinhf", asinhf}, {"acoshf", acoshf}, {"atanhf", atanhf}, {"erff", erff},
      {"roundf", roundf}};
  static const std::map<std::string, float (*)(float, float)> f2 = {
      {"powf", powf}, {"atan2f", atan2f}, {"fmodf", fmodf}, {"hypotf", hypotf}, {"nextafterf", nextafterf}};
  static const std::map<std::string, double (*)(double)> d1 = {
      {"exp", exp}, {"exp2", exp2}, {"log", log}, {"log2", log2}, {"log10", log10}, {"sin", sin},
      {"cos", cos}, {"tanh", tanh}, {"erf", erf}, {"round", CRound}};
  static const std::map<std::string, double (*)(double, double)> d2 = {{"pow", pow}, {"fmod", fmod}};
  if (auto it = f1.find(name); it != f1.end()) {
    auto fn = it->second;
    return NewHostFunc(store_, {f}, {f}, [fn](const Values& p, Values& r) { r[0] = Value::Make(fn(p[0].Get<f32>())); });
  }
  if (auto it = f2.find(name); it != f2.end()) {
    auto fn = it->second;
    return NewHostFunc(store_, {f, f}, {f}, [fn](const Values& p, Values& r) {
      r[0] = Value::Make(fn(p[0].Get<f32>(), p[1].Get<f32>()));
    });
  }
  if (auto it = d1.find(name); it != d1.end()) {
    auto fn = it->second;
    return NewHostFunc(store_, {F}, {F}, [fn](const Values& p, Values& r) { r[0] = Value::Make(fn(p[0].Get<f64>())); });
  }
  if (auto it = d2.find(name); it != d2.end()) {
    auto fn = it->second;
    return NewHostFunc(store_, {F, F}, {F}, [fn](const Values& p, Values& r) {
      r[0] = Value::Make(fn(p[0].Get<f64>(), p[1].Get<f64>()));
    });
  }
  if (name == "ldexpf") {
    return NewHostFunc(store_, {f, I}, {f}, [](const Values& p, Values& r) {
      r[0] = Value::Make(ldexpf(p[0].Get<f32>(), static_cast<int>(p[1].Get<s32>())));
    });
  }
  if (name == "memcpy" || name == "memmove") {
    return NewHostFunc(store_, {I, I, I}, {I}, [this, i32, name](const Values& p, Values& r) {
      uint32_t d = i32(p, 0), s = i32(p, 1), n = i32(p, 2);
      if (!InRange(d, n) || !InRange(s, n)) throw std::runtime_error(name + ": out-of-bounds access");
      std::memmove(Mem() + d, Mem() + s, n);
      r[0] = Value::Make(d);
    });
  }
  if (name == "memset") {
    return NewHostFunc(store_, {I, I, I}, {I}, [this, i32](const Values& p, Values& r) {
      uint32_t d = i32(p, 0), v = i32(p, 1), n = i32(p, 2);
      if (!InRange(d, n)) throw std::runtime_error("memset: out-of-bounds access");
      std::memset(Mem() + d, static_cast<int>(v & 0xff), n);
      r[0] = Value::Make(d);
    });
  }
  if (name == "TVMBackendRegisterSystemLibSymbol") {
    return NewHostFunc(store_, {I, I}, {I}, [this, i32](const Values& p, Values& r) {
      if (ctors_done_) {
        r[0] = Value::Make(s32{-1});
        return;
      }
      symbols_[ReadCString(i32(p, 0))] = i32(p, 1);
      r[0] = Value::Make(s32{0});
    });
  }
  if (name == "TVMAPISetLastError") {
    return NewHostFunc(store_, {I}, {}, [this, i32](const Values& p, Values&) { last_error_ = ReadCString(i32(p, 0)); });
  }
  if (name == "TVMBackendAllocWorkspace") {
    return NewHostFunc(store_, {I, I, L, I, I}, {I}, [this](const Values& p, Values& r) {
      r[0] = Value::Make(WsAlloc(p[2].Get<u64>()));
    });
  }
  if (name == "TVMBackendFreeWorkspace") {
    return NewHostFunc(store_, {I, I, I}, {I}, [this, i32](const Values& p, Values& r) {
      r[0] = Value::Make(WsFree(i32(p, 2)));
    });
  }
  if (name == "TVMBackendParallelLaunch") {
    return NewHostFunc(store_, {I, I, I}, {I}, [this, i32](const Values& p, Values& r) {
      uint32_t f_idx = i32(p, 0), cdata = i32(p, 1);
      auto it = lambdas_.find(f_idx);
      if (it == lambdas_.end()) it = lambdas_.emplace(f_idx, TableFunc(f_idx, 3, "parallel lambda")).first;
      if (lambda_depth_ > 0) throw std::runtime_error("nested TVMBackendParallelLaunch");
      lambda_depth_++;
      Values args = {Value::Make(u32{0}), Value::Make(penv_), Value::Make(cdata)}, res;
      Trap::Ptr trap;
      Result ok = it->second->Call(*lambda_thread_, args, res, &trap);
      lambda_depth_--;
      if (Failed(ok)) throw std::runtime_error("in parallel lambda: " + (trap ? trap->message() : std::string("trap")));
      if (res.at(0).Get<s32>() != 0) {
        last_error_ = "Task 0 error: " + last_error_;
        r[0] = Value::Make(s32{-1});
        return;
      }
      r[0] = Value::Make(s32{0});
    });
  }
  if (name == "TVMBackendParallelBarrier") {
    return NewHostFunc(store_, {I, I}, {I}, [](const Values&, Values& r) { r[0] = Value::Make(s32{0}); });
  }
  if (name == "TVMBackendGetFuncFromEnv") {
    return NewHostFunc(store_, {I, I, I}, {I}, [this, i32](const Values& p, Values& r) {
      last_error_ = "TVMBackendGetFuncFromEnv(" + ReadCString(i32(p, 1)) + "): packed callbacks are not supported by this peer";
      r[0] = Value::Make(s32{-1});
    });
  }
  if (name == "TVMFuncCall") {
    return NewHostFunc(store_, {I, I, I, I, I, I}, {I}, [this](const Values&, Values& r) {
      last_error_ = "TVMFuncCall: packed callbacks are not supported by this peer";
      r[0] = Value::Make(s32{-1});
    });
  }
  return HostFunc::Ptr();
}

RefVec Host::BindImports(const Module::Ptr& module) {
  RefVec imports;
  for (const ImportDesc& imp : module->desc().imports) {
    const std::string full = imp.type.module + "." + imp.type.name;
    if (imp.type.module != "env") throw std::runtime_error("unsupported import " + full);
    if (imp.type.type->kind == ExternKind::Memory) {
      if (imp.type.name != "memory") throw std::runtime_error("unsupported memory import " + full);
      const Limits& lim = cast<MemoryType>(imp.type.type.get())->limits;
      memory_ = Memory::New(store_, MemoryType(lim));
      imports.push_back(memory_.ref());
    } else if (imp.type.type->kind == ExternKind::Func) {
      HostFunc::Ptr hf = MakeImport(imp.type.name);
      if (!hf) throw std::runtime_error("no host implementation for import " + full);
      imports.push_back(hf.ref());
    } else {
      throw std::runtime_error("unsupported import " + full);
    }
  }
  if (!memory_) throw std::runtime_error("module does not import env.memory (link with --import-memory)");
  return imports;
}

Func::Ptr Host::TableFunc(uint32_t idx, size_t nparams, const std::string& what) {
  if (idx >= table_->size()) throw std::runtime_error(what + ": table index " + std::to_string(idx) + " out of range");
  Ref ref = table_->UnsafeGet(idx);
  if (ref == Ref::Null) throw std::runtime_error(what + ": table slot " + std::to_string(idx) + " is empty");
  Func::Ptr fn = store_.UnsafeGet<Func>(ref);
  const FuncType& ft = fn->type();
  bool ok = ft.params.size() == nparams && ft.results.size() == 1 && ft.results[0] == Type::I32;
  for (const ValueType& t : ft.params) ok = ok && t == Type::I32;
  if (!ok) throw std::runtime_error(what + ": table slot " + std::to_string(idx) + " has the wrong function type");
  return fn;
}

uint32_t Host::WsAlloc(uint64_t nbytes) {
  uint64_t size = AlignUp(std::max<uint64_t>(nbytes, 1), 64);
  uint64_t p = ws_top_;
  if (size > 0x100000000ull || p + size > 0x100000000ull) {
    last_error_ = "TVMBackendAllocWorkspace(" + std::to_string(nbytes) + "): wasm32 address space exhausted";
    return 0;
  }
  try {
    Grow(p + size);
  } catch (const std::exception& e) {
    last_error_ = std::string("TVMBackendAllocWorkspace: ") + e.what();
    return 0;
  }
  ws_stack_.push_back(p);
  ws_top_ = p + size;
  ws_peak_ = std::max(ws_peak_, ws_top_ - ws_base_);
  return static_cast<uint32_t>(p);
}

int32_t Host::WsFree(uint32_t p) {
  if (ws_stack_.empty() || ws_stack_.back() != p) {
    last_error_ = "TVMBackendFreeWorkspace(" + std::to_string(p) + "): not the most recent allocation";
    return -1;
  }
  ws_stack_.pop_back();
  ws_top_ = p;
  return 0;
}

void Host::Load(const std::string& wasm_path, const bench::Graph& graph, const std::vector<bench::Tensor>* params) {
  graph_ = &graph;
  std::vector<uint8_t> bytes = bench::ReadFileBytes(wasm_path);
  Errors errors;
  ModuleDesc desc;
  Features features;  // wabt 1.0.32 defaults: MVP + mutable globals, sign-ext, sat-conv, SIMD, bulk memory, ...
  ReadBinaryOptions options(features, nullptr, false, true, false);
  if (Failed(ReadBinaryInterp(wasm_path, bytes.data(), bytes.size(), options, &errors, &desc))) {
    std::string msg = wasm_path + ": cannot load:";
    for (const Error& e : errors) msg += " " + e.message;
    throw std::runtime_error(msg);
  }
  Module::Ptr module = Module::New(store_, std::move(desc));
  RefVec imports = BindImports(module);
  Trap::Ptr trap;
  instance_ = Instance::Instantiate(store_, module.ref(), imports, &trap);
  if (!instance_) throw std::runtime_error("instantiation failed: " + (trap ? trap->message() : std::string("?")));
  main_thread_ = std::make_unique<Thread>(store_);
  lambda_thread_ = std::make_unique<Thread>(store_);

  Func::Ptr ctors;
  uint64_t heap_base = 0;
  bool have_heap_base = false;
  const auto& exports = module->export_types();
  for (size_t i = 0; i < exports.size(); i++) {
    Ref ref = instance_->exports()[i];
    if (exports[i].name == "__indirect_function_table" && exports[i].type->kind == ExternKind::Table) {
      table_ = store_.UnsafeGet<Table>(ref);
    } else if (exports[i].name == "__wasm_call_ctors" && exports[i].type->kind == ExternKind::Func) {
      ctors = store_.UnsafeGet<Func>(ref);
    } else if (exports[i].name == "__heap_base" && exports[i].type->kind == ExternKind::Global) {
      heap_base = store_.UnsafeGet<Global>(ref)->Get().Get<u32>();
      have_heap_base = true;
    }
  }
  if (!table_) throw std::runtime_error("module does not export __indirect_function_table (link with --export-table)");
  if (!ctors || !have_heap_base) throw std::runtime_error("module does not export __wasm_call_ctors and __heap_base");
  Values none, res;
  if (Failed(ctors->Call(*main_thread_, none, res, &trap))) {
    throw std::runtime_error("__wasm_call_ctors trapped: " + (trap ? trap->message() : std::string("?")));
  }
  ctors_done_ = true;
  if (symbols_.count("_lookup_linked_param")) throw std::runtime_error("linked params are not supported by this peer");
  Plan(heap_base);
  if (params) {
    for (const bench::Tensor& t : *params) {
      auto it = std::find_if(graph.arg_nodes.begin(), graph.arg_nodes.end(),
                             [&](uint64_t nid) { return graph.nodes[nid].name == t.name; });
      if (it == graph.arg_nodes.end()) continue;  // C++ LoadParams ignores unknown names
      const bench::Entry& en = graph.entries[graph.row_ptr[*it]];
      if (!(t.dt == en.dt)) throw std::runtime_error("param " + t.name + ": dtype differs from graph.json");
      if (t.data.size() != en.bytes) throw std::runtime_error("param " + t.name + ": size differs from graph.json");
      std::memcpy(Mem() + sid_addr_[en.sid], t.data.data(), t.data.size());
      arg_set_[*it] = true;
    }
  }
}

void Host::Plan(uint64_t heap_base) {
  const bench::Graph& g = *graph_;
  uint64_t p = AlignUp(heap_base, 64);
  for (const bench::Entry& en : g.entries) {
    tensor_addr_.push_back(p);
    p += kDLTensorSize + 8 * en.shape.size();
  }
  for (const bench::Node& n : g.nodes) {
    if (n.op != "tvm_op" || n.func == "__nop") continue;
    Op op;
    op.node = &n;
    op.eids = n.inputs;
    for (uint64_t i = 0; i < n.nout; i++) op.eids.push_back(g.row_ptr[&n - g.nodes.data()] + i);
    op.args = static_cast<uint32_t>(p);
    p += 8 * op.eids.size();
    op.tcodes = static_cast<uint32_t>(p);
    p = AlignUp(p + 4 * op.eids.size(), 8);
    op.rv = static_cast<uint32_t>(p);
    op.rtc = static_cast<uint32_t>(p + 8);
    p += 16;
    ops_.push_back(std::move(op));
  }
  penv_ = static_cast<uint32_t>(p);
  p += 8;
  for (uint64_t b : g.sid_bytes) {
    p = AlignUp(p, 64);
    sid_addr_.push_back(p);
    p += std::max<uint64_t>(b, 1);
  }
  ws_base_ = ws_top_ = AlignUp(p, 64);
  uint64_t need = ws_base_ + workspace_bytes_;
  if (need > 0x100000000ull) throw std::runtime_error("graph needs more memory than wasm32 can address");
  Grow(need);

  for (size_t e = 0; e < g.entries.size(); e++) {
    const bench::Entry& en = g.entries[e];
    uint64_t a = tensor_addr_[e];
    std::memset(Mem() + a, 0, kDLTensorSize);
    Put32(a + 0, static_cast<uint32_t>(sid_addr_[en.sid]));
    Put32(a + 4, 1);  // kDLCPU
    Put32(a + 8, 0);
    Put32(a + 12, static_cast<uint32_t>(en.shape.size()));
    Mem()[a + 16] = en.dt.code;
    Mem()[a + 17] = en.dt.bits;
    std::memcpy(Mem() + a + 18, &en.dt.lanes, 2);
    Put32(a + 20, static_cast<uint32_t>(a + kDLTensorSize));
    for (size_t k = 0; k < en.shape.size(); k++) Put64(a + kDLTensorSize + 8 * k, static_cast<uint64_t>(en.shape[k]));
  }
  Put32(penv_, 0);
  Put32(penv_ + 4, 1);
  for (Op& op : ops_) {
    const bench::Node& n = *op.node;
    if (n.func == "__copy") {
      if (n.inputs.size() != 1 || n.nout != 1) throw std::runtime_error("node " + n.name + ": __copy needs 1 input, 1 output");
      continue;
    }
    auto it = symbols_.find(n.func);
    if (it == symbols_.end()) throw std::runtime_error("node " + n.name + ": function " + n.func + " is not registered");
    op.fn = TableFunc(it->second, 6, "node " + n.name + " (" + n.func + ")");
    for (size_t i = 0; i < op.eids.size(); i++) {
      Put64(op.args + 8 * i, tensor_addr_[op.eids[i]]);
      Put32(op.tcodes + 4 * i, kTVMDLTensorHandle);
    }
  }
  for (uint64_t nid : g.arg_nodes) arg_set_[nid] = false;
}

void Host::SetInput(const std::string& name, const bench::Tensor& t) {
  const bench::Graph& g = *graph_;
  auto it = std::find_if(g.arg_nodes.begin(), g.arg_nodes.end(), [&](uint64_t nid) { return g.nodes[nid].name == name; });
  if (it == g.arg_nodes.end()) throw std::runtime_error("no graph input named '" + name + "'");
  const bench::Entry& en = g.entries[g.row_ptr[*it]];
  std::string want = bench::DescrForDtype(en.dtype);
  if (t.descr != want) throw std::runtime_error("input " + name + ": .npy has " + t.descr + ", graph wants " + want);
  if (t.data.size() != en.bytes) throw std::runtime_error("input " + name + ": shape does not match the graph");
  std::memcpy(Mem() + sid_addr_[en.sid], t.data.data(), t.data.size());
  arg_set_[*it] = true;
}

void Host::CheckInputsSet() const {
  std::string missing;
  for (const auto& [nid, set] : arg_set_) {
    if (!set) missing += (missing.empty() ? "" : ", ") + graph_->nodes[nid].name;
  }
  if (!missing.empty()) throw std::runtime_error("inputs not set: " + missing);
}

void Host::Run() {
  for (Op& op : ops_) {
    const bench::Node& n = *op.node;
    if (!op.fn) {  // __copy
      const bench::Entry& s = graph_->entries[op.eids[0]];
      const bench::Entry& d = graph_->entries[op.eids[1]];
      std::memmove(Mem() + sid_addr_[d.sid], Mem() + sid_addr_[s.sid], std::min(s.bytes, d.bytes));
      continue;
    }
    Put32(op.rtc, static_cast<uint32_t>(kTVMNullptr));
    last_error_.clear();
    Values args = {Value::Make(op.args),   Value::Make(op.tcodes),
                   Value::Make(static_cast<u32>(op.eids.size())), Value::Make(op.rv),
                   Value::Make(op.rtc),    Value::Make(u32{0})};
    Values res;
    Trap::Ptr trap;
    if (Failed(op.fn->Call(*main_thread_, args, res, &trap))) {
      throw std::runtime_error("node " + n.name + " (" + n.func + ") trapped: " + (trap ? trap->message() : std::string("?")));
    }
    s32 rc = res.at(0).Get<s32>();
    if (rc != 0) {
      throw std::runtime_error("node " + n.name + " (" + n.func + ") returned " + std::to_string(rc) + ": " +
                               (last_error_.empty() ? "(no message)" : last_error_));
    }
    if (!ws_stack_.empty()) throw std::runtime_error("node " + n.name + " left workspace blocks allocated");
  }
}

// ---- CLI --------------------------------------------------------------------------

const char kUsage[] =
    "usage: run_graph_interp --wasm MODEL.wasm (--fixture DIR | --graph graph.json\n"
    "                        [--params graph.params] --input [NAME=]FILE.npy ...)\n"
    "                        [--warmup N] [--repeat N] [--output-dir DIR] [--model NAME]\n"
    "                        [--workspace-mb N] [--engine wabt-interp]\n"
    "\n"
    "Runs a TVM wasm32 graph library linked by benchmarks/link_wasm.sh in wabt's\n"
    "interpreter (libwabt " WABT_VERSION_STRING ") and prints one JSON line, like run_graph.mjs:\n"
    "{model, engine, median_ms, min_ms, max_ms, mean_ms, runs, warmup, times_ms, ...}\n"
    "\n"
    "  --fixture DIR     take graph.json, graph.params and inputs/*.npy from DIR\n"
    "  --input N=F       set graph input N from .npy file F (N defaults to F's stem)\n"
    "  --warmup N        untimed runs first (default 1)\n"
    "  --repeat N        timed runs (default 3)\n"
    "  --output-dir DIR  write output_<i>.npy after the last run\n"
    "  --workspace-mb N  initial workspace arena (default 16; grows on demand)\n"
    "\n"
    "Exit status: 0 ok, 1 load or run failure, 2 usage error.\n";

struct Options {
  std::string wasm, graph, params, fixture, model, output_dir, engine = "wabt-interp";
  std::vector<std::string> inputs;
  long warmup = 1, repeat = 3, workspace_mb = 16;
};

long ParseCount(const std::string& opt, const std::string& v, long min) {
  char* end = nullptr;
  long x = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || x < min || x > 1000000) {
    throw UsageError("--" + opt + " must be an integer >= " + std::to_string(min));
  }
  return x;
}

Options ParseArgs(int argc, char** argv, bool* help) {
  Options o;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a.rfind("--", 0) != 0) throw UsageError("unexpected argument '" + a + "'");
    std::string name = a.substr(2), val;
    bool has_val = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      val = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_val = true;
    }
    if (name == "help") {
      *help = true;
      continue;
    }
    static const char* const with_arg[] = {"wasm", "graph", "params", "input", "fixture", "model",
                                            "warmup", "repeat", "output-dir", "engine", "workspace-mb"};
    if (std::find_if(std::begin(with_arg), std::end(with_arg), [&](const char* s) { return name == s; }) ==
        std::end(with_arg)) {
      throw UsageError("unknown option --" + name);
    }
    if (!has_val) {
      if (i + 1 >= argc) throw UsageError("--" + name + " needs a value");
      val = argv[++i];
    }
    if (name == "wasm") o.wasm = val;
    else if (name == "graph") o.graph = val;
    else if (name == "params") o.params = val;
    else if (name == "input") o.inputs.push_back(val);
    else if (name == "fixture") o.fixture = val;
    else if (name == "model") o.model = val;
    else if (name == "output-dir") o.output_dir = val;
    else if (name == "warmup") o.warmup = ParseCount(name, val, 0);
    else if (name == "repeat") o.repeat = ParseCount(name, val, 1);
    else if (name == "workspace-mb") o.workspace_mb = ParseCount(name, val, 0);
    else if (name == "engine") {
      if (val != "wabt-interp") throw UsageError("--engine must be wabt-interp");
      o.engine = val;
    }
  }
  return o;
}

std::string FormatMs(double ms) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4f", ms);
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

int Main(int argc, char** argv) {
  bool help = false;
  Options o = ParseArgs(argc, argv, &help);
  if (help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (o.wasm.empty()) throw UsageError("--wasm is required");
  if (o.graph.empty()) {
    if (o.fixture.empty()) throw UsageError("--graph (or --fixture) is required");
    o.graph = (fs::path(o.fixture) / "graph.json").string();
  }
  if (o.params.empty() && !o.fixture.empty() && fs::exists(fs::path(o.fixture) / "graph.params")) {
    o.params = (fs::path(o.fixture) / "graph.params").string();
  }
  std::vector<std::pair<std::string, std::string>> inputs;
  for (const std::string& s : o.inputs) {
    size_t eq = s.find('=');
    if (eq != std::string::npos && eq > 0) inputs.emplace_back(s.substr(0, eq), s.substr(eq + 1));
    else inputs.emplace_back(fs::path(s).stem().string(), s);
  }
  if (inputs.empty() && !o.fixture.empty() && fs::is_directory(fs::path(o.fixture) / "inputs")) {
    std::vector<fs::path> files;
    for (const auto& de : fs::directory_iterator(fs::path(o.fixture) / "inputs")) {
      if (de.path().extension() == ".npy") files.push_back(de.path());
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) inputs.emplace_back(f.stem().string(), f.string());
  }
  if (o.model.empty()) {
    if (!o.fixture.empty()) {  // "a/b/" normalises to "a/b/" whose filename is empty
      fs::path fp = fs::path(o.fixture).lexically_normal();
      o.model = fp.has_filename() ? fp.filename().string() : fp.parent_path().filename().string();
    } else {
      o.model = fs::path(o.wasm).stem().string();
    }
  }

  using Clock = std::chrono::steady_clock;
  auto ms_since = [](Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); };
  auto t0 = Clock::now();
  std::vector<uint8_t> gbytes = bench::ReadFileBytes(o.graph);
  bench::Graph graph = bench::ParseGraph(std::string(gbytes.begin(), gbytes.end()));
  std::vector<bench::Tensor> params;
  if (!o.params.empty()) params = bench::ParseParams(bench::ReadFileBytes(o.params));
  Host host(static_cast<uint64_t>(o.workspace_mb) << 20);
  host.Load(o.wasm, graph, o.params.empty() ? nullptr : &params);
  for (const auto& [name, path] : inputs) host.SetInput(name, bench::ReadNpy(path));
  host.CheckInputsSet();
  double load_ms = ms_since(t0);

  auto t1 = Clock::now();
  for (long i = 0; i < o.warmup; i++) host.Run();
  double warmup_ms = ms_since(t1);
  // Process CPU time per run besides wall time: on a shared machine the wall
  // clock also counts time slices lost to other processes.
  auto cpu_ms = [] {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
  };
  std::vector<double> times, cpu;
  for (long i = 0; i < o.repeat; i++) {
    double c = cpu_ms();
    auto s = Clock::now();
    host.Run();
    times.push_back(ms_since(s));
    cpu.push_back(cpu_ms() - c);
  }

  if (!o.output_dir.empty()) {
    fs::create_directories(o.output_dir);
    for (size_t i = 0; i < host.NumOutputs(); i++) {
      const bench::Entry& en = host.OutputEntry(i);
      bench::WriteNpy((fs::path(o.output_dir) / ("output_" + std::to_string(i) + ".npy")).string(),
                      bench::DescrForDtype(en.dtype), en.shape, host.OutputData(i), en.bytes);
    }
  }

  auto median_of = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    size_t k = v.size();
    return k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
  };
  std::vector<double> sorted = times;
  std::sort(sorted.begin(), sorted.end());
  size_t n = sorted.size();
  double median = median_of(times);
  double mean = 0;
  for (double t : times) mean += t / static_cast<double>(n);
  std::string tl;
  for (size_t i = 0; i < n; i++) tl += (i ? "," : "") + FormatMs(times[i]);
  std::printf(
      "{\"model\":%s,\"engine\":\"wabt-interp\",\"median_ms\":%s,\"min_ms\":%s,\"max_ms\":%s,\"mean_ms\":%s,"
      "\"cpu_median_ms\":%s,\"cpu_min_ms\":%s,\"runs\":%ld,\"warmup\":%ld,\"times_ms\":[%s],\"load_ms\":%s,\"warmup_total_ms\":%s,"
      "\"workspace_peak_bytes\":%llu,\"threads\":1,\"wabt\":\"%s\"}\n",
      JsonString(o.model).c_str(), FormatMs(median).c_str(), FormatMs(sorted[0]).c_str(), FormatMs(sorted[n - 1]).c_str(),
      FormatMs(mean).c_str(), FormatMs(median_of(cpu)).c_str(), FormatMs(*std::min_element(cpu.begin(), cpu.end())).c_str(),
      o.repeat, o.warmup, tl.c_str(), FormatMs(load_ms).c_str(), FormatMs(warmup_ms).c_str(),
      static_cast<unsigned long long>(host.workspace_peak()), WABT_VERSION_STRING);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "run_graph_interp: %s\nTry 'run_graph_interp --help'.\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "run_graph_interp: error: %s\n", e.what());
    return 1;
  }
}
