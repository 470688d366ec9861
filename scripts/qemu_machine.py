#!/usr/bin/env python3
"""The QEMU machine every x86_64 boot of the harness uses, and its accelerator.

One accelerator per run (one `make` invocation, identified by HARNESS_T0):
KVM only when a probe boot with KVM actually runs guest code, else TCG. The
decision is written to build/results/accel.txt and read back by every later
QEMU start of the same run (KUnit x86_64, e2e, stress, bench), so that all
of a run's boots use the same one. QEMU_ACCEL=kvm|tcg forces the choice
(kvm is still probed, and a forced KVM that fails the probe is an error).
The probe boots a boot sector that ends QEMU through isa-debug-exit with a
status nothing else gives, on the same machine type and CPU model as the
real boots: a /dev/kvm that opens but cannot run a guest (no VMX/SVM, an
MSR QEMU cannot set) fails it in well under a second.

Every boot is counted in build/results/boots.tsv (name, accelerator,
seconds, exit status): `make check` and `make run` end with that count.

As a program:
  qemu_machine.py accel            print the accelerator of this run (probing once)
  qemu_machine.py probe ACCEL [QEMU-ARGS...]
                                   probe ACCEL with extra QEMU arguments; exit 0 if
                                   the probe guest ran (for the harness's own tests)
  qemu_machine.py boots [--since T] print the boots of this run, one line each
"""
import os
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get('BUILD', os.path.join(TOP, 'build'))
RESULTS = os.path.join(BUILD, 'results')
ACCEL_FILE = os.path.join(RESULTS, 'accel.txt')
BOOTS_FILE = os.path.join(RESULTS, 'boots.tsv')

QEMU = 'qemu-system-x86_64'
# The machine type of every boot. The probe boots the same one.
#
# Why q35 and not pc (i440fx/PIIX): on pc, the PCI interrupt routing is
# QEMU's PIIX _PRT, an AML While loop over 128 slot/pin entries that ACPICA
# interprets when the first device is enabled. Under TCG with the KASAN test
# kernel, from "virtio-pci 0000:00:02.0: enabling device" to "LNKB: Enabled
# at IRQ 10" took 23.1 s (loglevel=8 boot, 2-core host, nothing else
# running), close to ACPICA's 30 s loop limit: a slower moment of the host
# aborts _PRT with AE_AML_LOOP_TIMEOUT and the device gets no interrupt.
# q35's _PRT is a static package: the same step took 0.22 s, and the boot
# to init 8.3 s instead of 32.9 s.
MACHINE = ['-machine', 'q35']

# CPU model per accelerator. KVM: the host's CPU, as on an mm developer's
# machine (and the only setting where the x86_64 benchmark figures mean
# something). TCG: QEMU's "max" model, every feature TCG emulates, 5-level
# paging (LA57) included.
#
# LA57 under TCG used to fail about one KASAN boot in twenty with
# "wild-memory-access in do_raw_spin_lock" on a direct-map address
# (ff11...), from an interrupt taken while identify_cpu() probed the boot
# CPU again: that is a kernel bug (X86_FEATURE_LA57 was clear for a moment,
# so KASAN computed its shadow bounds for 4-level paging), fixed by patch 1
# of the series, which every kernel the harness boots carries (the series,
# and the base of make bench, PREFIX=3). A kernel without it would need
# "max,la57=off" here.
CPU = {'kvm': ['-cpu', 'host'], 'tcg': ['-cpu', 'max']}

# The probe guest: a boot sector that writes 0x31 to the isa-debug-exit port,
# after which QEMU exits with status (0x31 << 1) | 1 = 99. Nothing else in
# QEMU exits with 99, so that status proves the guest ran code.
PROBE_CODE = bytes([0xb0, 0x31,		# mov $0x31, %al
		    0xe6, 0xf4,		# out %al, $0xf4
		    0xfa, 0xf4,		# cli; hlt
		    0xeb, 0xfd])	# jmp back to hlt
PROBE_EXIT = 99
PROBE_TIMEOUT = 60


def progress(msg):
    t0 = int(os.environ.get('HARNESS_T0', time.time()))
    print(f'[{int(time.time()) - t0:4d}s] {msg}', file=sys.stderr, flush=True)


