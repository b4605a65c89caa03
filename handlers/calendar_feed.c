/*
 * calendar_feed: each person's shifts, and for ministers the department's,
 * as an iCalendar feed on the HTTP listener (GET /calendar/<secret>.ics),
 * the link from !calendar feed.  The secret is a selector (finds the feed)
 * and a token (compared in constant time by calendar_read.lua), both random
 * from the kernel.  The page is read live at each request: one script call
 * that also remembers what the feed showed, so SEQUENCE grows when a slot
 * changes and a slot swapped or taken away stays in the feed as CANCELLED
 * (a client that deletes it at once would keep showing the stale one).
 */
#include "handlers/handlers.h"
#include "handlers/common.h"
#include "handlers/shift_time.h"
#include "bot/ops/http.h"
#include "bot/lib/ics.h"
#include "bot/lib/log.h"
#include "bot/lib/when.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define FEED_SEL_BYTES 8                /* hex: 16 characters */
#define FEED_TOKEN_BYTES 16             /* hex: 32 characters */
#define FEED_SECRET_LEN ((FEED_SEL_BYTES + FEED_TOKEN_BYTES) * 2)
#define FEED_DAYS_PAST 14               /* a feed shows the shifts of two weeks back, */
#define FEED_DAYS_AHEAD 92              /* ...and three months ahead */
#define FEED_PATH "/calendar/"
#define FEED_NOT_FOUND "not found\n"    /* the same for every bad link: no hint */

/* ---- !calendar feed [department] [renew] ---- */

static void hex(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static void on_feed(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	const struct config *cfg = request_config(req);
	bool dept = strcmp(req->data_person, "dept") == 0;
	char url[512], text[2048], line[512];
	size_t len;

	if (err != NULL || !reply_is(r, "ok")) {
		reply_state_error(req, err ? err : "unexpected reply");
		request_done(req);
		return;
	}
	if (cfg->http.public_url != NULL)
		snprintf(url, sizeof(url), "%s%s%s%s.ics", cfg->http.public_url, FEED_PATH, reply_str(r, 1),
		    reply_str(r, 2));
	else
		snprintf(url, sizeof(url), "http://%s%s%s%s.ics", http_listen_text(cfg->http.listen_host,
		    cfg->http.listen_port), FEED_PATH, reply_str(r, 1), reply_str(r, 2));
	len = strlen(MSG(req, text, dept ? MSG_CALFEED_DEPT_LINK : MSG_CALFEED_LINK, "url", url,
	    "prefix", cfg->command_prefix));
	if (strcmp(reply_str(r, 3), "renewed") == 0)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "\n%s", MSG(req, line, MSG_CALFEED_RENEWED));
	if (cfg->http.public_url == NULL && len < sizeof(text))
		snprintf(text + len, sizeof(text) - len, "\n%s", MSG(req, line, MSG_CALFEED_LOCAL));
	/* the link opens the feed: only its owner may see it */
	reply_private_text(req, text);
	request_done(req);
}

void calendar_feed_cmd(struct request *req)
{
	const struct config *cfg = request_config(req);
	int argc = req->cmd.argc, at = 2;
	bool dept = false, renew = false;
	unsigned char raw[FEED_SEL_BYTES + FEED_TOKEN_BYTES];
	char sel[FEED_SEL_BYTES * 2 + 1], tok[FEED_TOKEN_BYTES * 2 + 1];
	struct state_args *a;

	if (at < argc && strcmp(req->cmd.argv[at], "department") == 0) {
		dept = true;
		at++;
	}
	if (at < argc && strcmp(req->cmd.argv[at], "renew") == 0) {
		renew = true;
		at++;
	}
	if (at != argc) {
		reply_usage(req);
		request_done(req);
		return;
	}
	if (dept && req->caller.role < ROLE_MINISTER) {
		refuse(req, MSG_REFUSED_ROLE, "prefix", cfg->command_prefix, "cmd", "calendar feed department",
		    "needed", role_display(ROLE_MINISTER, req->caller.lang),
		    "role", role_display(req->caller.role, req->caller.lang));
		request_done(req);
		return;
	}
	if (cfg->http.listen_host == NULL) {
		refuse(req, MSG_CALFEED_OFF);
		request_done(req);
		return;
	}
	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
		reply_state_error(req, "no random bytes from the kernel");
		request_done(req);
		return;
	}
	hex(raw, FEED_SEL_BYTES, sel);
	hex(raw + FEED_SEL_BYTES, FEED_TOKEN_BYTES, tok);
	snprintf(req->data_person, sizeof(req->data_person), "%s", dept ? "dept" : "person");
	a = script_args(req, "icsfeeds");
	state_args_add(a, req->data_person);
	state_args_add(a, renew ? "1" : "0");
	state_args_add(a, sel);
	state_args_add(a, tok);
	state_eval(request_state(req), SCRIPT_CALENDAR_FEED, 1, a, on_feed, req);
}

