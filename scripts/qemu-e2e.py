#!/usr/bin/env python3
"""Boot the x86_64 test kernel in QEMU and run a guest scenario.

The guest has two NUMA nodes (one socket each) and a virtio-balloon device.
It prints KTAP on the serial console; lines "@@HOST <request>" are requests
to the host, carried out here through QMP (balloon inflate/deflate, the
requested size of the virtio-mem device). After
the guest stops, the KTAP results, the guest's exit status and a scan of the
kernel log for splats become check results (one TSV line each), and the
"# metric" lines go to a JSON file for the report. The accelerator is the
run's (scripts/qemu_machine.py: KVM where a probe boot runs, else TCG).
"""
import argparse
import json
import os
import re
import select
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu_machine  # noqa: E402

KTAP_RE = re.compile(r'^(not ok|ok) (\d+) (\S+)(.*)$')
PLAN_RE = re.compile(r'^1\.\.(\d+)$')
BAIL_RE = re.compile(r'^Bail out!\s*(.*)$')
# ACPI interpreter and table errors: a device whose interrupt routing failed
# to evaluate (an AML loop time-out, say) is missing from the scenario.
ACPI_ERROR_RE = re.compile(r'ACPI (Error|BIOS Error|Exception)')
METRIC_RE = re.compile(r'^# metric (\S+) (.*)$')
KERNEL_LINE_RE = re.compile(r'\[\s*\d+\.\d+\]')
SPLAT_RE = re.compile(
    r'WARNING:|BUG:|KASAN|Oops|general protection fault|Kernel panic|'
    r'blocked for more than|possible circular locking|'
    r'possible recursive locking|inconsistent lock state|'
    r'lock held when returning|UBSAN:|soft lockup|hard LOCKUP|'
    r'rcu_sched self-detected stall|rcu: INFO|invoked oom-killer|'
    r'page allocation failure|list_add corruption|list_del corruption|'
    r'bad page state|Bad page|refcount_t:')


class Qmp:
    def __init__(self, path, timeout=60):
        deadline = time.time() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        self.buf = b''
        self._read()  # greeting
        self.cmd('qmp_capabilities')

    def _read(self):
        while b'\n' not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError('QMP connection closed')
            self.buf += data
        line, self.buf = self.buf.split(b'\n', 1)
        return json.loads(line)

    def cmd(self, name, **args):
        msg = {'execute': name}
        if args:
            msg['arguments'] = args
        self.sock.sendall(json.dumps(msg).encode() + b'\n')
        while True:
            reply = self._read()
            if 'return' in reply or 'error' in reply:
                return reply


def evaluate(lines, scenario, timed_out, guest_exit, timeout):
    """The check results of one guest console: (metrics, [(ok, name, detail)])."""
    plan = None
    tests = []
    metrics = {}
    splats = []
    bail = None
    acpi_errors = []
    for line in lines:
        m = BAIL_RE.match(line)
        if m and bail is None:
            bail = m.group(1)
        if KERNEL_LINE_RE.search(line) and ACPI_ERROR_RE.search(line):
            acpi_errors.append(line.strip())
        m = PLAN_RE.match(line)
        if m and plan is None:
            plan = int(m.group(1))
        m = KTAP_RE.match(line)
        if m:
            skip = '# SKIP' in m.group(4)
            tests.append((m.group(1) == 'ok' and not skip, m.group(3),
                          'skipped' if skip else ''))
        m = METRIC_RE.match(line)
        if m:
            metrics[m.group(1)] = m.group(2)
        if KERNEL_LINE_RE.search(line) and SPLAT_RE.search(line):
            splats.append(line)

    # First what the scenario could not start without: the cause, not its
    # consequences.
    checks = [(not acpi_errors, f'{scenario}_no_acpi_errors',
               f'{len(acpi_errors)} lines, first: {acpi_errors[0]}' if acpi_errors else '')]
    if bail is not None:
        checks.append((False, f'{scenario}_devices', bail))
    checks += tests
    complete = (not timed_out and guest_exit is not None and plan is not None
                and len(tests) == plan and bail is None)
    detail = ''
    if timed_out:
        detail = f'timed out after {timeout}s'
    elif bail is not None:
        detail = f'bailed out: {bail}'
    elif guest_exit is None:
        detail = 'guest stopped before the scenario ended'
    elif plan is None or len(tests) != plan:
        detail = f'{len(tests)} results for a plan of {plan}'
    checks.append((complete, f'{scenario}_completed', detail))
    checks.append((not splats, f'{scenario}_no_kernel_splats',
                   f'{len(splats)} splat lines, first: {splats[0].strip()}' if splats else ''))
    return metrics, checks


