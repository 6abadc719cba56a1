// compare.mjs — the fixtures' correctness rule (shared/fixtures/README.md):
// an element passes when |got - want| <= atol_by_output[i] + rtol * |want|;
// integer outputs must be exact; dtype and shape must match exactly.
//
// Returns, per output, the worst ratio |got - want| / (atol + rtol*|want|)
// so a report can show the margin (ratio <= 1 passes; integer outputs report
// 0 or Infinity).

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readNpy, typedView } from "./npy.mjs";

export function compareOutput(got, want, atol, rtol) {
  if (got.descr !== want.descr) return { ok: false, why: `dtype ${got.descr} != expected ${want.descr}` };
  if (got.shape.join(",") !== want.shape.join(",")) {
    return { ok: false, why: `shape [${got.shape}] != expected [${want.shape}]` };
  }
  const g = typedView(got.descr, got.data);
  const w = typedView(want.descr, want.data);
  const isFloat = got.descr[1] === "f";
  let worst = 0;
  let worstAt = -1;
  let bad = 0;
  for (let k = 0; k < w.length; k++) {
    if (isFloat) {
      const gv = g[k];
      const wv = w[k];
      const err = Math.abs(gv - wv);
      const tol = atol + rtol * Math.abs(wv);
      // NaN anywhere fails; equal infinities pass.
      let ratio = gv === wv ? 0 : err / tol;
      if (Number.isNaN(ratio)) ratio = Infinity;
      if (tol === 0 && err === 0) ratio = 0;
      if (ratio > 1) bad++;
      if (ratio > worst || worstAt < 0) { worst = ratio; worstAt = k; }
    } else if (g[k] !== w[k]) {
      bad++;
      if (worstAt < 0 || worst !== Infinity) { worst = Infinity; worstAt = k; }
    }
  }
  if (worstAt < 0) worst = 0;
  return {
    ok: bad === 0,
    worst_ratio: worst,
    bad_elements: bad,
    elements: w.length,
    why: bad ? `${bad}/${w.length} elements out of tolerance (first worst at ${worstAt}: got ${g[worstAt]}, want ${w[worstAt]})` : "",
  };
}

// True if OUT_DIR holds output_<i>.npy for every output of the fixture FX and
// each matches FX/expected/<i>.npy under meta.json's tolerance rule.
export function checkOutputDir(fx, outDir) {
  const meta = JSON.parse(readFileSync(join(fx, "meta.json"), "utf8"));
  return meta.outputs.every((_, i) => {
    const f = join(outDir, `output_${i}.npy`);
    return existsSync(f) &&
      compareOutput(readNpy(f), readNpy(join(fx, "expected", `${i}.npy`)), meta.atol_by_output[i], meta.rtol).ok;
  });
}
