/*
 * log: levelled lines on stderr.  Under systemd the journal reads the "<N>"
 * prefix as the priority; on a terminal a short level word is friendlier.
 */
#include "bot/lib/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum log_level min_level = LOG_LEVEL_INFO;
static int journal;

void log_init(void)
{
	journal = getenv("JOURNAL_STREAM") != NULL;
}

void log_set_level(enum log_level level)
{
	min_level = level;
}

int log_level_parse(const char *name)
{
	if (strcmp(name, "debug") == 0)
		return LOG_LEVEL_DEBUG;
	if (strcmp(name, "info") == 0)
		return LOG_LEVEL_INFO;
	if (strcmp(name, "warn") == 0)
		return LOG_LEVEL_WARN;
	return -1;
}

/* syslog priorities: 3 err, 4 warning, 6 info, 7 debug */
static void vlog(int prio, const char *word, const char *suffix, const char *fmt, va_list ap)
{
	char line[2048];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (journal)
		fprintf(stderr, "<%d>%s%s%s\n", prio, line, suffix ? ": " : "", suffix ? suffix : "");
	else
		fprintf(stderr, "dutybot %s: %s%s%s\n", word, line, suffix ? ": " : "", suffix ? suffix : "");
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(4, "warning", NULL, fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	if (min_level > LOG_LEVEL_INFO)
		return;
	va_start(ap, fmt);
	vlog(6, "info", NULL, fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (min_level > LOG_LEVEL_DEBUG)
		return;
	va_start(ap, fmt);
	vlog(7, "debug", NULL, fmt, ap);
	va_end(ap);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(3, "error", NULL, fmt, ap);
	va_end(ap);
	exit(1);
}
