"""gen_glue.py: the harness glue C for one module translated by wasm2c.

module_glue() returns C that defines `const wgs_module wgs_module_<idx>`
(spec_abi.h): the instance size, an instantiate function that passes the
registered instances of the imported modules in the order wasm2c's
Z_<name>_instantiate expects them, and one uniform thunk per export.
run_wast.py puts the glue of all modules of a .wast in one translation unit
beside the unmodified wasm2c outputs, as a model's descriptor glue sits
beside its <NAME>_w2c.c.

C symbol names follow wasm2c 1.0.32's MangleName: "Z_" then each byte kept
if it is an ASCII letter or digit other than 'Z', or '_', else "Z%02X".
Every symbol computed here is checked against the generated header, so a
mismatch is reported as a harness error rather than a link failure.
"""

import re

UNION = {'i': 'i32', 'I': 'i64', 'f': 'f32', 'F': 'f64', 'r': 'funcref', 'x': 'externref'}
MULTI = {'i': 'i', 'I': 'j', 'f': 'f', 'F': 'd'}


class GlueError(Exception):
    pass


def mangle(name):
    if isinstance(name, str):
        name = name.encode('utf-8')
    out = ['Z_']
    for c in name:
        ch = chr(c)
        if (c < 128 and ch.isalnum() and ch != 'Z') or ch == '_':
            out.append(ch)
        else:
            out.append('Z%02X' % c)
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


def module_glue(idx, c_name, header_text, mod):
    """C text defining wgs_module_<idx>; raises GlueError on a mismatch."""
    m = mangle(c_name)
    inst_t = m + '_instance_t'
    decl = re.search(r'void %s_instantiate\(%s\*((?:, struct \w+\*)*)\);' %
                     (re.escape(m), re.escape(inst_t)), header_text)
    if not decl:
        raise GlueError('wasm2c header lacks %s_instantiate' % m)
    imported_structs = re.findall(r'struct (\w+)\*', decl.group(1))
    by_struct = {}
    for imp in mod.imports:
        by_struct[mangle(imp.module) + '_instance_t'] = imp.module
    p = 'm%d_' % idx
    out = []
    kind_enum = {'func': 'WGS_FUNC', 'table': 'WGS_TABLE', 'memory': 'WGS_MEMORY',
                 'global': 'WGS_GLOBAL'}
    entries = []
    for k, e in enumerate(mod.exports):
        sym = m + mangle(e.name)
        if not re.search(r'\b%s\(' % re.escape(sym), header_text):
            raise GlueError('wasm2c header lacks export %s' % sym)
        call = get = 'NULL'
        if e.kind == 'func':
            params, results = e.desc
            args = ', '.join(['(%s*)inst' % inst_t] +
                             ['a[%d].%s' % (i, UNION[t]) for i, t in enumerate(params)])
            body = '%s(%s)' % (sym, args)
            if not results:
                body = '  %s;\n' % body
            elif len(results) == 1:
                body = '  r[0].%s = %s;\n' % (UNION[results], body)
            else:
                if any(t not in MULTI for t in results):
                    raise GlueError('multi-value result with reference types: %r' % results)
                struct = 'wasm_multi_' + ''.join(MULTI[t] for t in results)
                body = '  struct %s t = %s;\n' % (struct, body) + ''.join(
                    '  r[%d].%s = t.%s%d;\n' % (i, UNION[t], MULTI[t], i)
                    for i, t in enumerate(results))
            out.append('static void %scall%d(void *inst, const wgs_val *a, wgs_val *r) {\n'
                       '  (void)a;\n  (void)r;\n%s}\n' % (p, k, body))
            call = '%scall%d' % (p, k)
        else:
            out.append('static void *%sget%d(void *inst) {\n  return (void *)%s((%s*)inst);\n}\n'
                       % (p, k, sym, inst_t))
            get = '%sget%d' % (p, k)
        entries.append('  {%s, %du, %s, "%s", %s, %s},\n' % (
            c_bytes(e.name), len(e.name), kind_enum[e.kind], export_type(e), call, get))
    inst_args = ['(%s*)inst' % inst_t]
    for s in imported_structs:
        if s not in by_struct:
            raise GlueError('cannot map %s to an imported module name' % s)
        name = by_struct[s]
        inst_args.append('(struct %s*)lookup(user, %s, %du)' % (s, c_bytes(name), len(name)))
    out.append('static void %sinstantiate(void *inst, wgs_lookup_fn lookup, void *user) {\n'
               '  (void)lookup;\n  (void)user;\n'
               '  %s_init_module();\n  %s_instantiate(%s);\n}\n'
               % (p, m, m, ', '.join(inst_args)))
    out.append('static void %sfree(void *inst) { %s_free((%s*)inst); }\n' % (p, m, inst_t))
    if entries:
        out.append('static const wgs_export %sexports[] = {\n%s};\n' % (p, ''.join(entries)))
    out.append('const wgs_module wgs_module_%d = {"%s", sizeof(%s), %sinstantiate, %sfree, '
               '%du, %s};\n' % (idx, c_name, inst_t, p, p, len(entries),
                                p + 'exports' if entries else 'NULL'))
    return ''.join(out)
