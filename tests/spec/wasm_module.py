"""wasm_module.py: reads what the spec harness needs from a wasm binary.

Only the sections up to the export section are decoded: types, imports,
functions, tables, memories, globals and exports. That is enough to write
the glue thunks (each export's wasm type), to describe imports for the
runner's link check, and to notice SIMD (v128) types. Anything unexpected
raises WasmError; the harness turns that into a failure for that module,
never into a silent skip.

Types use the letters of spec_abi.h: i I f F r x (and 'v' for v128).
"""

VALTYPES = {0x7F: 'i', 0x7E: 'I', 0x7D: 'f', 0x7C: 'F', 0x7B: 'v', 0x70: 'r', 0x6F: 'x'}


class WasmError(Exception):
    pass


class Reader:
    def __init__(self, data, pos=0, end=None):
        self.data = data
        self.pos = pos
        self.end = len(data) if end is None else end

    def byte(self):
        if self.pos >= self.end:
            raise WasmError('unexpected end at %d' % self.pos)
        b = self.data[self.pos]
        self.pos += 1
        return b

    def bytes(self, n):
        if n > self.end - self.pos:
            raise WasmError('unexpected end at %d' % self.pos)
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def uleb(self):
        result = shift = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return result
            if shift > 63:
                raise WasmError('LEB128 too long')

    def name(self):
        return self.bytes(self.uleb())

    def valtype(self):
        b = self.byte()
        if b not in VALTYPES:
            raise WasmError('unknown value type 0x%02x' % b)
        return VALTYPES[b]

    def limits(self):
        flags = self.byte()
        if flags not in (0, 1):
            raise WasmError('unsupported limits flags 0x%02x' % flags)
        lo = self.uleb()
        hi = self.uleb() if flags == 1 else None
        return lo, hi

    def skip_const_expr(self):
        while True:
            op = self.byte()
            if op == 0x0B:
                return
            if op in (0x41, 0x42, 0x23, 0xD2):   # i32/i64.const, global.get, ref.func
                self.uleb()
            elif op == 0x43:
                self.bytes(4)
            elif op == 0x44:
                self.bytes(8)
            elif op == 0xD0:                       # ref.null t
                self.byte()
            elif op == 0xFD:                       # v128.const
                self.uleb()
                self.bytes(16)
            elif op in (0x6A, 0x6B, 0x6C, 0x7C, 0x7D, 0x7E):  # extended-const
                pass
            else:
                raise WasmError('unsupported opcode 0x%02x in constant expression' % op)


class Import:
    def __init__(self, module, field, kind, desc):
        self.module = module   # bytes
        self.field = field     # bytes
        self.kind = kind       # 'func' 'table' 'memory' 'global'
        self.desc = desc       # func: (params, results); table: (elem, lo, hi);
                               # memory: (lo, hi); global: (type, mutable)


class Export:
    def __init__(self, name, kind, desc):
        self.name = name
        self.kind = kind
        self.desc = desc


class Module:
    def __init__(self):
        self.types = []        # [(params str, results str)]
        self.imports = []
        self.funcs = []        # type index per function, imports first
        self.tables = []       # (elem, lo, hi)
        self.memories = []     # (lo, hi)
        self.globals = []      # (type, mutable)
        self.exports = []

    def uses_simd(self):
        return any('v' in p + r for p, r in self.types) or \
            any(t == 'v' for t, _ in self.globals)


KINDS = {0: 'func', 1: 'table', 2: 'memory', 3: 'global'}


def parse(data):
    if data[:4] != b'\0asm' or data[4:8] != b'\x01\0\0\0':
        raise WasmError('not a wasm 1.0 binary')
    m = Module()
    r = Reader(data, 8)
    while r.pos < r.end:
        sid = r.byte()
        size = r.uleb()
        s = Reader(data, r.pos, r.pos + size)
        if s.end > r.end:
            raise WasmError('section %d runs past the end' % sid)
        r.pos += size
        if sid == 1:
            for _ in range(s.uleb()):
                if s.byte() != 0x60:
                    raise WasmError('unsupported type form')
                params = ''.join(s.valtype() for _ in range(s.uleb()))
                results = ''.join(s.valtype() for _ in range(s.uleb()))
                m.types.append((params, results))
        elif sid == 2:
            for _ in range(s.uleb()):
                mod, field, kind = s.name(), s.name(), s.byte()
                if kind == 0:
                    ti = s.uleb()
                    if ti >= len(m.types):
                        raise WasmError('import type index out of range')
                    m.funcs.append(ti)
                    desc = m.types[ti]
                elif kind == 1:
                    elem = s.valtype()
                    desc = (elem,) + s.limits()
                    m.tables.append(desc)
                elif kind == 2:
                    desc = s.limits()
                    m.memories.append(desc)
                elif kind == 3:
                    desc = (s.valtype(), s.byte() == 1)
                    m.globals.append(desc)
                else:
                    raise WasmError('unsupported import kind %d' % kind)
                m.imports.append(Import(mod, field, KINDS[kind], desc))
        elif sid == 3:
            for _ in range(s.uleb()):
                m.funcs.append(s.uleb())
        elif sid == 4:
            for _ in range(s.uleb()):
                elem = s.valtype()
                m.tables.append((elem,) + s.limits())
        elif sid == 5:
            for _ in range(s.uleb()):
                m.memories.append(s.limits())
        elif sid == 6:
            for _ in range(s.uleb()):
                m.globals.append((s.valtype(), s.byte() == 1))
                s.skip_const_expr()
        elif sid == 7:
            for _ in range(s.uleb()):
                name, kind, idx = s.name(), s.byte(), s.uleb()
                if kind == 0:
                    if idx >= len(m.funcs) or m.funcs[idx] >= len(m.types):
                        raise WasmError('export function index out of range')
                    desc = m.types[m.funcs[idx]]
                elif kind == 1:
                    desc = m.tables[idx]
                elif kind == 2:
                    desc = m.memories[idx]
                elif kind == 3:
                    desc = m.globals[idx]
                else:
                    raise WasmError('unsupported export kind %d' % kind)
                m.exports.append(Export(name, KINDS[kind], desc))
            break   # nothing after the export section is needed
    return m
