# kunit.py --qemu_config for the benchmark: one node, two vCPUs (one per host
# core of the machine it was made for), room for 1 GiB of 2 MiB folios plus
# their copies. Booted by scripts/qemu-kunit.py, which adds the run's
# accelerator and CPU model (scripts/qemu_machine.py).
from ..qemu_config import QemuArchParams

QEMU_ARCH = QemuArchParams(linux_arch='x86_64',
			   kconfig='''
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y''',
			   qemu_arch='x86_64',
			   kernel_path='arch/x86/boot/bzImage',
			   kernel_command_line='console=ttyS0',
			   extra_qemu_params=[
				'-bios', 'qboot.rom',
				'-m', '4G',
				'-smp', '2',
			   ])
