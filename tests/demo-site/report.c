/*
 * report: the demo site's output.  One function writes a whole line and
 * flushes it, so a test reading stdout line by line never sees half an
 * event, and a person sees replies as they happen.  When stdout is gone
 * (the test harness died) the owner is told once and shuts down; lines after
 * that are dropped.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "utf8.h"

static void report_write(struct report *r, const char *s, size_t len)
{
	if (r->broken)
		return;
	if (fwrite(s, 1, len, stdout) != len || fputc('\n', stdout) == EOF ||
	    fflush(stdout) == EOF) {
		r->broken = true;
		clearerr(stdout);
		if (r->on_broken)
			r->on_broken(r->arg);
	}
}

cJSON *report_ev(const char *name)
{
	cJSON *ev = cJSON_CreateObject();

	cJSON_AddStringToObject(ev, "ev", name);
	return ev;
}

void report_event(struct report *r, cJSON *ev, const char *human)
{
	if (r->machine) {
		char *s = cJSON_PrintUnformatted(ev);

		if (s) {
			report_write(r, s, strlen(s));
			cJSON_free(s);
		}
	} else if (human) {
		report_write(r, human, strlen(human));
	}
	/* after the line: what the watchers do in turn is reported after it */
	if (r->on_event)
		r->on_event(r->event_arg, ev);
	cJSON_Delete(ev);
}

void report_chat(struct report *r, cJSON *ev, const char *where, const char *who,
		 const char *text)
{
	char *prefix = NULL, *line;
	size_t plen, width, cap, n = 0;
	const char *p = text;
	long w;

	if (r->machine || r->broken) {
		report_event(r, ev, NULL);
		return;
	}
	if (who ? asprintf(&prefix, "[%s] %s: ", where, who) < 0
		: asprintf(&prefix, "[%s] ", where) < 0) {
		report_event(r, ev, NULL);
		return;
	}
	plen = strlen(prefix);
	w = utf8_count(prefix, plen);
	width = w < 0 ? plen : (size_t)w;
	/* Worst case every byte of TEXT is a line break followed by an indent. */
	cap = plen + strlen(text) * (width + 1) + 1;
	line = malloc(cap);
	if (!line) {
		free(prefix);
		report_event(r, ev, NULL);
		return;
	}
	memcpy(line, prefix, plen);
	n = plen;
	for (; *p; p++) {
		if (*p == '\r')
			continue;
		line[n++] = *p;
		if (*p == '\n') {
			memset(line + n, ' ', width);
			n += width;
		}
	}
	line[n] = '\0';
	report_event(r, ev, line);
	free(line);
	free(prefix);
}

void report_say(struct report *r, const char *fmt, ...)
{
	char *s;
	va_list ap;
	int n;

	if (r->machine)
		return;
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	report_write(r, s, (size_t)n);
	free(s);
}

void report_error(struct report *r, const char *fmt, ...)
{
	char *s, *h;
	cJSON *ev;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	ev = report_ev("error");
	cJSON_AddStringToObject(ev, "why", s);
	if (r->machine || asprintf(&h, "! %s", s) < 0)
		h = NULL;
	report_event(r, ev, h);
	free(h);
	free(s);
}
