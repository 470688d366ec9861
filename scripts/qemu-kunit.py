#!/usr/bin/env python3
"""Boot a KUnit kernel built by `kunit.py build` in QEMU and keep its console.

kunit.py starts QEMU with a fixed accelerator list (kvm, hvf, tcg): QEMU
takes the first one that initialises, and a /dev/kvm that initialises but
cannot run a guest aborts the boot. So the harness builds with kunit.py,
starts QEMU itself with the accelerator of this run (scripts/qemu_machine.py)
and hands the console to `kunit.py parse`.

The kernel command line and the QEMU machine (memory, CPUs, NUMA nodes, BIOS)
come from the --qemu_config file that kunit.py built the kernel with, so
that file stays the one description of the machine; its -cpu, if any, is
replaced by the accelerator's CPU model.

The console goes to BUILD_DIR/test.log (where kunit.py keeps it too). Exit
status: QEMU's, or 124 on a time-out.
"""
import argparse
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import List

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu_machine  # noqa: E402


@dataclass
class QemuArchParams:
    linux_arch: str
    kconfig: str
    qemu_arch: str
    kernel_path: str
    kernel_command_line: str
    extra_qemu_params: List[str] = field(default_factory=list)
    serial: str = 'stdio'


def load_qemu_config(path):
    with open(path) as f:
        src = f.read()
    src = src.replace('from ..qemu_config import QemuArchParams', '')
    ns = {'QemuArchParams': QemuArchParams}
    exec(compile(src, path, 'exec'), ns)
    return ns['QEMU_ARCH']


def strip_cpu(params):
    out, skip = [], False
    for p in params:
        if skip:
            skip = False
        elif p == '-cpu':
            skip = True
        else:
            out.append(p)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--build-dir', required=True)
    ap.add_argument('--qemu-config', required=True)
    ap.add_argument('--name', required=True, help='name of the boot in boots.tsv')
    ap.add_argument('--filter', default='', help='kunit.filter_glob')
    ap.add_argument('--kernel-args', default='')
    ap.add_argument('--timeout', type=int, default=1500)
    opts = ap.parse_args()

    cfg = load_qemu_config(opts.qemu_config)
    if cfg.qemu_arch != 'x86_64':
        sys.exit(f'error: {opts.qemu_config}: only x86_64 guests are started here')
    choice = qemu_machine.accel()
    cmdline = opts.kernel_args.split()
    if opts.filter:
        cmdline.append('kunit.filter_glob=' + opts.filter)
    cmdline += ['kunit.enable=1', cfg.kernel_command_line]
    if 'kunit_shutdown=' not in cfg.kernel_command_line:
        cmdline.append('kunit_shutdown=reboot')
    qemu = [qemu_machine.QEMU, '-nodefaults', '-nographic', '-no-reboot',
            *qemu_machine.MACHINE, *qemu_machine.accel_args(choice),
            '-m', '1024',
            '-kernel', os.path.join(opts.build_dir, cfg.kernel_path),
            '-append', ' '.join(cmdline),
            '-serial', cfg.serial, *strip_cpu(cfg.extra_qemu_params)]
    print('Running tests with:\n$ ' + ' '.join(qemu), file=sys.stderr, flush=True)

    log_path = os.path.join(opts.build_dir, 'test.log')
    t0 = time.time()
    timed_out = threading.Event()
    with open(log_path, 'w') as log:
        proc = subprocess.Popen(qemu, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, errors='replace')

        def watchdog():
            try:
                proc.wait(timeout=opts.timeout)
            except subprocess.TimeoutExpired:
                timed_out.set()
                proc.kill()
        threading.Thread(target=watchdog, daemon=True).start()
        for line in proc.stdout:
            log.write(line)
            log.flush()
        rc = proc.wait()
    secs = time.time() - t0
    if timed_out.is_set():
        rc = 124
        print(f'error: the guest did not finish in {opts.timeout}s', file=sys.stderr)
    qemu_machine.record_boot(opts.name, choice, secs, rc)
    print(f'{opts.name}: {choice}, {secs:.0f}s, exit {rc}; console in {log_path}',
          file=sys.stderr)
    return rc


if __name__ == '__main__':
    sys.exit(main())
