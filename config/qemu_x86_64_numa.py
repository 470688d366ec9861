# kunit.py --qemu_config for the series: the x86_64 test kernel on a QEMU
# machine with two NUMA nodes, each its own socket with two CPUs. kunit.py
# builds with it; scripts/qemu-kunit.py boots with its command line and
# machine, adding the run's accelerator and CPU model (-accel kvm -cpu host
# or -accel tcg -cpu max: scripts/qemu_machine.py).
from ..qemu_config import QemuArchParams

QEMU_ARCH = QemuArchParams(linux_arch='x86_64',
			   kconfig='''
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y''',
			   qemu_arch='x86_64',
			   kernel_path='arch/x86/boot/bzImage',
			   kernel_command_line='console=ttyS0 panic_on_warn=0',
			   extra_qemu_params=[
				'-bios', 'qboot.rom',
				'-m', '2G',
				'-smp', '4,sockets=2,cores=2',
				'-object', 'memory-backend-ram,id=m0,size=1G',
				'-object', 'memory-backend-ram,id=m1,size=1G',
				'-numa', 'node,nodeid=0,cpus=0-1,memdev=m0',
				'-numa', 'node,nodeid=1,cpus=2-3,memdev=m1',
			   ])
