#!/usr/bin/env python3
"""Table of the compaction benchmark (KUnit suite compact_bench).

usage: compact_table.py [--machine TEXT] [--settings TEXT] DIR
       compact_table.py --smoke KTAP_LOG

DIR holds the raw KTAP output of the compaction boots of `make bench`, one
file per boot named <arch>-<base|series>-<round>.log. A boot prints one line
per pass ("rep") of each workload; its figure is the median of its passes.
The table gives, per workload, the median over the boots and the spread (half
the range, in percent of the median), and the ratio series/base.

--smoke checks that a KUnit log (the smoke run of `make check`) has a line of
every workload that parses and that no compact_bench case failed.
"""
import argparse
import os
import re
import statistics
import sys

KV = re.compile(r'(\w+)=(\S+)')
LINE = re.compile(r'compact_bench: (balloon|fill|contig|compact) (.*)$')
NOT_OK = re.compile(r'^\s*not ok \d+ (.*)$')
WORKLOADS = ('balloon', 'contig', 'compact')

# Targets of the report (issue 7); never a pass/fail condition.
TARGET_BALLOON = 0.5     # series CPU time per balloon page / base
TARGET_COMPACT_TIME = 0.8
# Parity with the base on the same seeded fill (issue 15): counts, not time,
# so these fail `make bench`. Scanned and migrated pages within this fraction.
PARITY_PAGES = 0.05


def parse(path):
    """(lines, failures, suite_seen) of one KTAP log."""
    lines, failures, seen = [], [], False
    with open(path, errors='replace') as f:
        for text in f:
            if 'compact_bench' in text:
                seen = True
            m = LINE.search(text)
            if m:
                d = dict(KV.findall(m.group(2)))
                d['kind'] = m.group(1)
                if 'no clean range' in m.group(2):
                    d['ok'] = '0'
                lines.append(d)
                continue
            m = NOT_OK.match(text)
            if m and ('cb_' in m.group(1) or 'compact_bench' in m.group(1)
                      or 'pages' in m.group(1)):
                failures.append(m.group(1).strip())
    return lines, failures, seen


def boot_figures(lines):
    """Per boot: {figure key: median over the passes}."""
    acc = {}
    for d in lines:
        k = d['kind']
        if k == 'balloon':
            acc.setdefault(('balloon', d['pages'], 'ns_per_page'), []).append(int(d['ns_per_page']))
            acc.setdefault(('balloon', d['pages'], 'windows'), []).append(int(d['windows']))
        elif k == 'contig':
            acc.setdefault(('contig', d['size'], 'ok'), []).append(int(d['ok']))
            if d.get('ok') == '1':
                acc.setdefault(('contig', d['size'], 'ms'), []).append(int(d['ns']) / 1e6)
                acc.setdefault(('contig', d['size'], 'migrated'), []).append(int(d['migrated']))
        elif k == 'compact':
            for f in ('migrate_scanned', 'free_scanned', 'migrated', 'order9_before',
                      'order9_after', 'kept'):
                acc.setdefault(('compact', '', f), []).append(int(d[f]))
            acc.setdefault(('compact', '', 'ms'), []).append(int(d['ns']) / 1e6)
            mig = int(d['migrated'])
            if mig:
                acc.setdefault(('compact', '', 'ns_per_migrated'), []).append(int(d['ns']) / mig)
        elif k == 'fill':
            acc.setdefault(('fill', '', 'pages'), []).append(int(d['pages']))
    out = {}
    for key, vals in acc.items():
        # contig success: the fraction of passes that succeeded
        out[key] = sum(vals) / len(vals) if key[2] == 'ok' else statistics.median(vals)
    return out


def med_spread(values):
    if not values:
        return None, None
    med = statistics.median(values)
    spread = (max(values) - min(values)) / 2 / med * 100 if med else 0.0
    return med, spread


def fmt(v):
    if v >= 100:
        return f'{v:.0f}'
    if v >= 10:
        return f'{v:.1f}'
    return f'{v:.2f}'


def cell(values):
    med, spread = med_spread(values)
    if med is None:
        return 'n/a'
    return f'{fmt(med)} ±{spread:.0f}%'


def smoke(path):
    lines, failures, seen = parse(path)
    if failures:
        print(f'{len(failures)} compact_bench cases failed: {failures[0]}')
        return 1
    kinds = {d['kind'] for d in lines}
    missing = [w for w in WORKLOADS if w not in kinds]
    if missing:
        print(f'no compact_bench {", ".join(missing)} lines in the log')
        return 1
    print(f'{len(lines)} compact_bench lines parsed ({", ".join(sorted(kinds))})')
    return 0


