/*
 * day: the demo's morning, played through dutybot's own commands.  The
 * steps are made from the config (who is minister, vice minister, agent;
 * which shift runs now and which comes next in the config's time zone) and
 * played one after the other: a step's line is typed, its answer awaited
 * (a send in its room, or a private message to the one who typed it), then
 * the bot is let finish what else that step made it say (announcements,
 * private notes), and only then the next line goes out, since a check-in
 * needs the roster and an accept needs the swap's id.
 */
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "day.h"
#include "people.h"
#include "report.h"

#define DAY_STEPS_MAX   16
#define DAY_REPLY_MS    15000   /* a step unanswered this long is passed over (said so) */
#define DAY_QUIET_MS    400     /* the bot said nothing more for this long: the step is done */
#define DAY_FRIEND      "anna"

struct day_step {
	char who[40];
	char room[40];          /* "dm": privately */
	char text[200];         /* "{swap}" stands for the swap's id */
	bool takes_swap_id;     /* the answer names the swap's id */
};

enum day_state { DAY_WAIT_BOT, DAY_WAIT_REPLY, DAY_WAIT_QUIET, DAY_DONE };

struct day {
	uv_timer_t timer;
	struct report *report;                  /* borrowed */
	void (*line)(void *arg, char *line);
	void *arg;
	struct day_step steps[DAY_STEPS_MAX];
	size_t n, at;
	enum day_state state;
	char swap_id[32];
	char summary[400];
	/* for the summary: display names of the day's people */
	const char *lead, *minister, *in, *not_in, *swapper, *friend;
	const char *shift;
	bool closed;
};

struct day_shift {
	const struct config_shift *s;
	const char *date;       /* "today", "yesterday", "tomorrow" */
};

/* --- the plan --------------------------------------------------------------------- */

static void day_add(struct day *d, const char *who, const char *room, bool takes_swap_id,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void day_add(struct day *d, const char *who, const char *room, bool takes_swap_id,
		    const char *fmt, ...)
{
	struct day_step *st;
	va_list ap;

	if (d->n == DAY_STEPS_MAX)
		return;
	st = &d->steps[d->n++];
	snprintf(st->who, sizeof(st->who), "%s", who);
	snprintf(st->room, sizeof(st->room), "%s", room);
	st->takes_swap_id = takes_swap_id;
	va_start(ap, fmt);
	vsnprintf(st->text, sizeof(st->text), fmt, ap);
	va_end(ap);
}

/*
 * Minutes after local midnight in the config's zone (the demo has no other
 * use of TZ).  DUTYBOT_FAKE_NOW, as dutybot reads it (epoch ms, or
 * YYYY-MM-DDTHH:MM:SSZ), moves "now" for both, so a test's day is the same
 * whatever the hour it runs at.
 */
static int day_now_min(const char *tz, struct report *report)
{
	const char *fake = getenv("DUTYBOT_FAKE_NOW");
	time_t t = time(NULL);
	struct tm tm;

	if (fake && *fake) {
		const char *end;

		memset(&tm, 0, sizeof(tm));
		if (fake[strspn(fake, "0123456789")] == '\0')
			t = (time_t)(strtoll(fake, NULL, 10) / 1000);
		else if ((end = strptime(fake, "%Y-%m-%dT%H:%M:%S", &tm)) && !strcmp(end, "Z"))
			t = timegm(&tm);
		else
			report_error(report, "the day: DUTYBOT_FAKE_NOW=%s is not epoch ms or "
				     "YYYY-MM-DDTHH:MM:SSZ; the real clock is used", fake);
	}
	setenv("TZ", tz && *tz ? tz : "UTC", 1);
	tzset();
	localtime_r(&t, &tm);
	return tm.tm_hour * 60 + tm.tm_min;
}

/* The shift starting soonest after minute FROM (not at it), *UNTIL minutes later. */
static const struct config_shift *day_next_start(const struct config *cfg, int from, int *until)
{
	const struct config_shift *best = NULL;

	*until = 2 * 24 * 60;
	for (size_t i = 0; i < cfg->n_shifts; i++) {
		int u = (cfg->shifts[i].start_min - from + 24 * 60) % (24 * 60);

		if (u == 0)
			u = 24 * 60;
		if (u < *until) {
			*until = u;
			best = &cfg->shifts[i];
		}
	}
	return best;
}

/*
 * The shift running at NOW (its date as a word: a night shift begun before
 * midnight is yesterday's) and the one starting next; in a gap between
 * shifts, the next two.  -1 without shifts.
 */
static int day_shifts(const struct config *cfg, int now, struct day_shift *run, struct day_shift *next)
{
	int u1 = 0, u2;

	run->s = NULL;
	for (size_t i = 0; i < cfg->n_shifts; i++) {
		const struct config_shift *s = &cfg->shifts[i];

		if (s->start_min < s->end_min ? now >= s->start_min && now < s->end_min
					      : now >= s->start_min || now < s->end_min) {
			run->s = s;
			run->date = s->start_min > s->end_min && now < s->end_min ? "yesterday" : "today";
		}
	}
	if (!run->s) {
		run->s = day_next_start(cfg, now, &u1);
		if (!run->s)
			return -1;
		run->date = now + u1 >= 24 * 60 ? "tomorrow" : "today";
	}
	next->s = day_next_start(cfg, (now + u1) % (24 * 60), &u2);
	next->date = now + u1 + u2 >= 24 * 60 ? "tomorrow" : "today";
	return 0;
}

/* Staff ids of ROLE who chat on this site, in the config's order. */
static size_t day_staff(const struct config *cfg, struct people *pp, enum role role,
			const char **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->n_staff && n < max; i++) {
		const struct person *p;

		if (cfg->staff[i].role != role)
			continue;
		for (size_t j = 0; (p = people_at(pp, j)); j++)
			if (p->staff && !strcmp(p->key, cfg->staff[i].id)) {
				out[n++] = p->key;
				break;
			}
	}
	return n;
}

