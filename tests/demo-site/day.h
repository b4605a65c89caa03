/*
 * day: "a day already set up" for the demo (--day).  Once dutybot is
 * connected, the configured people type the bot's own commands as they
 * would on a real morning - the minister fills today's roster, the lead and
 * an agent check in, an agent asks for a swap and the other side accepts it,
 * a chat friend complains - so the newcomer's first !duty shows real names,
 * a swap waits for the minister and a complaint is open.  Nothing is written
 * to Redis behind the bot's back.
 */
#ifndef DEMO_DAY_H
#define DEMO_DAY_H

#include <cjson/cJSON.h>
#include <uv.h>

struct config;
struct people;
struct report;

struct day;

/* LINE types one console line ("mark@ops> !roster ..."), as at the prompt. */
struct day *day_new(uv_loop_t *loop, const struct config *cfg, struct people *pp,
		    struct report *report, void (*line)(void *arg, char *line), void *arg);
/* Every report event: the bot's readiness and answers pace the day. */
void day_event(struct day *d, const cJSON *ev);
/* From a uv callback at shutdown; the day is freed once the loop is done. */
void day_close(struct day *d);

#endif
