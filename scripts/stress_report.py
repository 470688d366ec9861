#!/usr/bin/env python3
"""Summary of the last migration storm (make stress, make check).

Reads build/stress/metrics.json and build/results/stress.tsv; prints what
ran, what was injected and the checks, and writes the same text to
build/results/stress.md.
"""
import json
import os
import sys

build = sys.argv[1]
try:
    with open(os.path.join(build, 'stress', 'metrics.json')) as f:
        m = json.load(f)
    with open(os.path.join(build, 'results', 'stress.tsv')) as f:
        rows = [line.rstrip('\n').split('\t') for line in f if line.strip()]
except OSError as e:
    sys.exit(f'stress_report: no results of a storm: {e}')


def g(key):
    return m.get(key, '?')


out = []
out.append(f'Migration storm: {g("storm_s")} s in an x86_64 guest (QEMU TCG, 4 vCPUs, '
           '2 NUMA nodes, KASAN, lockdep, DEBUG_VM)')
out.append('')
out.append('| what | done |')
out.append('|---|---|')
out.append(f'| move_pages() / migrate_pages() calls | {g("numa_move_pages_calls")} / '
           f'{g("numa_migrate_pages_calls")} ({g("numa_calls_refused")} refused as a whole) |')
out.append(f'| pages moved by move_pages() / not moved | {g("numa_pages_moved")} / '
           f'{g("numa_pages_not_moved")} |')
out.append(f'| pages compared after moves / differing | {g("numa_pages_checked")} / '
           f'{g("numa_pages_differing")} |')
out.append(f'| zram writes / reads (16 pages each) | {g("zram_writes")} / {g("zram_reads")} |')
out.append(f'| zram pages compared / differing | {g("zram_pages_checked")} / '
           f'{g("zram_pages_differing")} |')
out.append(f'| THP rounds (16 MiB) / with huge pages / pages differing | {g("thp_rounds")} / '
           f'{g("thp_rounds_with_huge_pages")} / {g("thp_pages_differing")} |')
out.append(f'| compact_memory writes | {g("compact_memory_writes")} |')
out.append(f'| balloon resizes asked of the host | {g("balloon_requests")} |')
out.append(f'| balloon pages inflated / deflated / migrated | {g("balloon_inflate")} / '
           f'{g("balloon_deflate")} / {g("balloon_migrate")} |')
out.append(f'| pages migrated / failed (pgmigrate_*) | {g("pgmigrate_success")} / '
           f'{g("pgmigrate_fail")} |')
out.append(f'| by range: balloon / zsmalloc / folio pages | '
           f'{g("pgmigrate_range_offline_success")} / {g("pgmigrate_range_zsmalloc_success")} / '
           f'{g("pgmigrate_range_folio_success")} |')
out.append(f'| faults injected: alloc / page / delay | {g("fail_migrate_alloc").split()[0]} / '
           f'{g("fail_migrate_page").split()[0]} / {g("fail_migrate_delay").split()[0]} |')
out.append(f'| zsmalloc objects / pages at the end | {g("zsmalloc_objects_used")} / '
           f'{g("zsmalloc_pages_used")} |')
out.append(f'| free memory (MemFree + per-CPU lists) after - before | '
           f'{g("free_delta_kb")} KiB (stack depot {g("stackdepot_before_kb")} -> '
           f'{g("stackdepot_after_kb")} KiB) |')
out.append('')
passed = sum(r[0] == 'ok' for r in rows)
out.append(f'checks: {passed} passed, {len(rows) - passed} failed')
for r in rows:
    if r[0] != 'ok':
        out.append(f'  FAILED: {r[1]} {r[2] if len(r) > 2 else ""}')
text = '\n'.join(out)
print()
print(text)
with open(os.path.join(build, 'results', 'stress.md'), 'w') as f:
    f.write(text + '\n')
