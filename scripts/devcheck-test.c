// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's device check (balloon_device_ready() in guest/guest.h) run on
 * the host against sysfs trees made up by scripts/harness-test.sh: a driver
 * directory with no device, a device without an interrupt, one with an INTx
 * line only, one with MSI-X vectors only.
 *
 * usage: devcheck-test DRIVER_DIR
 * Prints "ready" or "not ready: <why>"; exits 0 if ready, 1 if not.
 */
#include "../guest/guest.h"

int main(int argc, char **argv)
{
	char why[512];

	if (argc != 2) {
		fprintf(stderr, "usage: %s DRIVER_DIR\n", argv[0]);
		return 2;
	}
	if (!balloon_device_ready(argv[1], why, sizeof(why))) {
		printf("not ready: %s\n", why);
		return 1;
	}
	printf("ready\n");
	return 0;
}
