// w2c_batch.js — runs many wasm2c command lines in one node process.
//
//   node w2c_batch.js WASM2C_SCRIPT < jobs > results
//
// The product runs wabt 1.0.39's wasm2c as `node <script> ARGS` (an
// emscripten build with the wasm embedded). A .wast needs it once per module
// and once per binary assert_invalid/assert_malformed, about 4500 times for
// the whole testsuite, and a node start costs ~0.1 s of CPU each time. This
// driver evaluates the same script once per job in this process instead:
// every job gets a fresh emscripten Module (fresh wasm instance, so no state
// leaks between jobs); only the compiled WebAssembly.Module is reused.
//
// Input: one JSON array of argv strings per line. Output: one JSON object per
// job, in order: {"rc": <exit code>, "stderr": "<what wasm2c printed>"}.
// Files are read and written by wasm2c itself (NODERAWFS), as with a plain
// run. run_wast.py --no-batch runs `node <script>` per job instead, which
// must give the same results.
'use strict';
const fs = require('fs');
const path = require('path');
const readline = require('readline');

const script = process.argv[2];
const source = fs.readFileSync(script, 'utf8').replace(/^#!.*\n/, '');
// The script's top level, as a function of the globals it reads.
const factory = new Function('Module', 'process', 'require', '__filename', '__dirname', source);
let compiled = null;   // the WebAssembly.Module, after the first job compiled it

function runJob(args) {
  return new Promise((resolve) => {
    let captured = '';
    let done = false;
    const finish = (rc) => {
      if (!done) {
        done = true;
        resolve({ rc, stderr: captured });
      }
    };
    // wasm2c's stdout and stderr (fds 1 and 2) are captured; other fds are
    // its input and output files.
    const jobFs = Object.create(fs);
    jobFs.writeSync = (fd, buf, off, len, pos) => {
      if (fd !== 1 && fd !== 2) return fs.writeSync(fd, buf, off, len, pos);
      if (typeof buf === 'string') {
        captured += buf;
        return Buffer.byteLength(buf);
      }
      const o = off || 0;
      const n = len === undefined ? buf.length - o : len;
      captured += Buffer.from(buf.buffer, buf.byteOffset + o, n).toString('utf8');
      return n;
    };
    const jobRequire = (m) => (m === 'fs' || m === 'node:fs' ? jobFs : require(m));
    const proc = Object.create(process);
    proc.argv = [process.argv[0], script, ...args];
    proc.exitCode = undefined;
    const Module = {
      arguments: args,
      print: (s) => { captured += s + '\n'; },
      printErr: (s) => { captured += s + '\n'; },
      // main has returned or called exit() by the time postRun runs.
      postRun: [() => finish(proc.exitCode === undefined ? 0 : proc.exitCode)],
      onAbort: (what) => { captured += 'abort: ' + what + '\n'; finish(134); },
    };
    if (compiled) {
      Module.instantiateWasm = (imports, receive) => {
        WebAssembly.instantiate(compiled, imports).then((inst) => receive(inst, compiled),
          (e) => { captured += String(e) + '\n'; finish(134); });
        return {};
      };
    } else {
      const real = WebAssembly.instantiate;
      WebAssembly.instantiate = function (bytes, imports) {
        WebAssembly.instantiate = real;
        return real.call(WebAssembly, bytes, imports).then((r) => {
          compiled = r.module;
          return r;
        });
      };
    }
    try {
      factory(Module, proc, jobRequire, script, path.dirname(script));
    } catch (e) {
      // exit() unwinds with an ExitStatus exception when it is not caught
      // inside (e.g. during startup).
      if (e && e.name === 'ExitStatus') finish(e.status);
      else {
        captured += String(e && e.stack || e) + '\n';
        finish(134);
      }
    }
  });
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
const queue = [];
let busy = false;
async function drain() {
  if (busy) return;
  busy = true;
  while (queue.length) {
    const args = queue.shift();
    const r = await runJob(args);
    process.stdout.write(JSON.stringify(r) + '\n');
  }
  busy = false;
}
rl.on('line', (line) => {
  if (!line.trim()) return;
  queue.push(JSON.parse(line));
  drain();
});