def probe(accel, extra=()):
    """Boot the probe guest with ACCEL; return (ok, one-line reason)."""
    if accel == 'kvm' and not os.access('/dev/kvm', os.R_OK | os.W_OK):
        return False, '/dev/kvm is missing or not accessible'
    with tempfile.TemporaryDirectory() as tmp:
        img = os.path.join(tmp, 'probe.img')
        with open(img, 'wb') as f:
            f.write(PROBE_CODE + bytes(510 - len(PROBE_CODE)) + b'\x55\xaa')
            # q35's AHCI disk cannot be read by SeaBIOS if it is shorter
            # than what it reads at once: make it 1 MiB.
            f.truncate(1 << 20)
        cmd = [QEMU, '-nodefaults', '-nographic', '-no-reboot', *MACHINE,
               '-accel', accel, *CPU[accel], '-m', '64', '-smp', '1',
               '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
               '-drive', f'file={img},format=raw,if=ide',
               '-serial', 'none', '-monitor', 'none', *extra]
        try:
            p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                               text=True, errors='replace', timeout=PROBE_TIMEOUT)
        except subprocess.TimeoutExpired:
            return False, f'the probe guest did not finish in {PROBE_TIMEOUT}s'
        except OSError as e:
            return False, f'cannot start {QEMU}: {e}'
    if p.returncode == PROBE_EXIT:
        return True, 'the probe guest ran'
    lines = [l.strip() for l in (p.stdout + p.stderr).splitlines() if l.strip()]
    first = lines[0] if lines else 'no output'
    return False, f'QEMU exited with status {p.returncode}: {first}'


def accel():
    """The accelerator of this run: probed once, then read from ACCEL_FILE."""
    run = os.environ.get('HARNESS_T0', '')
    forced = os.environ.get('QEMU_ACCEL', '')
    if forced not in ('', 'kvm', 'tcg'):
        sys.exit(f'error: QEMU_ACCEL must be kvm or tcg, not {forced!r}')
    try:
        with open(ACCEL_FILE) as f:
            fields = dict(l.rstrip('\n').split('=', 1) for l in f if '=' in l)
        if run and fields.get('run') == run and fields.get('forced', '') == forced:
            return fields['accel']
    except (OSError, KeyError, ValueError):
        pass
    if forced == 'tcg':
        choice, why = 'tcg', 'forced by QEMU_ACCEL=tcg'
    else:
        t = time.time()
        # ACCEL_PROBE_ARGS: extra QEMU arguments for the KVM probe, for the
        # harness's own tests (an option set that cannot start stands for
        # a KVM that fails).
        ok, reason = probe('kvm', os.environ.get('ACCEL_PROBE_ARGS', '').split())
        record_boot('accel-probe (kvm)', 'kvm', time.time() - t, 0 if ok else 1)
        if ok:
            choice, why = 'kvm', 'KVM probe boot ran' + (' (QEMU_ACCEL=kvm)' if forced else '')
        elif forced == 'kvm':
            sys.exit(f'error: QEMU_ACCEL=kvm, but the KVM probe failed: {reason}')
        else:
            choice, why = 'tcg', f'KVM probe failed: {reason}'
    os.makedirs(RESULTS, exist_ok=True)
    with open(ACCEL_FILE + '.tmp', 'w') as f:
        f.write(f'run={run}\nforced={forced}\naccel={choice}\nwhy={why}\n'
                f'cpu={" ".join(CPU[choice][1:])}\n')
    os.replace(ACCEL_FILE + '.tmp', ACCEL_FILE)
    progress(f'QEMU accelerator: {choice} ({why})')
    return choice


def accel_args(choice=None):
    choice = choice or accel()
    return ['-accel', choice, *CPU[choice]]


def record_boot(name, choice, seconds, status):
    os.makedirs(RESULTS, exist_ok=True)
    with open(BOOTS_FILE, 'a') as f:
        f.write(f'{os.environ.get("HARNESS_T0", "")}\t{name}\t{choice}\t'
                f'{seconds:.0f}\t{status}\n')


def boots(run=None):
    run = os.environ.get('HARNESS_T0', '') if run is None else run
    rows = []
    try:
        with open(BOOTS_FILE) as f:
            for line in f:
                r = line.rstrip('\n').split('\t')
                if len(r) == 5 and r[0] == run:
                    rows.append(r[1:])
    except OSError:
        pass
    return rows


def main(argv):
    if len(argv) >= 2 and argv[1] == 'accel':
        print(accel())
        return 0
    if len(argv) >= 3 and argv[1] == 'probe':
        if argv[2] not in CPU:
            print(f'unknown accelerator {argv[2]!r}', file=sys.stderr)
            return 2
        ok, reason = probe(argv[2], argv[3:])
        print(reason)
        return 0 if ok else 1
    if len(argv) >= 2 and argv[1] == 'boots':
        rows = boots()
        total = sum(int(r[2]) for r in rows)
        print(f'QEMU boots in this run: {len(rows)}, {total // 60}m{total % 60}s in all')
        for name, choice, secs, status in rows:
            print(f'  {name:<22} {choice:<4} {int(secs):5d}s  exit {status}')
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
