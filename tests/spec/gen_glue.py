"""gen_glue.py: the harness glue C for one module translated by wasm2c 1.0.39.

module_glue() returns C that defines `const wgs_module wgs_module_<idx>`
(spec_abi.h): the instance size, an instantiate function that passes the
registered instances of the imported modules in the order wasm2c's
wasm2c_<M>_instantiate expects them, and one uniform thunk per export.
run_wast.py puts the glue of all modules of a .wast in one translation unit
beside the unmodified wasm2c outputs, as a model's descriptor glue sits
beside its <NAME>_w2c.c.

Names are read from the generated header, not recomputed: the module's C
prefix from `void wasm2c_<M>_instantiate(w2c_<M>*, struct w2c_<X>*...)`,
and each export's symbol from the declaration under its
`/* export: '<name>' */` comment. wasm2c writes those in the order of the
module's export section; the count, the (sanitized) names and the
declaration's shape are checked against the binary, so any mismatch is a
GlueError (reported for that module) rather than a link failure or a call
through the wrong prototype. mangle() (wasm2c 1.0.39's CWriter::Mangle) is
only used to tell which `struct w2c_<X>` parameter stands for which
imported module name, and that mapping is checked to cover every parameter.
"""

import re

# spec_abi.h letters -> wgs_val members; wasm2c's multi-value field letters.
UNION = {'i': 'i32', 'I': 'i64', 'f': 'f32', 'F': 'f64', 'r': 'funcref', 'x': 'externref',
         'v': 'v128'}
MULTI = {'i': 'i', 'I': 'j', 'f': 'f', 'F': 'd', 'v': 'o', 'r': 'r', 'x': 'e'}
C_TYPE = {'i': 'u32', 'I': 'u64', 'f': 'f32', 'F': 'f64', 'v': 'v128',
          'r': 'wasm_rt_funcref_t', 'x': 'wasm_rt_externref_t'}


class GlueError(Exception):
    pass


def mangle(name, module_name=False):
    """wasm2c 1.0.39's CWriter::Mangle: MangleModuleName when module_name."""
    if isinstance(name, str):
        name = name.encode('utf-8')
    out = []
    state = 'any'
    last_us = False
    for i, c in enumerate(name):
        if state == 'any':
            state = 'zero' if c == 0x30 else 'any'
        elif state == 'zero':
            state = 'zerox' if c == 0x78 else 'any'
        elif state == 'zerox':
            state = 'hex' if (0x30 <= c <= 0x39 or 0x41 <= c <= 0x46) else 'any'
        ch = chr(c)
        if state == 'hex' or (ch == '_' and (i == 0 or i == len(name) - 1 or last_us)):
            out.append('0x%02X' % c)      # rules 1 and 2
            last_us, state = False, 'any'
        elif module_name and ch == '_':
            out.append('__')              # rule 3
            last_us = True
        elif c < 128 and (ch.isalnum() or ch == '_'):
            out.append(ch)                # rule 4
            last_us = ch == '_'
        else:
            out.append('0x%02X' % c)
            last_us, state = False, 'any'
    return ''.join(out)


def sanitize_comment(name):
    """wasm2c's SanitizeForComment: how an export name appears in the header."""
    out = []
    for c in name:
        if c < 0x20 or c > 0x7E or c in (0x3F, 0x2F):   # control, non-ASCII, '?', '/'
            out.append('\\%02X' % c)
        else:
            out.append(chr(c))
    return ''.join(out)


def c_bytes(b):
    """A C string literal holding exactly the bytes b (octal escapes)."""
    return '"' + ''.join('\\%03o' % c for c in b) + '"'


def func_type(params, results):
    return params + '>' + results


def export_type(e):
    if e.kind == 'func':
        return func_type(*e.desc)
    if e.kind == 'global':
        t, mut = e.desc
        return ('m' if mut else '') + t
    if e.kind == 'table':
        return e.desc[0]
    return ''


def header_prefix(header_text):
    """(M, [X...]): the mangled module name and the imported instance structs."""
    decl = re.search(r'^void wasm2c_(\w+)_instantiate\(w2c_(\w+)\*((?:, struct w2c_\w+\*)*)\);$',
                     header_text, re.M)
    if not decl or decl.group(1) != decl.group(2):
        raise GlueError('wasm2c header lacks wasm2c_<M>_instantiate(w2c_<M>*, ...)')
    return decl.group(1), re.findall(r'struct (w2c_\w+)\*', decl.group(3))


def header_exports(header_text):
    """[(comment name, declaration)] in header order."""
    return re.findall(r"^/\* export: '(.*)' \*/\n(.+)$", header_text, re.M)


def expected_decl(kind, desc, inst_t):
    """A regex the export's declaration must match, with the symbol as group 1."""
    if kind == 'func':
        params, results = desc
        if not results:
            ret = 'void'
        elif len(results) == 1:
            ret = C_TYPE[results]
        else:
            ret = 'struct wasm_multi_' + ''.join(MULTI[t] for t in results)
        args = ''.join(', ' + C_TYPE[t] for t in params)
        return r'%s (w2c_\w+)\(%s\*%s\);' % (re.escape(ret), inst_t, re.escape(args))
    if kind == 'global':
        ret = C_TYPE[desc[0]] + '*'
    elif kind == 'memory':
        ret = 'wasm_rt_memory_t*'
    else:
        ret = 'wasm_rt_funcref_table_t*' if desc[0] == 'r' else 'wasm_rt_externref_table_t*'
    return r'%s (w2c_\w+)\(%s\* instance\);' % (re.escape(ret), inst_t)


