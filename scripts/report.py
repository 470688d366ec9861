#!/usr/bin/env python3
"""Human report of the end-to-end run (make run).

Reads build/<scenario>/metrics.json and build/results/<scenario>.tsv.
"""
import json
import os
import sys

build = sys.argv[1]
scenario = sys.argv[2] if len(sys.argv) > 2 else 'e2e'
elapsed = int(sys.argv[3]) if len(sys.argv) > 3 else None

with open(os.path.join(build, scenario, 'metrics.json')) as f:
    m = json.load(f)
with open(os.path.join(build, 'results', f'{scenario}.tsv')) as f:
    rows = [line.rstrip('\n').split('\t') for line in f if line.strip()]


def g(key, default='?'):
    return m.get(key, default)


accel = '?'
try:
    with open(os.path.join(build, 'results', 'accel.txt')) as f:
        accel = dict(l.rstrip('\n').split('=', 1) for l in f if '=' in l).get('accel', '?')
except OSError:
    pass
print()
print(f'=== make run: page migration end to end (x86_64 guest, QEMU {accel.upper()}, '
      '2 NUMA nodes) ===')
print(f'balloon      inflated {g("balloon_pages")} pages in {g("balloon_inflate_s")}s, '
      f'deflated in {g("balloon_deflate_s")}s')
print(f'fragmenting  {g("frag_pages")} pages of anonymous memory; free 2 MiB blocks '
      f'{g("free_order9_before_frag")} -> {g("free_order9_fragmented")}')
print(f'compaction   {g("compaction_s")}s: {g("compaction_pages_migrated")} pages migrated, '
      f'of which {g("compaction_balloon_migrated")} balloon pages; '
      f'{g("compaction_migrate_scanned")} pfns scanned; '
      f'free 2 MiB blocks {g("free_order9_fragmented")} -> {g("free_order9_compacted")}')
print(f'NUMA         {g("numa_pages_moved")} pages moved: move_pages() to node 1 in '
      f'{g("numa_move_pages_ms")} ms, migrate_pages() back to node 0 in '
      f'{g("numa_migrate_pages_ms")} ms, contents intact')
if 'compaction_range_offline_migrated' in m:
    print(f'range path   {g("compaction_range_offline_migrated")} balloon pages and '
          f'{g("zram_range_zsmalloc_migrated")} zsmalloc pages migrated by migrate_range()')
print(f'zram         {g("zram_pages_checked")} pages through zsmalloc read back intact after '
      f'compaction ({g("zram_compaction_pages_migrated")} pages migrated); mm_stat {g("zram_mm_stat")}')
for key in ('selftests_mm_migration', 'selftests_mm_compaction_test'):
    if key in m:
        print(f'selftest     {key[len("selftests_mm_"):]}: {m[key]}')
print(f'guest        scenario {g("scenario_s")}s, boot to power-off {g("boot_to_poweroff_s")}s')
ok = sum(1 for r in rows if r[0] == 'ok')
bad = [r for r in rows if r[0] != 'ok']
print(f'checks       {ok} passed, {len(bad)} failed')
for r in bad:
    print(f'  FAILED {r[1]} {r[2] if len(r) > 2 else ""}')
if elapsed is not None:
    print(f'total        {elapsed // 60}m{elapsed % 60}s (fetch, build, boot, scenario)')
sys.exit(1 if bad else 0)
