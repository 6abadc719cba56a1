#!/usr/bin/env python3
"""summary.py: totals of a spec run (the per-file results of run_wast.py).

  summary.py --spec-dir DIR --results DIR [--mode NAME] [--markdown]

Prints one line per .wast, the skips by reason and
"spec (<mode>): N/M assertions passed"; --markdown prints the table used in
docs/spec-conformance.md. Exit 1 if any file failed, reported a harness
error or has no result (was not run).
"""

import argparse
import glob
import json
import os
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--spec-dir', required=True)
    ap.add_argument('--results', required=True)
    ap.add_argument('--mode', default='?')
    ap.add_argument('--markdown', action='store_true')
    args = ap.parse_args()

    files = sorted(os.path.basename(p) for p in glob.glob(os.path.join(args.spec_dir, '*.wast')))
    tot = {'passed': 0, 'total': 0, 'rt': [0, 0], 'val': [0, 0], 'seconds': 0.0, 'known': 0}
    skips = {}
    bad = []
    rows = []
    for name in files:
        path = os.path.join(args.results, name[:-5] + '.json')
        try:
            with open(path, encoding='utf-8') as f:
                r = json.load(f)
        except (OSError, ValueError):
            bad.append('%s: no result (not run?)' % name)
            continue
        if 'error' in r:
            bad.append('%s: harness error: %s' % (name, r['error']))
            continue
        if r['failures'] or r['module_errors']:
            bad.append('%s: %d failure(s), %d module error(s)' % (name, r['failures'],
                                                                   r['module_errors']))
        tot['passed'] += r['passed']
        tot['total'] += r['total']
        for k, key in (('rt', 'runtime'), ('val', 'validity')):
            tot[k][0] += r[key][0]
            tot[k][1] += r[key][1]
        tot['seconds'] += r['seconds']
        tot['known'] += r.get('known_failures', 0)
        for reason, n in r['skipped'].items():
            s = skips.setdefault(reason, [0, 0])
            s[0] += n
            s[1] += 1
        rows.append(r)

    if args.markdown:
        print('| file | runtime | validity | skipped | modules | compiled | time (s) |')
        print('| --- | ---: | ---: | ---: | ---: | ---: | ---: |')
        for r in rows:
            print('| %s | %d/%d | %d/%d | %d | %s | %s | %.1f |' % (
                r['file'], r['runtime'][0], r['runtime'][1], r['validity'][0], r['validity'][1],
                sum(r['skipped'].values()), r.get('modules', '-'), r.get('compiled', '-'),
                r['seconds']))
    else:
        for r in rows:
            print('%-36s %6d/%-6d runtime %6d/%-6d validity %5d/%-5d skipped %5d  %6.1f s' % (
                r['file'], r['passed'], r['total'], r['runtime'][0], r['runtime'][1],
                r['validity'][0], r['validity'][1], sum(r['skipped'].values()), r['seconds']))
    for reason, (n, nf) in sorted(skips.items()):
        print('SKIP %d assertion(s) in %d file(s): %s' % (n, nf, reason))
    for b in bad:
        print('FAILED ' + b)
    print('spec (%s): %d/%d assertions passed (runtime %d/%d, validity %d/%d), %d skipped, '
          '%d known failure(s), %d file(s) with problems, %.0f s of test time' % (
              args.mode, tot['passed'], tot['total'], tot['rt'][0], tot['rt'][1], tot['val'][0],
              tot['val'][1], sum(s[0] for s in skips.values()), tot['known'], len(bad),
              tot['seconds']))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
