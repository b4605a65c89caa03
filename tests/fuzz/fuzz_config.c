/*
 * fuzz_config: the config loader on any file.  A config loads completely or
 * not at all: either a config and no error text, or no config and an error
 * text that says something.  The bytes go to a file in /dev/shm (libconfig
 * reads paths; @include is refused outside the config's own folder by
 * libconfig's include dir, which stays unset here).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *cfg;
	char *errors = NULL;
	int fd;

	if (path[0] == '\0')
		snprintf(path, sizeof(path), "/dev/shm/dutybot-fuzz-config-%ld.cfg", (long)getpid());
	/* @include would read other files of the machine: not the loader's input */
	if (size >= 8 && memmem(data, size, "@include", 8) != NULL)
		return 0;
	/* 0600: a config readable by others is (rightly) warned about on every load */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	close(fd);
	cfg = config_load(path, &errors);
	if (cfg != NULL) {
		CHECK(errors == NULL);
		config_free(cfg);
	} else {
		CHECK(errors != NULL && errors[0] != '\0');
	}
	free(errors);
	unlink(path);
	return 0;
}