/* ---- GET /calendar/<secret>.ics ---- */

struct feed_page {
	struct http_reply *reply;       /* answered exactly once */
	int64_t now, from_ms, to_ms;
	char tzid[64];
	char site[40];
	char default_lang[4];
};

static void not_found(struct http_reply *reply)
{
	http_answer(reply, 404, "text/plain; charset=utf-8", strdup(FEED_NOT_FOUND), strlen(FEED_NOT_FOUND));
}

static enum msg_id slot_msg(const char *slot)
{
	if (strcmp(slot, "lead") == 0)
		return MSG_ROSTER_SLOT_LEAD;
	if (strcmp(slot, "minister") == 0)
		return MSG_ROSTER_SLOT_MINISTER;
	return MSG_ROSTER_SLOT_AGENT;
}

/* One event: E = {date, shift, id, name, slot, seq, C|X, stamp, start-end}. */
static void put_event(struct ics_buf *b, const struct feed_page *pg, const redisReply *e, const char *lang,
                      bool dept)
{
	long long start = 0, end = 0;
	char uid[160], name[96], t[24], summary[512], date[9];
	const char *d = reply_str(e, 0);

	if (e->type != REDIS_REPLY_ARRAY || e->elements < 9 ||
	    sscanf(reply_str(e, 8), "%lld-%lld", &start, &end) != 2 || strlen(d) != 10)
		return;
	snprintf(date, sizeof(date), "%.4s%.2s%.2s", d, d + 5, d + 8);
	/* stable across edits: the slot's place, not its content */
	snprintf(uid, sizeof(uid), "%s-%s-%s@%s.dutybot", date, reply_str(e, 1), reply_str(e, 2), pg->site);
	ics_line(b, "BEGIN", "VEVENT");
	ics_line(b, "UID", uid);
	ics_line(b, "DTSTAMP", ics_utc_time(strtoll(reply_str(e, 7), NULL, 10), t));
	ics_line(b, "LAST-MODIFIED", t);
	snprintf(name, sizeof(name), "DTSTART;TZID=%s", pg->tzid);
	ics_line(b, name, ics_local_time(start, t));
	snprintf(name, sizeof(name), "DTEND;TZID=%s", pg->tzid);
	ics_line(b, name, ics_local_time(end, t));
	catalog_format(summary, sizeof(summary), lang, dept ? MSG_ICS_EVENT_DEPT : MSG_ICS_EVENT,
	    (const char *const[]){ "name", reply_str(e, 3), "shift", catalog_shift(lang, reply_str(e, 1)),
	    "slot", catalog_text(lang, slot_msg(reply_str(e, 4))) }, 6);
	ics_text(b, "SUMMARY", summary);
	ics_line(b, "SEQUENCE", reply_str(e, 5));
	ics_line(b, "STATUS", strcmp(reply_str(e, 6), "X") == 0 ? "CANCELLED" : "CONFIRMED");
	ics_line(b, "END", "VEVENT");
}

