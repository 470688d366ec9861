#!/usr/bin/env python3
"""Tables of the migration benchmark (KUnit suite migrate_bench).

usage: bench_table.py [--machine TEXT] [--settings TEXT] DIR
       bench_table.py --smoke KTAP_LOG

DIR holds the raw KTAP output of the boots of `make bench`, one file per boot
named <arch>-<base|series>-<round>.log. Each "migrate_bench:" line is the
median of the passes of one boot; the tables give, per case, the median over
the boots and the spread (half the range, in percent of the median).

--smoke checks that a KUnit log (the smoke run of `make check`) has benchmark
lines that parse and that no benchmark case failed; it prints one line.
"""
import argparse
import os
import re
import statistics
import sys

LINE = re.compile(r'migrate_bench:(?P<label>(?: \w+=\S+)*?) size=(?P<size>\d+[KM]) '
                  r'batch=(?P<batch>\d+) folios=(?P<folios>\d+) reps=\d+ '
                  r'migrate_ns=(?P<mig>\d+) memcpy_ns=(?P<cpy>\d+)')
NOT_OK = re.compile(r'^\s*not ok \d+ (.*)$')
SIZE = {'K': 1024, 'M': 1024 * 1024}
PAGE = 4096

# Targets of the report (issue 5); never a pass/fail condition.
TARGET_MEMCPY = {'4K': 0.6, '2M': 0.95}
TARGET_THREADS = ('2M', 'multithread', '2', 1.8)


def size_bytes(size):
    return int(size[:-1]) * SIZE[size[-1]]


def parse(path):
    """(rows, failures) of one KTAP log: rows are dicts per benchmark line."""
    rows, failures = [], []
    with open(path, errors='replace') as f:
        for line in f:
            m = LINE.search(line)
            if m:
                d = m.groupdict()
                label = dict(kv.split('=', 1) for kv in d['label'].split())
                rows.append({
                    'engine': label.get('engine', ''),
                    'threads': label.get('threads', ''),
                    'size': d['size'],
                    'batch': int(d['batch']),
                    'folios': int(d['folios']),
                    'mig': int(d['mig']),
                    'cpy': int(d['cpy']),
                })
                continue
            m = NOT_OK.match(line)
            if m:
                failures.append(m.group(1).strip())
    return rows, failures


def key(r):
    return (r['engine'], r['threads'], r['size'], r['batch'], r['folios'])


def med_spread(values):
    if not values:
        return None, None
    med = statistics.median(values)
    spread = (max(values) - min(values)) / 2 / med * 100 if med else 0.0
    return med, spread


def fmt_rate(pages_per_s):
    if pages_per_s >= 1e6:
        return f'{pages_per_s / 1e6:.2f} M'
    return f'{pages_per_s / 1e3:.0f} k'


def cell(values, fmt):
    med, spread = med_spread(values)
    if med is None:
        return 'n/a'
    return f'{fmt(med)} ±{spread:.0f}%'


def smoke(path):
    rows, failures = parse(path)
    bad = [f for f in failures if 'migrate_bench' in f or 'batch' in f]
    if not rows:
        print('no migrate_bench lines in the log')
        return 1
    if bad:
        print(f'{len(bad)} benchmark cases failed: {bad[0]}')
        return 1
    print(f'{len(rows)} migrate_bench lines parsed '
          f'({", ".join(sorted({r["size"] for r in rows}))} folios)')
    return 0


