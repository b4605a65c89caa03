/*
 * scriptdump: prints one Lua script exactly as the daemon embeds it (with the
 * _*.lua libraries in front), from the build's state_scripts.c, so that
 * redis-benchmark and redisprobe run the daemon's own code (same SHA).
 *
 *   scriptdump begin | redis-cli -x SCRIPT LOAD
 */
#include "state/scripts.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	for (unsigned i = 0; argc > 1 && i < state_script_count; i++)
		if (strcmp(state_script_sources[i].name, argv[1]) == 0) {
			fputs(state_script_sources[i].source, stdout);
			return 0;
		}
	fprintf(stderr, "usage: scriptdump NAME (a script of state/scripts, without .lua)\n");
	return 1;
}