/* {'ok', kind, lang, owner's name, events...} into the feed's text */
static char *render(const struct feed_page *pg, const redisReply *r, size_t *len)
{
	bool dept = strcmp(reply_str(r, 1), "dept") == 0;
	const char *lang = reply_str(r, 2)[0] != '\0' ? reply_str(r, 2) : pg->default_lang;
	struct ics_buf b = { 0 };
	char calname[256];

	ics_line(&b, "BEGIN", "VCALENDAR");
	ics_line(&b, "VERSION", "2.0");
	ics_line(&b, "PRODID", "-//dutybot//calendar feed//EN");
	ics_line(&b, "CALSCALE", "GREGORIAN");
	catalog_format(calname, sizeof(calname), lang, dept ? MSG_ICS_CALNAME_DEPT : MSG_ICS_CALNAME,
	    (const char *const[]){ "name", reply_str(r, 3) }, 2);
	ics_text(&b, "X-WR-CALNAME", calname);
	ics_text(&b, "X-WR-TIMEZONE", pg->tzid);
	/* how often a client should look again (RFC 7986; the older name too) */
	ics_line(&b, "REFRESH-INTERVAL;VALUE=DURATION", "PT1H");
	ics_line(&b, "X-PUBLISHED-TTL", "PT1H");
	ics_vtimezone(&b, pg->tzid, pg->from_ms, pg->to_ms);
	for (size_t i = 4; i < r->elements; i++)
		put_event(&b, pg, r->element[i], lang, dept);
	ics_line(&b, "END", "VCALENDAR");
	return ics_buf_take(&b, len);
}

static void on_page(const redisReply *r, const char *err, void *privdata)
{
	struct feed_page *pg = privdata;
	size_t len = 0;
	char *text;

	if (err != NULL) {
		log_warnx("calendar feed: %s", err);
		text = strdup("the state store is unavailable, try again later\n");
		http_answer(pg->reply, 503, "text/plain; charset=utf-8", text, text ? strlen(text) : 0);
	} else if (!reply_is(r, "ok")) {
		not_found(pg->reply);
	} else {
		text = render(pg, r, &len);
		http_answer(pg->reply, 200, "text/calendar; charset=utf-8", text, len);
	}
	free(pg);
}

static bool lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

int calendar_feed_page(struct state *st, const struct config *cfg, int64_t now, const char *uri,
                       struct http_reply *reply)
{
	const char *secret = uri + strlen(FEED_PATH);
	struct feed_page *pg;
	struct state_args *a;
	struct ymd today, from, to;
	int minute;

	if (strncmp(uri, FEED_PATH, strlen(FEED_PATH)) != 0)
		return -1;
	if (strlen(secret) != FEED_SECRET_LEN + 4 || strcmp(secret + FEED_SECRET_LEN, ".ics") != 0 ||
	    !lower_hex(secret, FEED_SECRET_LEN) || (pg = calloc(1, sizeof(*pg))) == NULL) {
		not_found(reply);
		return 0;
	}
	when_local_date(now, &today, &minute);
	from = when_add_days(today, -FEED_DAYS_PAST);
	to = when_add_days(today, FEED_DAYS_AHEAD);
	*pg = (struct feed_page){ .reply = reply, .now = now, .from_ms = when_local_ms(from, 0),
	                          .to_ms = when_local_ms(to, 2 * 1440) };
	snprintf(pg->tzid, sizeof(pg->tzid), "%s", cfg->timezone);
	snprintf(pg->site, sizeof(pg->site), "%s", cfg->site);
	snprintf(pg->default_lang, sizeof(pg->default_lang), "%s", cfg->default_lang);
	a = state_args_new();
	state_args_addf(a, "%sicsfeed:%.*s", state_prefix(st), FEED_SEL_BYTES * 2, secret);
	state_args_add(a, state_prefix(st));
	state_args_addf(a, "%lld", (long long)now);
	state_args_addb(a, secret + FEED_SEL_BYTES * 2, FEED_TOKEN_BYTES * 2);
	/* a date's memory lasts while the date can be in the window */
	state_args_addf(a, "%lld", (long long)(FEED_DAYS_PAST + FEED_DAYS_AHEAD + 2) * 86400000LL);
	for (struct ymd d = from; when_compare(d, to) <= 0; d = when_add_days(d, 1))
		for (size_t i = 0; i < cfg->n_shifts; i++) {
			struct shift_instance in;
			shift_instance(&cfg->shifts[i], d, &in);
			state_args_addf(a, "%s|%s|%lld-%lld", in.date_s, cfg->shifts[i].name,
			    (long long)in.start, (long long)in.end);
		}
	state_eval(st, SCRIPT_CALENDAR_READ, 1, a, on_page, pg);
	return 0;
}