/* KEY's display name (KEY itself if the directory cannot make the person). */
static const char *day_name(struct people *pp, const char *key)
{
	const struct person *p = people_speaker(pp, key);

	return p ? p->name : key;
}

static void day_plan(struct day *d, const struct config *cfg, struct people *pp)
{
	const char *min[1], *vice[2], *agents[4], *lead_run, *lead_next, *p = cfg->command_prefix;
	struct day_shift run, next;
	size_t n_min, n_vice, n_ag;

	n_min = day_staff(cfg, pp, ROLE_MINISTER, min, 1);
	if (!n_min)
		n_min = day_staff(cfg, pp, ROLE_WEBMASTER, min, 1);
	n_vice = day_staff(cfg, pp, ROLE_VICE_MINISTER, vice, 2);
	n_ag = day_staff(cfg, pp, ROLE_AGENT, agents, 4);
	if (!n_min || n_ag < 2 || day_shifts(cfg, day_now_min(cfg->timezone, d->report), &run, &next)) {
		snprintf(d->summary, sizeof(d->summary),
			 "no day set up: it needs a minister, two agents and shifts in the config");
		return;
	}
	lead_run = n_vice ? vice[0] : min[0];
	lead_next = n_vice > 1 ? vice[1] : lead_run;

	/* the minister fills the roster where rosters are made: in ops */
	day_add(d, min[0], "ops", false, "%sroster lead %s %s %s", p, run.date, run.s->name, lead_run);
	day_add(d, min[0], "ops", false, "%sroster minister %s %s %s", p, run.date, run.s->name, min[0]);
	day_add(d, min[0], "ops", false, "%sroster add %s %s %s %s", p, run.date, run.s->name,
		agents[0], agents[1]);
	day_add(d, min[0], "ops", false, "%sroster lead %s %s %s", p, next.date, next.s->name,
		lead_next);
	day_add(d, min[0], "ops", false, "%sroster minister %s %s %s", p, next.date, next.s->name,
		min[0]);
	if (n_ag > 2)
		day_add(d, min[0], "ops", false, "%sroster add %s %s %s", p, next.date, next.s->name,
			agents[2]);
	/* the lead and the first agent are in; the second agent is not (yet) */
	day_add(d, lead_run, "ops", false, "%scheckin", p);
	day_add(d, agents[0], "ops", false, "%scheckin", p);
	if (n_ag > 3) {
		day_add(d, agents[2], "ops", true, "%sswap %s %s with %s", p, next.date, next.s->name,
			agents[3]);
		day_add(d, agents[3], "dm", false, "%sswap accept {swap}", p);
	}
	day_add(d, DAY_FRIEND, "lobby", false,
		"%scomplain The video chat drops every few minutes since this morning", p);
	d->shift = run.s->name;
	d->lead = day_name(pp, lead_run);
	d->minister = day_name(pp, min[0]);
	d->in = day_name(pp, agents[0]);
	d->not_in = day_name(pp, agents[1]);
	d->swapper = n_ag > 3 ? day_name(pp, agents[2]) : NULL;
	d->friend = day_name(pp, DAY_FRIEND);
}

/* --- playing it ------------------------------------------------------------------- */

