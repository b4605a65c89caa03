/*
 * report: everything the demo site tells its user, in one of two voices.
 * For a person at a terminal (the default) it prints short human lines:
 * "[lobby] dutybot: pong", "* session s-1 ready (resumed)".  For the tests
 * (--machine) every happening is exactly one JSON object per line
 * ({"ev":"message",...}).  Callers build the machine event and say what the
 * human line is; report picks.  stdout is flushed after every line.
 */
#ifndef DEMO_REPORT_H
#define DEMO_REPORT_H

#include <stdbool.h>
#include <cjson/cJSON.h>

struct report {
	bool machine;           /* --machine */
	bool echo;              /* human mode: echo typed chat lines (stdin is not a TTY) */
	bool broken;            /* stdout failed; on_broken was called */
	void (*on_broken)(void *arg);
	void *arg;
	/* Every machine event, in either voice, before it is printed: the web
	 * page and the day's setup watch the site through this. */
	void (*on_event)(void *arg, const cJSON *ev);
	void *event_arg;
};

/* Prints EV (machine) or HUMAN (human; NULL = nothing), then frees EV. */
void report_event(struct report *r, cJSON *ev, const char *human);

/*
 * As report_event, for a chat line: the human line is "[WHERE] WHO: TEXT"
 * ("[WHERE] TEXT" if WHO is NULL), further lines of TEXT indented under the
 * first one.
 */
void report_chat(struct report *r, cJSON *ev, const char *where, const char *who,
		 const char *text);

/* A line for people only; nothing in machine mode. */
void report_say(struct report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* {"ev":"error","why":...} or "! why". */
void report_error(struct report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* New machine event {"ev":NAME}; add fields with cJSON_Add*ToObject(). */
cJSON *report_ev(const char *name);

#endif