def call_thunk(name, sym, inst_t, params, results):
    """C for `static void name(void *inst, const wgs_val *a, wgs_val *r)`."""
    pre, args = [], ['(%s*)inst' % inst_t]
    for i, t in enumerate(params):
        if t == 'v':   # wgs_val holds v128 as bytes; SIMDe's v128 is a vector type
            pre.append('  v128 p%d;\n  memcpy(&p%d, a[%d].v128, 16);\n' % (i, i, i))
            args.append('p%d' % i)
        else:
            args.append('a[%d].%s' % (i, UNION[t]))
    call = '%s(%s)' % (sym, ', '.join(args))
    if not results:
        body = '  %s;\n' % call
    elif len(results) == 1:
        if results == 'v':
            body = '  v128 t = %s;\n  memcpy(r[0].v128, &t, 16);\n' % call
        else:
            body = '  r[0].%s = %s;\n' % (UNION[results], call)
    else:
        struct = 'wasm_multi_' + ''.join(MULTI[t] for t in results)
        body = '  struct %s t = %s;\n' % (struct, call)
        for i, t in enumerate(results):
            field = '%s%d' % (MULTI[t], i)
            if t == 'v':
                body += '  memcpy(r[%d].v128, &t.%s, 16);\n' % (i, field)
            else:
                body += '  r[%d].%s = t.%s;\n' % (i, UNION[t], field)
    return ('static void %s(void *inst, const wgs_val *a, wgs_val *r) {\n'
            '  (void)a;\n  (void)r;\n%s%s}\n' % (name, ''.join(pre), body))


def module_glue(idx, c_name, header_text, mod, aliases=()):
    """C text defining wgs_module_<idx> (and wgs_module_<a> for each alias:
    another module of the .wast with the same binary, run as its own instance
    of this code); raises GlueError on a mismatch."""
    m, structs = header_prefix(header_text)
    inst_t = 'w2c_' + m
    decls = header_exports(header_text)
    if len(decls) != len(mod.exports):
        raise GlueError('wasm2c header declares %d exports, the module has %d' %
                        (len(decls), len(mod.exports)))
    p = 'm%d_' % idx
    out = []
    kind_enum = {'func': 'WGS_FUNC', 'table': 'WGS_TABLE', 'memory': 'WGS_MEMORY',
                 'global': 'WGS_GLOBAL'}
    entries = []
    for k, (e, (comment, decl)) in enumerate(zip(mod.exports, decls)):
        if comment != sanitize_comment(e.name):
            raise GlueError('export #%d is %r in the header, %r in the module' %
                            (k, comment, e.name))
        dm = re.fullmatch(expected_decl(e.kind, e.desc, inst_t), decl)
        if not dm:
            raise GlueError('export %r: unexpected declaration %r' % (comment, decl))
        sym = dm.group(1)
        call = get = 'NULL'
        if e.kind == 'func':
            out.append(call_thunk('%scall%d' % (p, k), sym, inst_t, *e.desc))
            call = '%scall%d' % (p, k)
        else:
            out.append('static void *%sget%d(void *inst) {\n  return (void *)%s((%s*)inst);\n}\n'
                       % (p, k, sym, inst_t))
            get = '%sget%d' % (p, k)
        entries.append('  {%s, %du, %s, "%s", %s, %s},\n' % (
            c_bytes(e.name), len(e.name), kind_enum[e.kind], export_type(e), call, get))
    by_struct = {}
    for imp in mod.imports:
        by_struct['w2c_' + mangle(imp.module, module_name=True)] = imp.module
    inst_args = ['(%s*)inst' % inst_t]
    for s in structs:
        if s not in by_struct:
            raise GlueError('cannot map struct %s to an imported module name' % s)
        name = by_struct[s]
        inst_args.append('(struct %s*)lookup(user, %s, %du)' % (s, c_bytes(name), len(name)))
    if len(set(structs)) != len(by_struct):
        raise GlueError('instantiate takes %d imported instances for %d imported modules' %
                        (len(set(structs)), len(by_struct)))
    out.append('static void %sinstantiate(void *inst, wgs_lookup_fn lookup, void *user) {\n'
               '  (void)lookup;\n  (void)user;\n'
               '  wasm2c_%s_instantiate(%s);\n}\n' % (p, m, ', '.join(inst_args)))
    out.append('static void %sfree(void *inst) { wasm2c_%s_free((%s*)inst); }\n' % (p, m, inst_t))
    if entries:
        out.append('static const wgs_export %sexports[] = {\n%s};\n' % (p, ''.join(entries)))
    for i in (idx,) + tuple(aliases):
        if i != idx:
            out.append('extern const wgs_module wgs_module_%d;\n' % i)
        out.append('const wgs_module wgs_module_%d = {"%s", sizeof(%s), %sinstantiate, %sfree, '
                   '%du, %s};\n' % (i, c_name, inst_t, p, p, len(entries),
                                    p + 'exports' if entries else 'NULL'))
    return ''.join(out)