static void day_done(struct day *d)
{
	cJSON *ev = report_ev("day_ready");
	char human[sizeof(d->summary) + 32], swap[160] = "";

	d->state = DAY_DONE;
	uv_timer_stop(&d->timer);
	if (d->swapper && d->swap_id[0])
		snprintf(swap, sizeof(swap), "%s's swap %s waits for %s; ", d->swapper, d->swap_id,
			 d->minister);
	snprintf(d->summary, sizeof(d->summary),
		 "the %s shift runs with lead %s and minister on duty %s; %s is checked in, %s not yet; "
		 "%s%s's complaint is open", d->shift, d->lead, d->minister, d->in, d->not_in, swap,
		 d->friend);
	cJSON_AddStringToObject(ev, "summary", d->summary);
	if (d->swap_id[0])
		cJSON_AddStringToObject(ev, "swap", d->swap_id);
	snprintf(human, sizeof(human), "* the day is set up: %s", d->summary);
	report_event(d->report, ev, human);
}

static void day_timer_cb(uv_timer_t *t);

static void day_play(struct day *d)
{
	char *line, text[sizeof(d->steps[0].text) + 32];

	for (; d->at < d->n; d->at++) {
		const struct day_step *st = &d->steps[d->at];
		const char *mark = strstr(st->text, "{swap}");

		if (!mark) {
			snprintf(text, sizeof(text), "%s", st->text);
			break;
		}
		if (d->swap_id[0]) {
			snprintf(text, sizeof(text), "%.*s%s%s", (int)(mark - st->text), st->text,
				 d->swap_id, mark + 6);
			break;
		}
		report_error(d->report, "the day: the swap got no id, so \"%s\" is left out", st->text);
	}
	if (d->at == d->n) {
		day_done(d);
		return;
	}
	if (asprintf(&line, "%s@%s> %s", d->steps[d->at].who, d->steps[d->at].room, text) < 0)
		return;
	d->state = DAY_WAIT_REPLY;
	uv_timer_start(&d->timer, day_timer_cb, DAY_REPLY_MS, 0);
	d->line(d->arg, line);
	free(line);
}

static void day_timer_cb(uv_timer_t *t)
{
	struct day *d = t->data;

	if (d->state == DAY_WAIT_REPLY)
		report_error(d->report, "the day: no answer to \"%s\" in %d s; going on",
			     d->steps[d->at].text, DAY_REPLY_MS / 1000);
	d->at++;
	day_play(d);
}

static void day_take_swap_id(struct day *d, const char *text)
{
	regex_t re;
	regmatch_t m;

	if (regcomp(&re, "S-[0-9]+", REG_EXTENDED))
		return;
	if (!regexec(&re, text, 1, &m, 0) && m.rm_eo - m.rm_so < (regoff_t)sizeof(d->swap_id))
		snprintf(d->swap_id, sizeof(d->swap_id), "%.*s", (int)(m.rm_eo - m.rm_so), text + m.rm_so);
	regfree(&re);
}

void day_event(struct day *d, const cJSON *ev)
{
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "ev"));
	const char *room = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "room"));
	const char *to = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "to"));
	const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "text"));
	const struct day_step *st;
	bool bot_says;

	if (!d || d->closed || !name)
		return;
	if (d->state == DAY_WAIT_BOT) {
		if (!strcmp(name, "ready")) {
			report_say(d->report, "* setting up the day through dutybot's commands...");
			day_play(d);
		}
		return;
	}
	bot_says = !strcmp(name, "send") || !strcmp(name, "dm") || !strcmp(name, "system");
	if (!bot_says || d->state == DAY_DONE)
		return;
	st = &d->steps[d->at];
	if (d->state == DAY_WAIT_REPLY &&
	    ((!strcmp(name, "send") && room && !strcmp(room, st->room)) ||
	     (!strcmp(name, "dm") && to && !strcmp(to, st->who)))) {
		if (st->takes_swap_id && text && !d->swap_id[0])
			day_take_swap_id(d, text);
		d->state = DAY_WAIT_QUIET;
	}
	if (d->state == DAY_WAIT_QUIET)
		uv_timer_start(&d->timer, day_timer_cb, DAY_QUIET_MS, 0);
}

struct day *day_new(uv_loop_t *loop, const struct config *cfg, struct people *pp,
		    struct report *report, void (*line)(void *arg, char *line), void *arg)
{
	struct day *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->report = report;
	d->line = line;
	d->arg = arg;
	uv_timer_init(loop, &d->timer);
	d->timer.data = d;
	day_plan(d, cfg, pp);
	if (!d->n) {
		report_error(report, "the day: %s", d->summary);
		d->state = DAY_DONE;
	}
	return d;
}

static void day_closed_cb(uv_handle_t *h)
{
	free(h->data);
}

void day_close(struct day *d)
{
	if (!d || d->closed)
		return;
	d->closed = true;
	uv_close((uv_handle_t *)&d->timer, day_closed_cb);
}