ROWS = [
    # (key, label, lower is better)
    (('balloon', '4096', 'ns_per_page'), 'balloon 4096 pages: ns per page', True),
    (('balloon', '65536', 'ns_per_page'), 'balloon 65536 pages: ns per page', True),
    (('compact', '', 'ms'), 'compact_node(): ms', True),
    (('compact', '', 'ns_per_migrated'), 'compact_node(): ns per page migrated', True),
    (('compact', '', 'migrate_scanned'), 'compact_node(): pages scanned (migrate)', None),
    (('compact', '', 'free_scanned'), 'compact_node(): pages scanned (free)', None),
    (('compact', '', 'migrated'), 'compact_node(): pages migrated', None),
    (('compact', '', 'order9_before'), 'free order-9 blocks before', None),
    (('compact', '', 'order9_after'), 'free order-9 blocks after', False),
    (('contig', '2M', 'ok'), 'alloc_contig_range() 2 MiB: success rate', False),
    (('contig', '2M', 'ms'), 'alloc_contig_range() 2 MiB: ms', True),
    (('contig', '64M', 'ok'), 'alloc_contig_range() 64 MiB: success rate', False),
    (('contig', '64M', 'ms'), 'alloc_contig_range() 64 MiB: ms', True),
    (('contig', '64M', 'migrated'), 'alloc_contig_range() 64 MiB: pages migrated', None),
]


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

    # data[arch][which][key] = per-boot figures
    data, failures, boots = {}, [], {}
    for name in sorted(os.listdir(args.path)):
        m = re.match(r'(\w+)-(base|series)-(\d+)\.log$', name)
        if not m:
            continue
        arch, which = m.group(1), m.group(2)
        lines, fails, _ = parse(os.path.join(args.path, name))
        boots.setdefault(arch, {}).setdefault(which, 0)
        boots[arch][which] += 1
        failures += [f'{name}: {f}' for f in fails]
        kinds = {d['kind'] for d in lines}
        if any(w not in kinds for w in WORKLOADS):
            failures.append(f'{name}: output of a workload missing')
        for key, v in boot_figures(lines).items():
            data.setdefault(arch, {}).setdefault(which, {}).setdefault(key, []).append(v)

    out = ['## Compaction benchmark: base kernel vs series', '']
    if args.machine:
        out.append(f'Machine: {args.machine}. Settings: {args.settings}.')
    out.append('Boots alternate base, series, base, ...; each boot reports the median of its '
               'passes, the table the median over the boots and ±half their range. '
               '"series/base" below 1 means less time (or fewer pages) with the series.')
    out.append('')
    notes = []
    for arch in sorted(data):
        nb = boots[arch]
        out.append(f'### {arch} ({nb.get("base", 0)} base + {nb.get("series", 0)} series boots'
                   + (accel_note(args.accel) if arch != 'uml' else ', native') + ')')
        out.append('')
        out.append('| workload | base | series | series/base |')
        out.append('|---|---|---|---|')
        base = data[arch].get('base', {})
        series = data[arch].get('series', {})
        fill = data[arch].get('base', {}).get(('fill', '', 'pages'))
        for key, label, _ in ROWS:
            b, s = base.get(key, []), series.get(key, [])
            mb, ms = med_spread(b)[0], med_spread(s)[0]
            ratio = f'{ms / mb:.2f}x' if mb and ms is not None else 'n/a'
            out.append(f'| {label} | {cell(b)} | {cell(s)} | {ratio} |')
        if fill:
            out.append('')
            out.append(f'Zone filled with {statistics.median(fill):.0f} pages (a quarter kept).')
        out.append('')

        def med(d, key):
            return med_spread(d.get(key, []))[0]

        for n in ('4096', '65536'):
            b, s = med(base, ('balloon', n, 'ns_per_page')), med(series, ('balloon', n, 'ns_per_page'))
            if b and s:
                r = s / b
                notes.append(f'{arch} balloon {n} pages: series at {r:.2f}x the base\'s time per '
                             f'page, target {TARGET_BALLOON}x: '
                             f'{"met" if r <= TARGET_BALLOON else "NOT met"}')
        b, s = med(base, ('compact', '', 'order9_after')), med(series, ('compact', '', 'order9_after'))
        if b is not None and s is not None:
            notes.append(f'{arch} free order-9 blocks after compaction: series {s:.0f}, base '
                         f'{b:.0f}, target >= base: {"met" if s >= b else "NOT met"}')
        for key, label in ((('compact', '', 'order9_after'), 'free order-9 blocks after compaction'),
                           (('contig', '2M', 'ok'), 'alloc_contig_range() 2 MiB success rate'),
                           (('contig', '64M', 'ok'), 'alloc_contig_range() 64 MiB success rate')):
            b, s = med(base, key), med(series, key)
            if b is not None and (s is None or s < b):
                failures.append(f'{arch} parity: {label}: series {fmt(s) if s is not None else "n/a"}'
                                f' < base {fmt(b)}')
        for field in ('migrate_scanned', 'free_scanned', 'migrated'):
            b, s = med(base, ('compact', '', field)), med(series, ('compact', '', field))
            if b and s is not None and abs(s - b) > PARITY_PAGES * b:
                failures.append(f'{arch} parity: compact_node() {field}: series {s:.0f}, base '
                                f'{b:.0f}, more than {PARITY_PAGES:.0%} apart')
        b, s = med(base, ('compact', '', 'ms')), med(series, ('compact', '', 'ms'))
        if b and s:
            r = s / b
            notes.append(f'{arch} compaction time: series at {r:.2f}x base, target '
                         f'{TARGET_COMPACT_TIME}x: {"met" if r <= TARGET_COMPACT_TIME else "NOT met"}')

    if notes:
        out.append('Targets (reported, not pass/fail):')
        out.append('')
        out += [f'- {n}' for n in notes]
        out.append('')
    if failures:
        out.append(f'FAILED compaction benchmark cases, boots or parity checks: {len(failures)}')
        out += [f'- {f}' for f in failures]
        out.append('')
    print('\n'.join(out))
    return 1 if failures or not data else 0


if __name__ == '__main__':
    sys.exit(main())
