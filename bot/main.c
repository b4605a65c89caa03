/*
 * main: options, the configuration, and the daemon's life.  Exit codes:
 * 0 clean stop or valid config, 1 configuration or start-up error, 2 usage.
 */
#include "bot/daemon.h"
#include "handlers/guide.h"
#include "bot/lib/clock.h"
#include "bot/lib/log.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
	    "usage: dutybot [-c FILE] [--check-config]\n"
	    "       dutybot --version | --help | --print-guide\n"
	    "\n"
	    "  -c, --config FILE   configuration (default /etc/dutybot/dutybot.cfg)\n"
	    "  -t, --check-config  validate the configuration, print every problem, exit\n"
	    "  -V, --version       print the version\n"
	    "  -h, --help          this text\n"
	    "      --print-guide   print the commands section of dutybot(7), from the command table\n"
	    "\n"
	    "Signals: SIGHUP reloads the configuration, SIGTERM/SIGINT stop cleanly.\n"
	    "See dutybot(8), dutybot.cfg(5) and the user's guide dutybot(7).\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ "print-guide", no_argument, NULL, 'G' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = "/etc/dutybot/dutybot.cfg";
	bool check = false;
	struct config *cfg;
	struct dutybot bot;
	char *errors = NULL;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "c:tVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 't':
			check = true;
			break;
		case 'V':
			printf("dutybot %s\n", DUTYBOT_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		case 'G':
			guide_print(stdout, "!");
			return fflush(stdout) == 0 ? 0 : 1;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init();
	cfg = config_load(path, &errors);
	if (cfg == NULL) {
		fputs(errors ? errors : "configuration error\n", stderr);
		free(errors);
		return 1;
	}
	if (check) {
		/* warnings, not errors: the exit code says whether it would run */
		if (cfg->warnings != NULL)
			fputs(cfg->warnings, stderr);
		printf("%s: configuration OK\n", path);
		config_free(cfg);
		return 0;
	}
	if (clock_init() != 0) {
		config_free(cfg);
		return 1;
	}
	if (daemon_init(&bot, path, cfg) != 0) {
		log_warnx("start-up failed");
		daemon_free(&bot);
		return 1;
	}
	rc = daemon_run(&bot);
	daemon_free(&bot);
	return rc;
}
