#!/usr/bin/env python3
"""run_wast.py: one WebAssembly spec .wast through wasmgraph's pipeline.

  run_wast.py --wast F.wast --work DIR --spec-cc EXE --runner EXE
              --abi-header spec_abi.h --wasm2c SCRIPT [--node NODE]
              --results OUT.json [--opt N] [--cpu CPU] [--no-batch]

Steps:
 1. wast2json F.wast (Debian wabt 1.0.32, the version the testsuite copy is
    pinned to) -> command list + one .wasm per module.
 2. Every module that is instantiated (module, assert_uninstantiable) is
    translated with the product's wasm2c, wabt 1.0.39 run by node
    (`node SCRIPT -n NAME in.wasm -o out.c`, the argv of compiler/translate/translate.c),
    and compiled with spec_cc, i.e. the compiler library's own stages: the
    memory rewrite of memory_rewrite.c where it applies, then
    wgc_cc_compile_translated (clang flags, WASM_RT_* configuration, SIMDe
    fixups for SIMD modules, the load-barrier pruning of load_barriers.c) and
    wgc_cc_link_shared: exactly what a model's <NAME>_w2c.c gets. NAME is the
    name the module is registered under (imports from it are C symbols
    w2c_<NAME>_<field>), else wast_m<idx>. Modules of the .wast with
    identical binaries that are not registered are translated and compiled
    once and instantiated separately (const.wast: 402 modules, 111 distinct).
 3. assert_invalid / assert_malformed (binary): "rejected" means wasm2c, the
    translation stage of our pipeline, exits non-zero on the module (or
    clang then refuses its output).
    Text-format modules (assert_malformed in .wat form) are skipped and
    counted: wasmgraph only consumes binary modules.
 4. Everything else is written as a plan for spec_runner (see
    spec_runner.c), which links and instantiates modules, registers them,
    invokes exports under the runtime's trap boundary and checks results
    (v128 lane by lane), NaN patterns and trap kinds; assert_unlinkable is its
    link check.

wasm2c runs through w2c_batch.js, which evaluates the same script for every
job in one node process (a node start per job would cost ~9 minutes of CPU
over the testsuite); --no-batch starts `node SCRIPT` per job instead.

Prints "<file>: N/M assertions passed", every failure and every skip with
its reason, and writes the counts to --results. A failure listed in --known
(known_failures.txt) prints as XFAIL and still counts as not passed, but does
not fail the test; a listed assertion that passes prints XPASS. Exit 0: no
unlisted failure; 1: some failure; 77: --skip (the file is only counted).
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_glue  # noqa: E402
import wasm_module  # noqa: E402

RUNTIME_CMDS = ('assert_return', 'assert_trap', 'assert_exhaustion', 'action',
                'assert_uninstantiable')
VALIDITY_CMDS = ('assert_invalid', 'assert_malformed', 'assert_unlinkable')

# assert_trap / assert_exhaustion / assert_uninstantiable messages -> the
# wasm-rt trap kind that must be raised (spec_runner.c trap names). wasm-rt
# has one kind for every call_indirect failure.
TRAP_KINDS = [
    ('out of bounds memory access', 'oob'),
    ('out of bounds table access', 'oob'),
    ('undefined element', 'call_indirect'),
    ('uninitialized element', 'call_indirect'),
    ('indirect call type mismatch', 'call_indirect'),
    ('integer divide by zero', 'div_by_zero'),
    ('integer overflow', 'int_overflow'),
    ('invalid conversion to integer', 'invalid_conversion'),
    ('unreachable', 'unreachable'),
    ('call stack exhausted', 'exhaustion'),
]

TEXT_REASON = 'text-format module: wasmgraph translates binary modules only'


class HarnessError(Exception):
    pass


def trap_kind(text):
    for prefix, kind in TRAP_KINDS:
        if text.startswith(prefix):
            return kind
    raise HarnessError('no trap kind known for message %r' % text)


def hexname(s):
    if isinstance(s, str):
        s = s.encode('utf-8', 'surrogatepass')
    return 'h:' + s.hex()


def value_token(v):
    t, val = v['type'], v.get('value')
    if t not in ('i32', 'i64', 'f32', 'f64', 'v128', 'externref', 'funcref'):
        raise HarnessError('unsupported value type %s' % t)
    if val is None:
        raise HarnessError('value without a value: %r' % v)
    if t == 'v128':
        # "v128:<lane type>:<lane>,<lane>,...": lanes as wast2json writes them
        # (unsigned decimal, or nan:canonical / nan:arithmetic in float lanes).
        lanes = v.get('lane_type')
        if lanes not in ('i8', 'i16', 'i32', 'i64', 'f32', 'f64') or not isinstance(val, list):
            raise HarnessError('malformed v128 value: %r' % v)
        return 'v128:%s:%s' % (lanes, ','.join(val))
    return '%s:%s' % (t, val)


def import_lines(mod):
    lines = []
    for imp in mod.imports:
        mn = hexname(imp.module)
        fn = hexname(imp.field)
        if imp.kind == 'func':
            lines.append('import func %s %s %s - -' % (mn, fn, gen_glue.func_type(*imp.desc)))
        elif imp.kind == 'global':
            t, mut = imp.desc
            lines.append('import global %s %s %s - -' % (mn, fn, ('m' if mut else '') + t))
        elif imp.kind == 'table':
            elem, lo, hi = imp.desc
            lines.append('import table %s %s %s %d %s' % (mn, fn, elem, lo,
                                                          '-' if hi is None else hi))
        else:
            lo, hi = imp.desc
            lines.append('import memory %s %s - %d %s' % (mn, fn, lo, '-' if hi is None else hi))
    return lines


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, errors='replace', **kw)


def first_line(text):
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:300]
    return ''


ANSI = re.compile(r'\x1b\[[0-9;]*m')


class Wasm2c:
    """Runs wasm2c 1.0.39 (`node SCRIPT args`), batched through w2c_batch.js."""

    def __init__(self, node, script, batch=True):
        self.node, self.script, self.batch = node, script, batch
        self.proc = None

    def __call__(self, args):
        """(exit code, stderr without colour codes)."""
        if not self.batch:
            p = run([self.node, self.script] + args)
            return p.returncode, ANSI.sub('', p.stderr)
        if self.proc is None:
            driver = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'w2c_batch.js')
            self.proc = subprocess.Popen([self.node, driver, self.script], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, universal_newlines=True,
                                         errors='replace')
        try:
            self.proc.stdin.write(json.dumps(args) + '\n')
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except OSError as e:
            line = ''
            why = str(e)
        else:
            why = 'it exited %s' % self.proc.poll()
        if not line:
            raise HarnessError('w2c_batch.js (node) stopped: %s' % why)
        r = json.loads(line)
        return r['rc'], ANSI.sub('', r['stderr'])

    def close(self):
        if self.proc:
            self.proc.stdin.close()
            self.proc.wait()
            self.proc = None


class WastRun:
    def __init__(self, args):
        self.args = args
        self.wasm2c = Wasm2c(args.node, args.wasm2c, batch=not args.no_batch)
        self.wast = args.wast
        self.base = os.path.basename(args.wast)
        self.stem = self.base[:-5] if self.base.endswith('.wast') else self.base
        self.work = os.path.abspath(args.work)
        self.results = {}      # line -> (passed bool, reason)
        self.kinds = {}        # line -> command type
        self.skips = {}        # reason -> [lines]
        self.module_errors = []  # (line, reason)
        self.module_reason = {}  # module idx -> why it is not compiled
        self.notes = []          # passes worth knowing about
        self.rewritten = 0       # modules memory_rewrite.c changed

    # ---- setup ------------------------------------------------------------
    def convert(self):
        if os.path.isdir(self.work):
            shutil.rmtree(self.work)
        os.makedirs(self.work)
        out = os.path.join(self.work, self.stem + '.json')
        p = run(['wast2json', self.wast, '-o', out])
        if p.returncode != 0:
            raise HarnessError('wast2json failed: ' + first_line(p.stderr))
        with open(out, encoding='utf-8') as f:
            self.commands = json.load(f)['commands']
        # Commands are identified by position: several may share a line.
        for seq, c in enumerate(self.commands):
            c['seq'] = seq

    def path(self, filename):
        return os.path.join(self.work, filename)

    def assign_modules(self):
        """Module indices, wast $names, registrations and C names."""
        self.modules = []          # [{'cmd', 'idx'}]
        self.cmd_module = {}       # id(cmd) -> module idx the command refers to
        names, current, regs = {}, None, {}
        for c in self.commands:
            t = c['type']
            if t in ('module', 'assert_uninstantiable'):
                current = len(self.modules)
                self.modules.append({'cmd': c, 'idx': current})
                if 'name' in c:
                    names[c['name']] = current
                self.cmd_module[id(c)] = current
            elif t == 'register':
                target = names[c['name']] if 'name' in c else current
                if target is None:
                    raise HarnessError('line %d: register before any module' % c['line'])
                regs.setdefault(target, []).append(c['as'])
                self.cmd_module[id(c)] = target
            elif 'action' in c:
                a = c['action']
                target = names[a['module']] if 'module' in a else current
                if target is None:
                    raise HarnessError('line %d: action before any module' % c['line'])
                self.cmd_module[id(c)] = target
        used, by_binary = {}, {}
        for m in self.modules:
            rn = sorted(set(regs.get(m['idx'], [])))
            if len(rn) > 1:
                # Imports from each name would need their own C symbols.
                raise HarnessError('module #%d registered under several names %r' %
                                   (m['idx'], rn))
            m['c_name'] = rn[0] if rn else 'wast_m%d' % m['idx']
            m['alias_of'] = None
            if not rn:
                # Its C names are private to the .so: an earlier unregistered
                # module with the same bytes can serve as its code.
                try:
                    with open(self.path(m['cmd']['filename']), 'rb') as f:
                        digest = hashlib.sha256(f.read()).hexdigest()
                except OSError:
                    digest = None
                if digest in by_binary:
                    m['alias_of'] = by_binary[digest]
                    continue
                if digest:
                    by_binary[digest] = m['idx']
            key = gen_glue.mangle(m['c_name'], module_name=True)
            if key in used:
                raise HarnessError('modules #%d and #%d would share the C name %s' %
                                   (used[key], m['idx'], key))
            used[key] = m['idx']

    # ---- translation and compilation ---------------------------------------
    def translate(self):
        units = []
        for m in self.modules:
            if m['alias_of'] is not None:
                continue
            idx, c = m['idx'], m['cmd']
            wasm = self.path(c['filename'])
            try:
                with open(wasm, 'rb') as f:
                    m['mod'] = wasm_module.parse(f.read())
            except (OSError, wasm_module.WasmError, IndexError) as e:
                self.module_reason[idx] = 'cannot read %s: %s' % (c['filename'], e)
                continue
            src = self.path('mod%d.c' % idx)
            rc, err = self.wasm2c(['-n', m['c_name'], wasm, '-o', src])
            if rc != 0:
                self.module_reason[idx] = 'wasm2c failed: ' + first_line(err)
                continue
            units.append(m)
        by_idx = {m['idx']: m for m in self.modules}
        for m in self.modules:
            if m['alias_of'] is not None:
                canon = by_idx[m['alias_of']]
                if 'mod' in canon:
                    m['mod'] = canon['mod']
                canon.setdefault('aliases', []).append(m['idx'])
        return units

    def spec_cc(self, flag, files):
        cmd = [self.args.spec_cc]
        if self.args.opt is not None and flag != '-l':
            cmd += ['-O', str(self.args.opt)]
        if self.args.cpu and flag != '-l':
            cmd += ['-m', self.args.cpu]
        p = run(cmd + [flag] + files)
        if p.returncode == 2:
            raise HarnessError('spec_cc: ' + first_line(p.stderr))
        return p.stdout.splitlines()

    def compile(self, units):
        srcs = {self.path('mod%d.c' % m['idx']): m for m in units}
        ok = []
        for line in self.spec_cc('-c', list(srcs)):
            if line.startswith('rewritten '):
                self.rewritten += 1
            elif line.startswith('ok '):
                ok.append(srcs[line[3:]])
            elif line.startswith('error '):
                src, _, msg = line[6:].partition(': ')
                self.module_reason[srcs[src]['idx']] = 'clang failed: ' + msg[:300]
        glue_units = []
        for m in ok:
            hname = 'mod%d.h' % m['idx']
            with open(self.path(hname), encoding='utf-8', errors='replace') as f:
                htext = f.read()
            try:
                text = gen_glue.module_glue(m['idx'], m['c_name'], htext, m['mod'],
                                            m.get('aliases', ()))
            except gen_glue.GlueError as e:
                self.module_reason[m['idx']] = 'glue: %s' % e
                continue
            glue_units.append((m, hname, text))
        if not glue_units:
            return None
        glue = self.path('glue.c')
        with open(glue, 'w', encoding='utf-8') as f:
            f.write('/* Generated by tests/spec/gen_glue.py for %s. */\n' % self.base)
            f.write('#include "%s"\n' % self.args.abi_header)
            for _, hname, _ in glue_units:
                f.write('#include "%s"\n' % hname)
            for m, _, text in glue_units:
                f.write('\n/* ---- module #%d (%s), line %d ---- */\n' %
                        (m['idx'], m['c_name'], m['cmd']['line']))
                f.write('extern const wgs_module wgs_module_%d;\n' % m['idx'])
                f.write(text)
        out = self.spec_cc('-g', [glue])
        if not out or not out[0].startswith('ok '):
            raise HarnessError('the harness glue did not compile: %s' % (out[0] if out else ''))
        objs = [self.path('mod%d.o' % m['idx']) for m, _, _ in glue_units]
        so = self.path(self.stem + '.so')
        out = self.spec_cc('-l', [so, self.path('glue.o')] + objs)
        if out != ['link ok']:
            raise HarnessError('linking the modules failed: %s' % ' '.join(out)[:500])
        return so

    # ---- commands ------------------------------------------------------------
    def record(self, c, passed, reason=''):
        self.kinds[c['seq']] = c['type']
        self.results[c['seq']] = (passed, reason)

    def check_validity(self, c):
        """assert_invalid / assert_malformed: wasm2c must refuse the module."""
        if c.get('module_type') == 'text':
            self.skips.setdefault(TEXT_REASON, []).append(c['line'])
            return
        src = self.path('validity_check.c')
        rc, _ = self.wasm2c(['-n', 'check', self.path(c['filename']), '-o', src])
        if rc != 0:
            self.record(c, True)
            return
        # wasm2c accepted it: the pipeline's next stage is clang.
        out = self.spec_cc('-c', [src])
        what = 'invalid' if c['type'] == 'assert_invalid' else 'malformed'
        if out and out[0].startswith('error '):
            self.record(c, True)
            self.notes.append('%s:%d %s (%s): wasm2c accepts this %s module; only '
                              'clang rejects the C it generates' % (
                                  self.base, c['line'], c['type'], c['text'], what))
        else:
            self.record(c, False, 'the pipeline (wasm2c and clang) accepted a module the spec '
                        'calls %s (%s)' % (what, c['text']))

    def plan(self):
        lines = []
        by_idx = {m['idx']: m for m in self.modules}
        for c in self.commands:
            t, line = c['type'], c['seq']
            if t in ('assert_invalid', 'assert_malformed'):
                self.check_validity(c)
            elif t == 'module':
                idx = self.cmd_module[id(c)]
                m = by_idx[idx]
                imps = import_lines(m['mod']) if 'mod' in m else []
                lines.append('module %d %d %d' % (line, idx, len(imps)))
                lines += imps
            elif t == 'assert_uninstantiable':
                idx = self.cmd_module[id(c)]
                m = by_idx[idx]
                self.kinds[line] = t
                imps = import_lines(m['mod']) if 'mod' in m else []
                lines.append('uninstantiable %d %d %s %d' % (line, idx, trap_kind(c['text']),
                                                             len(imps)))
                lines += imps
            elif t == 'assert_unlinkable':
                try:
                    with open(self.path(c['filename']), 'rb') as f:
                        mod = wasm_module.parse(f.read())
                except (OSError, wasm_module.WasmError, IndexError) as e:
                    self.record(c, False, 'cannot read module: %s' % e)
                    continue
                self.kinds[line] = t
                imps = import_lines(mod)
                lines.append('unlinkable %d %d' % (line, len(imps)))
                lines += imps
            elif t == 'register':
                lines.append('register %d %d %s' % (line, self.cmd_module[id(c)],
                                                    hexname(c['as'])))
            elif t in ('assert_return', 'assert_trap', 'assert_exhaustion', 'action'):
                a = c['action']
                mode = {'assert_return': 'return', 'action': 'action',
                        'assert_exhaustion': 'exhaustion'}.get(t)
                if t == 'assert_trap':
                    mode = 'trap:' + trap_kind(c['text'])
                if a['type'] not in ('invoke', 'get'):
                    raise HarnessError('line %d: unknown action %s' % (c['line'], a['type']))
                args = [value_token(v) for v in a.get('args', [])]
                exp = [value_token(v) for v in c.get('expected', [])] \
                    if t == 'assert_return' else []
                self.kinds[line] = t
                lines.append(' '.join([a['type'], str(line), mode, str(self.cmd_module[id(c)]),
                                       hexname(a['field']), str(len(args))] + args +
                                      [str(len(exp))] + exp))
            else:
                raise HarnessError('line %d: unknown command %s' % (c['line'], t))
        path = self.path('plan.txt')
        with open(path, 'w', encoding='utf-8') as f:
            f.write('\n'.join(lines) + '\n')
        return path

    def execute(self, so, plan):
        try:
            p = subprocess.run([self.args.runner, so or '-', plan], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, universal_newlines=True,
                               errors='replace', timeout=self.args.timeout)
            out, rc = p.stdout, p.returncode
            # A sanitizer report names itself in a line with ERROR (ASan,
            # LSan) or "runtime error" (UBSan); show that one.
            why = next((ln.strip()[:300] for ln in p.stderr.splitlines()
                        if 'ERROR' in ln or 'runtime error' in ln), first_line(p.stderr))
            died = None if rc == 0 else ('spec_runner exited %d%s' % (
                rc, ' (signal %d)' % -rc if rc < 0 else '') + ': ' + why)
        except subprocess.TimeoutExpired as e:
            out = e.stdout or ''
            if isinstance(out, bytes):
                out = out.decode('utf-8', 'replace')
            died = 'spec_runner timed out after %d s' % self.args.timeout
        for ln in out.splitlines():
            word, _, rest = ln.partition(' ')
            num, _, reason = rest.partition(' ')
            if word in ('PASS', 'FAIL'):
                self.results[int(num)] = (word == 'PASS', reason)
            elif word == 'MODULE_FAIL':
                self.module_errors.append((int(num), reason))
        if died:
            for line, kind in self.kinds.items():
                if line not in self.results:
                    self.results[line] = (False, died)
            # Even after the last result (e.g. a leak report at exit): the
            # run is not clean, so the file fails.
            if self.commands:
                self.module_errors.append((len(self.commands) - 1, died))

    def explain(self):
        """Adds why a module was not compiled to the failures that follow."""
        idx_line = {m['idx']: m['cmd']['seq'] for m in self.modules}
        for m in self.modules:
            canon = m['alias_of']
            if canon is not None and canon in self.module_reason:
                self.module_reason[m['idx']] = 'same binary as module #%d: %s' % (
                    canon, self.module_reason[canon])
        for idx, why in self.module_reason.items():
            self.module_errors.append((idx_line[idx], 'module #%d not compiled: %s' % (idx, why)))
        self.module_errors = sorted(set(self.module_errors))

    # ---- report ---------------------------------------------------------------
    def report(self, seconds):
        total = {'runtime': [0, 0], 'validity': [0, 0]}
        failures, xfail = [], []
        known = load_known(self.args.known)
        for seq in sorted(self.kinds):
            kind, line = self.kinds[seq], self.commands[seq]['line']
            group = 'runtime' if kind in RUNTIME_CMDS else 'validity'
            passed, reason = self.results.get(seq, (False, 'no result (harness bug)'))
            total[group][1] += 1
            key = '%s:%d' % (self.base, line)
            if passed:
                total[group][0] += 1
                if key in known:
                    print('XPASS %s %s: passes in this build but is listed in %s (%s); remove '
                          'it once it passes in every memory mode and -O level' %
                          (key, kind, os.path.basename(self.args.known), known[key]))
            elif key in known:
                xfail.append((line, kind, reason, known[key]))
            else:
                failures.append((line, kind, reason))
        passed = total['runtime'][0] + total['validity'][0]
        count = total['runtime'][1] + total['validity'][1]
        nskip = sum(len(v) for v in self.skips.values())
        for line, kind, reason in failures:
            print('FAIL %s:%d %s: %s' % (self.base, line, kind, reason))
        for line, kind, reason, why in xfail:
            print('XFAIL %s:%d %s: %s [known failure: %s]' % (self.base, line, kind, reason, why))
        for note in self.notes:
            print('NOTE ' + note)
        for seq, reason in self.module_errors:
            print('MODULE ERROR %s:%d %s' % (self.base, self.commands[seq]['line'], reason))
        for reason, lines in sorted(self.skips.items()):
            print('SKIP %s: %d assertion(s) at line(s) %s: %s' % (
                self.base, len(lines), ','.join(map(str, lines)), reason))
        print('%s: %d/%d assertions passed (runtime %d/%d, validity %d/%d), %d skipped, '
              '%d known failure(s), %d module error(s), %.1f s' % (
                  self.base, passed, count, total['runtime'][0], total['runtime'][1],
                  total['validity'][0], total['validity'][1], nskip, len(xfail),
                  len(self.module_errors), seconds))
        return {'file': self.base, 'passed': passed, 'total': count,
                'runtime': total['runtime'], 'validity': total['validity'],
                'skipped': {r: len(v) for r, v in self.skips.items()},
                'failures': len(failures), 'known_failures': len(xfail),
                'module_errors': len(self.module_errors),
                'modules': len(self.modules),
                'compiled': sum(1 for m in self.modules if m['alias_of'] is None),
                'rewritten': self.rewritten,
                'seconds': round(seconds, 2)}


def load_known(path):
    """known_failures.txt: '<file>:<line>  <reason>' per line, '#' comments."""
    known = {}
    if path:
        with open(path, encoding='utf-8') as f:
            for ln in f:
                ln = ln.split('#', 1)[0].strip()
                if ln:
                    key, _, why = ln.partition(' ')
                    known[key] = why.strip() or 'no reason given'
    return known


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--wast', required=True)
    ap.add_argument('--work', required=True)
    ap.add_argument('--spec-cc', required=True)
    ap.add_argument('--runner', required=True)
    ap.add_argument('--abi-header', required=True)
    ap.add_argument('--wasm2c', required=True, help="wabt 1.0.39's wasm2c script")
    ap.add_argument('--node', default='node')
    ap.add_argument('--no-batch', action='store_true',
                    help='start node for every wasm2c run instead of w2c_batch.js')
    ap.add_argument('--results', required=True)
    ap.add_argument('--opt', type=int)
    ap.add_argument('--cpu', help='compile for this CPU instead of the host (spec_cc -m)')
    ap.add_argument('--timeout', type=int, default=600)
    ap.add_argument('--keep', action='store_true', help='keep the work dir')
    ap.add_argument('--skip', metavar='REASON',
                    help='only count the assertions and report them skipped (exit 77)')
    ap.add_argument('--known', help='known_failures.txt: failures that do not fail the test')
    args = ap.parse_args()
    t0 = time.time()
    r = WastRun(args)
    os.makedirs(os.path.dirname(os.path.abspath(args.results)), exist_ok=True)
    if os.path.exists(args.results):
        os.remove(args.results)
    summary = None
    rc = 1
    try:
        r.convert()
        if args.skip:
            n = sum(1 for c in r.commands if c['type'] in RUNTIME_CMDS + VALIDITY_CMDS)
            print('SKIP %s: %d assertion(s): %s' % (r.base, n, args.skip))
            with open(args.results, 'w', encoding='utf-8') as f:
                json.dump({'file': r.base, 'passed': 0, 'total': 0, 'runtime': [0, 0],
                           'validity': [0, 0], 'skipped': {args.skip: n}, 'failures': 0,
                           'module_errors': 0, 'seconds': round(time.time() - t0, 2)}, f)
            shutil.rmtree(args.work, ignore_errors=True)
            return 77
        r.assign_modules()
        units = r.translate()
        so = r.compile(units) if units else None
        plan = r.plan()
        r.wasm2c.close()
        r.execute(so, plan)
        r.explain()
        summary = r.report(time.time() - t0)
        rc = 0 if summary['failures'] == 0 and summary['module_errors'] == 0 else 1
    except HarnessError as e:
        print('ERROR %s: %s' % (r.base, e))
        summary = {'file': r.base, 'error': str(e)}
    finally:
        r.wasm2c.close()
    with open(args.results, 'w', encoding='utf-8') as f:
        json.dump(summary, f, indent=1)
    if rc != 1 and not args.keep:
        shutil.rmtree(args.work, ignore_errors=True)
    return rc


if __name__ == '__main__':
    sys.exit(main())