def write_results(path, checks):
    with open(path, 'a') as out:
        for ok, name, detail in checks:
            out.write(f'{"ok" if ok else "fail"}\t{name}\t{detail}\n')
            print(f'{"ok     " if ok else "FAILED "} e2e {name} {detail}', file=sys.stderr)


def evaluate_console(argv):
    """--evaluate CONSOLE SCENARIO RESULTS: the checks of a saved console
    (for the harness's own tests: a guest that bailed out, say)."""
    console, scenario, results = argv
    with open(console, errors='replace') as f:
        lines = [l.rstrip('\n') for l in f]
    exits = [int(m.group(1)) for m in (re.search(r'@@GUEST-EXIT (\d+)', l) for l in lines) if m]
    _, checks = evaluate(lines, scenario, False, exits[0] if exits else None, 0)
    write_results(results, checks)
    return 0


def main():
    if len(sys.argv) > 1 and sys.argv[1] == '--evaluate':
        return evaluate_console(sys.argv[2:])
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--kernel', required=True)
    ap.add_argument('--initrd', required=True)
    ap.add_argument('--workdir', required=True, help='console log, QMP socket, metrics')
    ap.add_argument('--results', required=True, help='TSV file to append results to')
    ap.add_argument('--scenario', default='e2e')
    ap.add_argument('--args', default='', help='comma-separated scenario arguments')
    ap.add_argument('--mem-mib', type=int, default=2048)
    ap.add_argument('--timeout', type=int, default=1800)
    ap.add_argument('--append', default='')
    ap.add_argument('--virtio-mem', type=int, default=0, metavar='MIB',
                    help='a fully plugged virtio-mem device of MIB on NUMA node 2, '
                         'whose only CPU is CPU 3 (a socket each: node 0 has CPUs 0-1, '
                         'node 1 CPU 2), so that a guest can allocate there')
    opts = ap.parse_args()

    os.makedirs(opts.workdir, exist_ok=True)
    sock_path = os.path.join(opts.workdir, 'qmp.sock')
    log_path = os.path.join(opts.workdir, 'console.log')
    if os.path.exists(sock_path):
        os.unlink(sock_path)
    half = opts.mem_mib // 2
    # QEMU's balloon target is relative to the boot memory: virtio-mem
    # memory does not count, and the balloon can take at most mem_mib.
    total_mib = opts.mem_mib + opts.virtio_mem
    cmdline = ('console=ttyS0 loglevel=5 kunit.enable=0 panic_on_warn=0 '
               f'e2e.scenario={opts.scenario} e2e.args={opts.args or "-"} '
               f'{opts.append}').strip()
    choice = qemu_machine.accel()
    qemu = [qemu_machine.QEMU, '-nodefaults', '-nographic', '-no-reboot',
            *qemu_machine.MACHINE, *qemu_machine.accel_args(choice), '-bios', 'qboot.rom',
            '-m', f'{opts.mem_mib}M' + (f',maxmem={total_mib}M' if opts.virtio_mem else ''),
            '-smp', '4,sockets=4,cores=1' if opts.virtio_mem else '4,sockets=2,cores=2',
            '-object', f'memory-backend-ram,id=m0,size={half}M',
            '-object', f'memory-backend-ram,id=m1,size={opts.mem_mib - half}M',
            '-numa', 'node,nodeid=0,cpus=0-1,memdev=m0',
            '-numa', f'node,nodeid=1,cpus={"2" if opts.virtio_mem else "2-3"},memdev=m1',
            '-device', 'virtio-balloon-pci,id=balloon0',
            *(['-numa', 'node,nodeid=2,cpus=3',
               '-object', f'memory-backend-ram,id=vmem0,size={opts.virtio_mem}M',
               '-device', 'virtio-mem-pci,id=vm0,memdev=vmem0,node=2,'
                          f'requested-size={opts.virtio_mem}M']
              if opts.virtio_mem else []),
            '-kernel', opts.kernel, '-initrd', opts.initrd,
            '-append', cmdline,
            '-serial', 'stdio',
            '-qmp', f'unix:{sock_path},server=on,wait=off']
    with open(os.path.join(opts.workdir, 'qemu-cmdline'), 'w') as f:
        f.write(' '.join(qemu) + '\n')

    t0 = time.time()
    proc = subprocess.Popen(qemu, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    qmp = None
    log = open(log_path, 'w')
    lines = []
    guest_exit = None
    timed_out = False
    pending = b''
    last_progress = t0

    def handle(line):
        nonlocal qmp, guest_exit
        lines.append(line)
        log.write(line + '\n')
        log.flush()
        m = re.search(r'@@HOST (\S+)\s*(\S*)', line)
        if m:
            if qmp is None:
                qmp = Qmp(sock_path)
            what, arg = m.group(1), m.group(2)
            if what == 'vmem-resize' and opts.virtio_mem:
                # virtio-mem: the size the device asks the guest to plug.
                target = int(arg) << 20
                reply = qmp.cmd('qom-set', path='vm0', property='requested-size',
                                value=target)
                print(f'  host: {what} {arg} -> QMP qom-set vm0 requested-size '
                      f'{target >> 20} MiB: {"ok" if "return" in reply else reply}',
                      file=sys.stderr)
                return
            if what == 'balloon-inflate':
                target = (opts.mem_mib - int(arg)) << 20
            elif what == 'balloon-deflate':
                target = opts.mem_mib << 20
            else:
                print(f'unknown host request {line!r}', file=sys.stderr)
                return
            reply = qmp.cmd('balloon', value=target)
            print(f'  host: {what} {arg} -> QMP balloon {target >> 20} MiB: '
                  f'{"ok" if "return" in reply else reply}', file=sys.stderr)
        m = re.search(r'@@GUEST-EXIT (\d+)', line)
        if m:
            guest_exit = int(m.group(1))
        m = KTAP_RE.match(line)
        if m or (line.startswith('# ') and not METRIC_RE.match(line)):
            # Results, and the diagnostics that explain a failure.
            print(f'  guest: {line}', file=sys.stderr)

    while True:
        if time.time() - t0 > opts.timeout:
            timed_out = True
            proc.kill()
            break
        if time.time() - last_progress >= 60:
            last_progress = time.time()
            tail = lines[-1][:90] if lines else ''
            print(f'  ... guest running {int(time.time() - t0)}s: {tail}', file=sys.stderr)
        r, _, _ = select.select([proc.stdout], [], [], 1.0)
        if r:
            data = os.read(proc.stdout.fileno(), 65536)
            if not data:
                break
            pending += data
            while b'\n' in pending:
                raw, pending = pending.split(b'\n', 1)
                handle(raw.decode('utf-8', 'replace').rstrip('\r'))
        elif proc.poll() is not None:
            break
    if pending:
        handle(pending.decode('utf-8', 'replace'))
    proc.wait()
    log.close()
    elapsed = time.time() - t0
    qemu_machine.record_boot(opts.scenario, choice, elapsed,
                             124 if timed_out else proc.returncode)

    metrics, checks = evaluate(lines, opts.scenario, timed_out, guest_exit,
                               opts.timeout)
    metrics['boot_to_poweroff_s'] = f'{elapsed:.0f}'
    with open(os.path.join(opts.workdir, 'metrics.json'), 'w') as f:
        json.dump(metrics, f, indent=1)
    write_results(opts.results, checks)
    print(f'  console log: {log_path} ({elapsed:.0f}s)', file=sys.stderr)
    return 0


if __name__ == '__main__':
    sys.exit(main())