def accel_note(accel):
    """How to read the x86_64 figures of a table, by the boots' accelerator."""
    if accel == 'kvm':
        return ', QEMU KVM with -cpu host'
    return ', QEMU TCG: ratios only'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--machine', default='')
    ap.add_argument('--settings', default='')
    ap.add_argument('--smoke', action='store_true')
    ap.add_argument('--accel', default='tcg', help='accelerator of the x86_64 boots')
    ap.add_argument('path')
    args = ap.parse_args()
    if args.smoke:
        return smoke(args.path)

    # data[arch][which][key] = list of per-boot rows
    data, failures, boots = {}, [], {}
    for name in sorted(os.listdir(args.path)):
        m = re.match(r'(\w+)-(base|series)-(\d+)\.log$', name)
        if not m:
            continue
        arch, which = m.group(1), m.group(2)
        rows, fails = parse(os.path.join(args.path, name))
        boots.setdefault(arch, {}).setdefault(which, 0)
        boots[arch][which] += 1
        failures += [f'{name}: {f}' for f in fails]
        if not rows:
            failures.append(f'{name}: no benchmark output')
        for r in rows:
            data.setdefault(arch, {}).setdefault(which, {}).setdefault(key(r), []).append(r)

    out = []
    out.append('## Migration benchmark: base kernel vs series')
    out.append('')
    if args.machine:
        out.append(f'Machine: {args.machine}. Settings: {args.settings}.')
    out.append('Each boot reports the median of its passes; the table shows the median over '
               'the boots and ±half their range. "x memcpy": migration throughput over '
               'memcpy() throughput of the same bytes in the same boot.')
    out.append('')
    notes = []
    for arch in sorted(data):
        nb = boots[arch]
        out.append(f'### {arch} ({nb.get("base", 0)} base + {nb.get("series", 0)} series boots'
                   + (accel_note(args.accel) if arch != 'uml' else ', native') + ')')
        out.append('')
        out.append('| folios | batch | base pages/s | series pages/s | series/base | '
                   'base GB/s | series GB/s | base x memcpy | series x memcpy |')
        out.append('|---|---|---|---|---|---|---|---|---|')
        base = data[arch].get('base', {})
        series = data[arch].get('series', {})
        keys = sorted({k for k in list(base) + list(series) if not k[0]},
                      key=lambda k: (size_bytes(k[2]), k[3]))
        for k in keys:
            _, _, size, batch, folios = k
            pages = folios * size_bytes(size) // PAGE
            nbytes = folios * size_bytes(size)
            cols = [f'{folios} x {size}', str(batch)]
            rate = {w: [pages * 1e9 / r['mig'] for r in d.get(k, [])] for w, d in
                    (('base', base), ('series', series))}
            gbs = {w: [nbytes / r['mig'] for r in d.get(k, [])] for w, d in
                   (('base', base), ('series', series))}
            vsm = {w: [r['cpy'] / r['mig'] for r in d.get(k, [])] for w, d in
                   (('base', base), ('series', series))}
            cols.append(cell(rate['base'], fmt_rate))
            cols.append(cell(rate['series'], fmt_rate))
            mb, ms = med_spread(rate['base'])[0], med_spread(rate['series'])[0]
            cols.append(f'{ms / mb:.2f}x' if mb and ms else 'n/a')
            cols.append(cell(gbs['base'], lambda v: f'{v:.2f}'))
            cols.append(cell(gbs['series'], lambda v: f'{v:.2f}'))
            cols.append(cell(vsm['base'], lambda v: f'{v:.2f}'))
            cols.append(cell(vsm['series'], lambda v: f'{v:.2f}'))
            out.append('| ' + ' | '.join(cols) + ' |')
            target = TARGET_MEMCPY.get(size)
            med = med_spread(vsm['series'])[0]
            if target and med is not None:
                notes.append(f'{arch} {size} batch {batch}: series at {med:.2f}x memcpy, '
                             f'target {target}x: {"met" if med >= target else "NOT met"}')
        out.append('')

        engines = {k: v for k, v in series.items() if k[0]}
        if engines:
            out.append(f'Copy engines on {arch} (series only; "x serial": same boot, '
                       'serial engine time over this engine\'s time):')
            out.append('')
            out.append('| folios | batch | engine | threads | pages/s | x memcpy | x serial |')
            out.append('|---|---|---|---|---|---|---|')
            order = sorted(engines, key=lambda k: (size_bytes(k[2]), k[3], k[0] != 'serial',
                                                   int(k[1] or 0)))
            for k in order:
                engine, threads, size, batch, folios = k
                pages = folios * size_bytes(size) // PAGE
                runs = engines[k]
                serial = engines.get(('serial', '1', size, batch, folios), [])
                # Pair each boot's serial run with the same boot's engine run.
                ratios = [s['mig'] / r['mig'] for s, r in zip(serial, runs)]
                cols = [f'{folios} x {size}', str(batch), engine, threads,
                        cell([pages * 1e9 / r['mig'] for r in runs], fmt_rate),
                        cell([r['cpy'] / r['mig'] for r in runs], lambda v: f'{v:.2f}'),
                        cell(ratios, lambda v: f'{v:.2f}')]
                out.append('| ' + ' | '.join(cols) + ' |')
                tsize, tengine, tthreads, target = TARGET_THREADS
                med = med_spread(ratios)[0]
                if (size, engine, threads) == (tsize, tengine, tthreads) and med is not None:
                    notes.append(f'{arch} {size} batch {batch}: {threads}-thread engine at '
                                 f'{med:.2f}x serial, target {target}x: '
                                 f'{"met" if med >= target else "NOT met"}')
            out.append('')

    if notes:
        out.append('Targets (reported, not pass/fail):')
        out.append('')
        out += [f'- {n}' for n in notes]
        out.append('')
    if failures:
        out.append(f'FAILED benchmark cases or boots: {len(failures)}')
        out += [f'- {f}' for f in failures]
        out.append('')
    print('\n'.join(out))
    return 1 if failures or not data else 0


if __name__ == '__main__':
    sys.exit(main())
