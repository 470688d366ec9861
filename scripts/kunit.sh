#!/usr/bin/env bash
# Build and run the KUnit suites with tools/testing/kunit/kunit.py.
#
# usage: kunit.sh uml|x86_64 [run|build] [filter_glob]
#
# uml:    UML kernel in build/uml, config/kunit.config + config/suites.config
# x86_64: the x86_64 test kernel in build/x86_64 (also used for the QEMU
#         end-to-end boot), + config/x86_64.config, built by kunit.py with
#         config/qemu_x86_64_numa.py (4 vCPUs, 2 NUMA nodes) and booted by
#         scripts/qemu-kunit.py with this run's accelerator (KVM where a
#         probe boot runs, else TCG: scripts/qemu_machine.py); the console
#         is parsed by `kunit.py parse`.
#
# x86_64-nobm: build only; the second x86_64 kernel, without balloon
#         migration (config/x86_64-nobm.config alone), in build/x86_64-nobm,
#         for the offline scenario of make check.
#
# BASE_ONLY=1 / PREFIX=N build the base (or a prefix of the series) instead,
# in build/<arch>-base or build/<arch>-pN, without config/suites.config.
# Results: build/results/kunit-<arch>.tsv (one line per test case).
. "$(dirname "$0")/common.sh"

arch=${1:?usage: kunit.sh uml|x86_64 [run|build] [filter_glob]}
action=${2:-run}
filter=${3:-${KUNIT_FILTER:-}}
select_tree

configs=(--kunitconfig="$TOP/config/kunit.config")
if [ "$arch" = x86_64-nobm ]; then
	[ "$action" = build ] || die "x86_64-nobm has no KUnit suites: build only"
	# Its config stands alone (no KUnit, no lockdep).
	configs=()
elif [ -z "$SUFFIX" ] || [ -n "${WITH_SUITES:-}" ]; then
	configs+=(--kunitconfig="$TOP/config/suites.config")
	suites=1
fi
for extra in ${EXTRA_KUNITCONFIG:-}; do
	configs+=(--kunitconfig="$extra")
done
case "$arch" in
uml)
	bdir=$BUILD/uml$SUFFIX
	archopts=()
	timeout=600
	;;
x86_64)
	bdir=$BUILD/x86_64$SUFFIX
	configs+=(--kunitconfig="$TOP/config/x86_64.config")
	[ -z "${suites:-}" ] || configs+=(--kunitconfig="$TOP/config/suites-x86_64.config")
	archopts=(--qemu_config="$TOP/config/qemu_x86_64_numa.py")
	timeout=1500
	;;
x86_64-nobm)
	bdir=$BUILD/x86_64-nobm$SUFFIX
	configs+=(--kunitconfig="$TOP/config/x86_64-nobm.config")
	archopts=(--qemu_config="$TOP/config/qemu_x86_64_numa.py")
	;;
*) die "unknown arch $arch" ;;
esac

# Progress of a kunit.py build (it keeps make's output to itself).
export PROGRESS_CMD="echo \$(find '$bdir' -name '*.o' 2>/dev/null | wc -l) objects in ${bdir#"$TOP"/}"
name=kunit-$arch$SUFFIX
log=$BUILD/logs/$name-$action.log
mkdir -p "$bdir" "$RESULTS" "$BUILD/logs"
kunit=(python3 "$SRC/tools/testing/kunit/kunit.py")

if [ "$action" = build ]; then
	run_logged "$log" "building $arch kernel (${bdir#"$TOP"/})" \
		"${kunit[@]}" build "${configs[@]}" "${archopts[@]}" \
		--build_dir="$bdir" --jobs="$JOBS" --make_options "CC=$CC_CMD"
	exit
fi

reset_results "$name"
json=$RESULTS/$name.json
rm -f "$json" "$bdir/test.log"
rc=0
if [ "$arch" = uml ]; then
	run_logged "$log" "KUnit on $arch: build and run${filter:+ ($filter)}" \
		"${kunit[@]}" run "${configs[@]}" "${archopts[@]}" \
		--build_dir="$bdir" --jobs="$JOBS" --make_options "CC=$CC_CMD" \
		--timeout="$timeout" --json="$json" ${filter:+"$filter"} || rc=$?
else
	# kunit.py builds; QEMU is started here with the run's accelerator.
	run_logged "$log" "building $arch kernel (${bdir#"$TOP"/})" \
		"${kunit[@]}" build "${configs[@]}" "${archopts[@]}" \
		--build_dir="$bdir" --jobs="$JOBS" --make_options "CC=$CC_CMD" || rc=$?
	if [ "$rc" = 0 ]; then
		accel=$(qemu_accel)
		unset PROGRESS_CMD
		run_logged "$BUILD/logs/$name-boot.log" \
			"KUnit on $arch in QEMU ($accel)${filter:+ ($filter)}" \
			python3 "$TOP/scripts/qemu-kunit.py" --build-dir="$bdir" \
			--qemu-config="$TOP/config/qemu_x86_64_numa.py" --name="$name" \
			--timeout="$timeout" ${filter:+--filter="$filter"} || rc=$?
		# The parser's exit status is that of the tests: the TSV below
		# has them one by one.
		"${kunit[@]}" parse --json="$json" "$bdir/test.log" \
			>"$BUILD/logs/$name-parse.log" 2>&1 || true
	fi
fi

python3 - "$json" "$RESULTS/$name.tsv" "$bdir/test.log" <<'EOF' || rc=1
import json, os, re, sys
path, out, raw = sys.argv[1:4]
rows = []
def walk(group, prefix):
    name = group.get('name', '')
    here = f'{prefix}.{name}' if prefix and name else (name or prefix)
    for case in group.get('test_cases', []):
        st = case.get('status', 'FAIL')
        rows.append(('ok' if st == 'PASS' else 'fail', f'{here}.{case["name"]}',
                     '' if st == 'PASS' else st.lower()))
    for sub in group.get('sub_groups', []):
        walk(sub, here)
try:
    with open(path) as f:
        data = json.load(f)
    for g in data.get('sub_groups', []):
        walk(g, '')
    for case in data.get('test_cases', []):
        walk({'test_cases': [case]}, data.get('name', ''))
except (OSError, ValueError) as e:
    rows.append(('fail', 'results', f'no KUnit results ({e})'))
if not rows:
    rows.append(('fail', 'results', 'KUnit ran no test'))
# Kernel splats during the run fail it even when every case passed.
splat = re.compile(r'WARNING:|BUG:|KASAN|Oops|general protection fault|'
                   r'possible circular locking|possible recursive locking|'
                   r'inconsistent lock state|UBSAN:|Bad page|refcount_t:|'
                   r'list_add corruption|list_del corruption')
if os.path.exists(raw) and os.path.exists(path):
    with open(raw, errors='replace') as f:
        hits = [l.strip() for l in f if splat.search(l)]
    rows.append(('ok' if not hits else 'fail', 'no_kernel_splats',
                 f'{len(hits)} lines, first: {hits[0]}' if hits else ''))
with open(out, 'a') as f:
    for st, name, detail in rows:
        f.write(f'{st}\t{name}\t{detail}\n')
fails = [r for r in rows if r[0] != 'ok']
print(f'{len(rows) - len(fails)} passed, {len(fails)} failed', file=sys.stderr)
for st, name, detail in fails:
    print(f'FAILED  {name} {detail}', file=sys.stderr)
sys.exit(1 if fails else 0)
EOF
exit $rc
