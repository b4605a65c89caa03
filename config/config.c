/*
 * config: read dutybot.cfg with libconfig and copy it, checked, into one
 * struct config.  The one idea is that a mistake never stops the reading: each
 * problem is collected as "file:line: setting: problem" (the setting named by
 * its libconfig path, "connections.[0].type") and checking goes on, so one run
 * of --check-config shows every mistake.  Every group has a sorted table of the
 * keys it knows, and anything else is an error, in the spirit of OpenBSD's
 * parse.y.  How one setting is read and reported is config_reader.c, how a
 * single value is spelled config_values.c; this file knows which settings
 * exist, their defaults and what may be combined, and leaves the connections,
 * the staff and shifts, and the later areas to config_connections.c,
 * config_staff.c and config_areas.c.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* asprintf */
#endif
#include "config/config.h"
#include "config/config_sections.h"
#include "config/config_values.h"
#include "bot/lib/util.h"

#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONFIG_MAX_SIZE	(4 * 1024 * 1024)

/* Sorted (strcmp) for bsearch. */
static const struct cfg_known_key root_keys[] = {
	{ "approvals", 0 },
	{ "careers", 0 }, { "command_prefix", 0 }, { "complaints", 0 }, { "connections", 0 }, { "customer_groups", 0 },
	{ "default_lang", 0 },
	{ "escalation", 0 }, { "healthcheck", 0 }, { "http", 0 }, { "key_prefix", 0 }, { "limits", 0 },
	{ "log_level", 0 }, { "notify", 0 }, { "policy", 0 }, { "redis", 0 },
	{ "shifts", 0 }, { "site", 0 }, { "staff", 0 }, { "timezone", 0 },
};
static const struct cfg_known_key redis_keys[] = {
	{ "db", 0 }, { "host", 0 }, { "master_name", 0 }, { "password", 0 }, { "password_file", 0 },
	{ "port", 0 }, { "sentinel_password", 0 }, { "sentinel_password_file", 0 }, { "sentinels", 0 },
	{ "timeout", 0 }, { "unix_socket", 0 },
};
static const struct cfg_known_key http_keys[] = { { "listen", 0 }, { "public_url", 0 } };
static const struct cfg_known_key limits_keys[] = {
	{ "burst", 0 }, { "commands_per_minute", 0 }, { "dedupe_ttl", 0 }, { "friend", 0 }, { "staff", 0 },
};
static const struct cfg_known_key limits_friend_keys[] = { { "burst", 0 }, { "per_minute", 0 }, { "queue", 0 } };
static const struct cfg_known_key limits_staff_keys[] = { { "burst", 0 }, { "per_minute", 0 }, { "queue", 0 } };
static const struct cfg_known_key policy_keys[] = {
	{ "checkin_opens", 0 }, { "close_before", 0 }, { "handover_ack", 0 }, { "late_grace", 0 }, { "late_window", 0 },
	{ "leave_notice", 0 }, { "min_weekly_hours", 0 }, { "reminder", 0 },
};
static const struct cfg_known_key escalation_keys[] = {
	{ "ack_timeout", 0 }, { "chain", 0 }, { "pages_per_minute", 0 }, { "repeat", 0 },
};
static const struct cfg_known_key notify_keys[] = {
	{ "link_hosts", 0 }, { "max_length", 0 }, { "tag", 0 },
};
static const char *const log_levels[] = { "debug", "info", "warn" };
static const char *const escalation_steps[] = {
	"shift_lead", "duty_minister", "ministers", "webmasters",
};

/* --- top-level scalars and the small groups ------------------------------ */

static void
parse_globals(struct cfg_ctx *ctx, const config_setting_t *root)
{
	struct config *cfg = ctx->cfg;
	const config_setting_t *s;
	const char *v;

	if ((s = cfg_get_str(ctx, root, "site", &v)) != NULL) {
		if (config_name_valid(v, false))
			cfg_set_str(ctx, &cfg->site, v);
		else
			cfg_err(ctx, s, "bad site \"%s\" (want 1 to 32 of a-z 0-9 _ -)", v);
	}
	if ((s = cfg_get_str(ctx, root, "key_prefix", &v)) != NULL) {
		if (config_word_valid(v, 64))
			cfg_set_str(ctx, &cfg->key_prefix, v);
		else
			cfg_err(ctx, s, "must be 1 to 64 characters without spaces");
	}
	if ((s = cfg_get_str(ctx, root, "command_prefix", &v)) != NULL) {
		if (config_word_valid(v, 4))
			cfg_set_str(ctx, &cfg->command_prefix, v);
		else
			cfg_err(ctx, s, "must be 1 to 4 characters without spaces");
	}
	if ((s = cfg_get_str(ctx, root, "timezone", &v)) != NULL) {
		if (config_timezone_valid(v))
			cfg_set_str(ctx, &cfg->timezone, v);
		else
			cfg_err(ctx, s, "unknown time zone \"%s\"", v);
	}
	if ((s = cfg_get_str(ctx, root, "default_lang", &v)) != NULL) {
		if (config_lang_valid(v))
			cfg_set_str(ctx, &cfg->default_lang, v);
		else
			cfg_err(ctx, s, "unknown language \"%s\"", v);
	}
	if ((s = cfg_get_str(ctx, root, "log_level", &v)) != NULL) {
		if (cfg_find_name(log_levels, NELEM(log_levels), v) >= 0)
			cfg_set_str(ctx, &cfg->log_level, v);
		else
			cfg_err(ctx, s, "unknown log level \"%s\"", v);
	}
}

static void
check_sentinel(struct cfg_ctx *ctx, const config_setting_t *e, char **v, size_t i)
{
	struct config *cfg = ctx->cfg;
	char *host = NULL;
	int rc = config_parse_listen(v[i], &host, &cfg->redis.sentinel_ports[i]);

	if (rc == 0)
		cfg->redis.sentinel_hosts[i] = host;
	else if (rc == -2)
		cfg_err(ctx, e, "\"%s\": the host must be an IP address (\"127.0.0.1:26379\", "
		    "\"[::1]:26379\"), not a name", v[i]);
	else
		cfg_err(ctx, e, "bad address \"%s\" (want host:port or [v6]:port)", v[i]);
}

/*
 * Sentinels name the master instead of host/port/unix_socket: both at once
 * would leave it unclear which Redis holds the state, so that is an error,
 * as are the sentinel-only settings without sentinels.
 */
static void
parse_redis_sentinels(struct cfg_ctx *ctx, const config_setting_t *g)
{
	static const char *const direct[] = { "host", "port", "unix_socket" };
	static const char *const only[] = { "master_name", "sentinel_password", "sentinel_password_file" };
	struct config *cfg = ctx->cfg;
	config_setting_t *l = cfg_get_typed(ctx, g, "sentinels", CONFIG_TYPE_LIST);
	const config_setting_t *s;
	const char *v;
	size_t n;

	if (l == NULL) {
		for (size_t i = 0; i < NELEM(only); i++)
			if ((s = config_setting_get_member(g, only[i])) != NULL &&
			    config_setting_get_member(g, "sentinels") == NULL)
				cfg_err(ctx, s, "only with sentinels");
		return;
	}
	n = (size_t)config_setting_length(l);
	if (n == 0) {
		cfg_err(ctx, l, "must name at least one sentinel (\"127.0.0.1:26379\")");
		return;
	}
	for (size_t i = 0; i < NELEM(direct); i++)
		if ((s = config_setting_get_member(g, direct[i])) != NULL)
			cfg_err(ctx, s, "cannot be used together with sentinels (the sentinels name the master)");
	cfg->redis.sentinel_hosts = calloc(n, sizeof(char *));
	cfg->redis.sentinel_ports = calloc(n, sizeof(int));
	if (cfg->redis.sentinel_hosts == NULL || cfg->redis.sentinel_ports == NULL) {
		ctx->oom = true;
		return;
	}
	cfg_copy_strings(ctx, l, &cfg->redis.sentinels, &cfg->redis.n_sentinels, check_sentinel);
	if ((s = cfg_need_str(ctx, g, "master_name", &v)) != NULL) {
		if (*v == '\0' || strpbrk(v, " \t\r\n") != NULL)
			cfg_err(ctx, s, "must be the sentinels' name of the master, without spaces");
		else
			cfg_set_str(ctx, &cfg->redis.master_name, v);
	}
	cfg->redis.sentinel_password = cfg_secret(ctx, g, "sentinel_password", true, false, NULL);
}

static void
parse_redis(struct cfg_ctx *ctx, const config_setting_t *root)
{
	struct config *cfg = ctx->cfg;
	const config_setting_t *g, *s;
	const char *v;

	g = cfg_get_group(ctx, root, "redis", redis_keys, NELEM(redis_keys));
	if (g == NULL)
		return;
	if ((s = cfg_get_str(ctx, g, "host", &v)) != NULL) {
		if (config_host_valid(v))
			cfg_set_str(ctx, &cfg->redis.host, v);
		else
			cfg_err(ctx, s, "must be an IP address or \"localhost\"");
	}
	cfg_get_int(ctx, g, "port", 1, 65535, &cfg->redis.port);
	if ((s = cfg_get_str(ctx, g, "unix_socket", &v)) != NULL) {
		if (*v == '/')
			cfg_set_str(ctx, &cfg->redis.unix_socket, v);
		else
			cfg_err(ctx, s, "must be an absolute path");
	}
	cfg_get_int(ctx, g, "db", 0, 15, &cfg->redis.db);
	cfg->redis.password = cfg_secret(ctx, g, "password", true, false, NULL);
	cfg_get_duration(ctx, g, "timeout", 1, &cfg->redis.timeout_ms);
	parse_redis_sentinels(ctx, g);
}

/* http.public_url: where a chat server reaches this listener (Mattermost's button callbacks) */
static void
parse_public_url(struct cfg_ctx *ctx, const config_setting_t *g)
{
	const config_setting_t *s;
	const char *v;
	size_t n;

	if ((s = cfg_get_str(ctx, g, "public_url", &v)) == NULL)
		return;
	n = strlen(v);
	while (n > 0 && v[n - 1] == '/')
		n--;
	if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0)
		cfg_err(ctx, s, "\"%s\": want an http:// or https:// URL the chat server can reach", v);
	else if (n <= 8 || n > 400 || strpbrk(v, " \t\r\n\"\\?#") != NULL)
		cfg_err(ctx, s, "\"%s\": want a URL without blanks, quotes, query or fragment, at most 400 characters", v);
	else {
		free(ctx->cfg->http.public_url);
		ctx->cfg->http.public_url = strndup(v, n);
	}
}

static void
parse_http(struct cfg_ctx *ctx, const config_setting_t *root)
{
	struct config *cfg = ctx->cfg;
	const config_setting_t *g, *s;
	const char *v;
	char *host;
	int rc;

	g = cfg_get_group(ctx, root, "http", http_keys, NELEM(http_keys));
	if (g != NULL)
		parse_public_url(ctx, g);
	if (g == NULL || (s = cfg_get_str(ctx, g, "listen", &v)) == NULL)
		return;
	if (*v == '\0') {
		free(cfg->http.listen_host);
		cfg->http.listen_host = NULL;
		cfg->http.listen_port = 0;
	} else if ((rc = config_parse_listen(v, &host, &cfg->http.listen_port)) == 0) {
		free(cfg->http.listen_host);
		cfg->http.listen_host = host;
	} else if (rc == -2) {
		cfg_err(ctx, s, "\"%s\": the host must be an IP address (\"127.0.0.1:9462\", \"[::1]:9462\"), "
		    "not a name", v);
	} else {
		cfg_err(ctx, s, "bad address \"%s\" (want host:port, [v6]:port or \"\")", v);
	}
	if (cfg->http.public_url != NULL && cfg->http.listen_host == NULL)
		cfg_err(ctx, s, "public_url is set but listen = \"\" turns the HTTP listener off: "
		    "the chat server would have nowhere to send button clicks");
}

static void
parse_limits(struct cfg_ctx *ctx, const config_setting_t *root)
{
	struct config *cfg = ctx->cfg;
	const config_setting_t *g;

	const config_setting_t *fg, *sg, *s;
	int per_minute, burst;

	g = cfg_get_group(ctx, root, "limits", limits_keys, NELEM(limits_keys));
	if (g == NULL)
		return;
	/* the keys of old, for everyone: now what a group without its own says */
	if (cfg_get_int(ctx, g, "commands_per_minute", 1, 10000, &per_minute))
		cfg->limits.friends.per_minute = cfg->limits.staff.per_minute = per_minute;
	if (cfg_get_int(ctx, g, "burst", 1, 10000, &burst))
		cfg->limits.friends.burst = cfg->limits.staff.burst = burst;
	fg = cfg_get_group(ctx, g, "friend", limits_friend_keys, NELEM(limits_friend_keys));
	if (fg != NULL) {
		cfg_get_int(ctx, fg, "per_minute", 1, 10000, &cfg->limits.friends.per_minute);
		cfg_get_int(ctx, fg, "burst", 1, 10000, &cfg->limits.friends.burst);
		if ((s = config_setting_get_member(fg, "queue")) != NULL)
			cfg_err(ctx, s, "chat friends' extra commands are dropped, never queued; "
			    "queue is a setting of limits.staff");
	}
	sg = cfg_get_group(ctx, g, "staff", limits_staff_keys, NELEM(limits_staff_keys));
	if (sg != NULL) {
		cfg_get_int(ctx, sg, "per_minute", 1, 10000, &cfg->limits.staff.per_minute);
		cfg_get_int(ctx, sg, "burst", 1, 10000, &cfg->limits.staff.burst);
		cfg_get_int(ctx, sg, "queue", 1, 10000, &cfg->limits.staff_queue);
	}
	cfg_get_duration(ctx, g, "dedupe_ttl", 1, &cfg->limits.dedupe_ttl_ms);
}

static void
parse_policy(struct cfg_ctx *ctx, const config_setting_t *root)
{
	struct config *cfg = ctx->cfg;
	const config_setting_t *g;

	g = cfg_get_group(ctx, root, "policy", policy_keys, NELEM(policy_keys));
	if (g == NULL)
		return;
	cfg_get_duration(ctx, g, "late_grace", 0, &cfg->policy.late_grace_ms);
	cfg_get_duration(ctx, g, "late_window", 1, &cfg->policy.late_window_ms);
	cfg_get_duration(ctx, g, "leave_notice", 0, &cfg->policy.leave_notice_ms);
	cfg_get_duration(ctx, g, "checkin_opens", 1, &cfg->policy.checkin_opens_ms);
	cfg_get_duration(ctx, g, "reminder", 1, &cfg->policy.reminder_ms);
	cfg_get_duration(ctx, g, "close_before", 1, &cfg->policy.close_before_ms);
	cfg_get_duration(ctx, g, "handover_ack", 1, &cfg->policy.handover_ack_ms);
	cfg_get_int(ctx, g, "min_weekly_hours", 0, 168, &cfg->policy.min_weekly_hours);
}


/* Checks element I of a string list, V[0..I] copied so far (V[I] not NULL). */

static void
check_escalation_step(struct cfg_ctx *ctx, const config_setting_t *e, char **v,
    size_t i)
{
	if (cfg_find_name(escalation_steps, NELEM(escalation_steps), v[i]) < 0) {
		cfg_err(ctx, e, "unknown escalation step \"%s\"", v[i]);
		return;
	}
	for (size_t j = 0; j < i; j++)
		if (v[j] != NULL && strcmp(v[j], v[i]) == 0) {
			cfg_err(ctx, e, "\"%s\" is listed twice", v[i]);
			return;
		}
}

static void
parse_escalation(struct cfg_ctx *ctx, const config_setting_t *root)
{
	struct config *cfg = ctx->cfg;
	const config_setting_t *g, *l;

	g = cfg_get_group(ctx, root, "escalation", escalation_keys, NELEM(escalation_keys));
	if (g == NULL)
		return;
	cfg_get_duration(ctx, g, "ack_timeout", 1, &cfg->escalation.ack_timeout_ms);
	cfg_get_int(ctx, g, "repeat", 0, 100, &cfg->escalation.repeat);
	cfg_get_int(ctx, g, "pages_per_minute", 1, 60, &cfg->escalation.pages_per_minute);
	if ((l = cfg_get_typed(ctx, g, "chain", CONFIG_TYPE_LIST)) == NULL)
		return;
	if (config_setting_length(l) == 0)
		cfg_err(ctx, l, "must not be empty");
	cfg_copy_strings(ctx, l, &cfg->escalation.chain, &cfg->escalation.n_chain,
	    check_escalation_step);
}

static void
check_link_host(struct cfg_ctx *ctx, const config_setting_t *e, char **v, size_t i)
{
	if (!config_word_valid(v[i], 253) || strchr(v[i], '/') != NULL)
		cfg_err(ctx, e, "bad host name \"%s\"", v[i]);
}

static void
parse_notify(struct cfg_ctx *ctx, const config_setting_t *root)
{
	struct config *cfg = ctx->cfg;
	const config_setting_t *g, *s, *l;
	const char *v;

	g = cfg_get_group(ctx, root, "notify", notify_keys, NELEM(notify_keys));
	if (g == NULL)
		return;
	if ((s = cfg_get_str(ctx, g, "tag", &v)) != NULL) {
		if (strlen(v) <= 64 && strchr(v, '\n') == NULL)
			cfg_set_str(ctx, &cfg->notify.tag, v);
		else
			cfg_err(ctx, s, "must be at most 64 characters on one line");
	}
	cfg_get_int(ctx, g, "max_length", 1, 2000, &cfg->notify.max_length);
	if ((l = cfg_get_typed(ctx, g, "link_hosts", CONFIG_TYPE_LIST)) != NULL)
		cfg_copy_strings(ctx, l, &cfg->notify.link_hosts, &cfg->notify.n_link_hosts,
		    check_link_host);
}





/* --- loading ------------------------------------------------------------- */

static void
set_defaults(struct cfg_ctx *ctx, struct config *cfg)
{
	cfg_set_str(ctx, &cfg->path, ctx->path);
	cfg_set_str(ctx, &cfg->site, "cc");
	cfg_set_str(ctx, &cfg->key_prefix, "dutybot:");
	cfg_set_str(ctx, &cfg->command_prefix, "!");
	cfg_set_str(ctx, &cfg->timezone, "UTC");
	cfg_set_str(ctx, &cfg->default_lang, "en");
	cfg_set_str(ctx, &cfg->log_level, "info");
	cfg_set_str(ctx, &cfg->redis.host, "127.0.0.1");
	cfg->redis.port = 6379;
	cfg->redis.timeout_ms = 2000;
	cfg_set_str(ctx, &cfg->http.listen_host, "127.0.0.1");
	cfg->http.listen_port = 9462;
	cfg->limits.friends.per_minute = 20;
	cfg->limits.friends.burst = 5;
	cfg->limits.staff.per_minute = 120;
	cfg->limits.staff.burst = 30;
	cfg->limits.staff_queue = 200;
	cfg->limits.dedupe_ttl_ms = 24 * 3600 * 1000LL;
	cfg->policy.late_grace_ms = 10 * 60 * 1000LL;
	cfg->policy.late_window_ms = 30 * 24 * 3600 * 1000LL;
	cfg->policy.leave_notice_ms = 24 * 3600 * 1000LL;
	cfg->policy.checkin_opens_ms = 30 * 60 * 1000LL;
	cfg->policy.reminder_ms = 30 * 60 * 1000LL;
	cfg->policy.close_before_ms = 30 * 60 * 1000LL;
	cfg->policy.handover_ack_ms = 30 * 60 * 1000LL;
	cfg->policy.min_weekly_hours = 30;
	cfg->escalation.ack_timeout_ms = 5 * 60 * 1000LL;
	cfg->escalation.repeat = 2;
	cfg->escalation.pages_per_minute = 3;
	if ((cfg->escalation.chain = calloc(NELEM(escalation_steps), sizeof(char *))) == NULL) {
		ctx->oom = true;
		return;
	}
	cfg->escalation.n_chain = NELEM(escalation_steps);
	for (size_t i = 0; i < NELEM(escalation_steps); i++)
		cfg_set_str(ctx, &cfg->escalation.chain[i], escalation_steps[i]);
	cfg_set_str(ctx, &cfg->notify.tag, "[System]");
	cfg->notify.max_length = 500;
	cfg->careers.probation_apply_window_ms = 14 * 24 * 3600 * 1000LL;
	cfg->careers.calendar_reminder_ms = 15 * 60 * 1000LL;
	cfg->careers.training_hours = 40;
	cfg->approvals.stuck_after_ms = 48 * 3600 * 1000LL;
	cfg->healthcheck.overdue_after_ms = 5 * 60 * 1000LL;
	cfg->healthcheck.interval_ms = 60 * 1000LL;
	cfg->complaints.per_friend_hour = 5;
	cfg->complaints.daily_report_min = 22 * 60;
	for (int i = 0; i < 5; i++)
		cfg->complaints.weights[i] = 1;
	cfg->complaints.capacity[LEVEL_TRN] = 2;
	cfg->complaints.capacity[LEVEL_CCS] = 4;
	cfg->complaints.capacity[LEVEL_PAM] = 6;
	cfg->complaints.capacity[LEVEL_SAM] = 8;
	cfg->complaints.sla_ms[0] = 5 * 60 * 1000LL;
	cfg->complaints.sla_ms[1] = 15 * 60 * 1000LL;
	cfg->complaints.sla_ms[2] = 60 * 60 * 1000LL;
	cfg->complaints.sla_ms[3] = 4 * 60 * 60 * 1000LL;
	cfg->careers.talks = 2;
	{
		static const char *const groups[] = { "vip", "xxl", "storyline" };
		if ((cfg->groups = calloc(NELEM(groups), sizeof(*cfg->groups))) == NULL) {
			ctx->oom = true;
			return;
		}
		for (size_t i = 0; i < NELEM(groups); i++) {
			cfg_set_str(ctx, &cfg->groups[i].name, groups[i]);
			cfg->groups[i].min_level = LEVEL_PAM;
		}
		cfg->n_groups = NELEM(groups);
	}
}

/* The whole file, or NULL with errno set. */
static char *
read_config_file(const char *path)
{
	struct stat st;
	char *buf = NULL;
	size_t len;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL)
		return NULL;
	if (fstat(fileno(f), &st) < 0)
		goto fail;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		goto fail;
	}
	if ((buf = malloc(CONFIG_MAX_SIZE + 1)) == NULL)
		goto fail;
	len = fread(buf, 1, CONFIG_MAX_SIZE + 1, f);
	if (ferror(f) || len > CONFIG_MAX_SIZE) {
		errno = ferror(f) ? EIO : EFBIG;
		goto fail;
	}
	buf[len] = '\0';
	fclose(f);
	return buf;
fail:
	free(buf);
	fclose(f);
	return NULL;
}

static void
parse_all(struct cfg_ctx *ctx, const config_setting_t *root)
{
	cfg_check_keys(ctx, root, root_keys, NELEM(root_keys), -1);
	parse_globals(ctx, root);
	parse_redis(ctx, root);
	parse_http(ctx, root);
	parse_limits(ctx, root);
	parse_policy(ctx, root);
	parse_escalation(ctx, root);
	parse_notify(ctx, root);
	cfg_read_careers(ctx, root);
	cfg_read_healthcheck(ctx, root);
	cfg_read_approvals(ctx, root);
	cfg_read_complaints(ctx, root);
	cfg_read_groups(ctx, root);
	cfg_read_connections(ctx, root);   /* needs default_lang */
	cfg_actions_urls(ctx);             /* needs the connections and http */
	cfg_read_staff(ctx, root);         /* needs the connections */
	cfg_read_shifts(ctx, root);        /* needs the staff */
}

struct config *
config_load(const char *path, char **errors)
{
	struct cfg_ctx ctx = { .path = path };
	struct config *cfg = NULL;
	const char *slash = strrchr(path, '/');
	char *text, *msg;
	config_t lc;

	if (errors != NULL)
		*errors = NULL;
	if (slash != NULL)
		ctx.dir = strndup(path, slash == path ? 1 : (size_t)(slash - path));
	if ((text = read_config_file(path)) == NULL) {
		cfg_push(&ctx, 0, asprintf(&msg, "%s: cannot read: %s\n", path,
		    strerror(errno)) < 0 ? NULL : msg);
		goto done;
	}
	ctx.text = text;
	cfg_warn_if_readable(&ctx, path);      /* it may hold inline tokens and passwords */
	config_init(&lc);
	if (ctx.dir != NULL)
		config_set_include_dir(&lc, ctx.dir);
	if (!config_read_string(&lc, text)) {
		const char *file = config_error_file(&lc);
		bool in_dir = file != NULL && *file != '/' && ctx.dir != NULL;

		cfg_push(&ctx, 0, asprintf(&msg, "%s%s%s:%d: %s\n", in_dir ? ctx.dir : "",
		    in_dir ? "/" : "", file != NULL ? file : path,
		    config_error_line(&lc), config_error_text(&lc)) < 0 ? NULL : msg);
	} else if ((cfg = ctx.cfg = calloc(1, sizeof(*cfg))) == NULL) {
		ctx.oom = true;
	} else {
		set_defaults(&ctx, cfg);
		parse_all(&ctx, config_root_setting(&lc));
	}
	config_destroy(&lc);
	free(text);
done:
	if (ctx.n_errs > 0 || ctx.oom) {
		msg = cfg_errors_join(&ctx);
		if (errors != NULL)
			*errors = msg;
		else
			free(msg);
		config_free(cfg);
		cfg = NULL;
	}
	if (cfg != NULL) {
		cfg->warnings = ctx.warnings;   /* owned by the config now */
		ctx.warnings = NULL;
	}
	free(ctx.warnings);
	for (size_t i = 0; i < ctx.n_errs; i++)
		free(ctx.errs[i].text);
	free(ctx.errs);
	free(ctx.dir);
	return cfg;
}

void
config_free(struct config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->warnings);
	for (size_t i = 0; i < cfg->n_connections; i++) {
		struct config_connection *c = &cfg->connections[i];

		free(c->name);
		free(c->url);
		free(c->api_url);
		free(c->actions_url);
		free(c->token);
		free(c->app_token);
		free(c->bot_token);
		free(c->nick);
		free(c->sasl_user);
		free(c->sasl_password);
		free(c->password);
		cfg_free_strv(c->join, c->n_join);
		cfg_free_strv(c->channel_keys, c->n_channel_keys);
		cfg_free_strv(c->irc_masks, c->n_irc_masks);
		free(c->lang);
		for (int k = 0; k < CHANNEL_MAX; k++) {
			free(c->channel[k]);
			free(c->channel_lang[k]);
		}
	}
	free(cfg->connections);
	for (size_t i = 0; i < cfg->n_staff; i++) {
		struct config_staff *st = &cfg->staff[i];

		free(st->id);
		free(st->name);
		free(st->email);
		free(st->lang);
		cfg_free_strv(st->identities, st->n_identities);
		free(st->probation_start);
	}
	free(cfg->staff);
	for (size_t i = 0; i < cfg->n_shifts; i++) {
		free(cfg->shifts[i].name);
		free(cfg->shifts[i].standby);
		for (size_t j = 0; j < cfg->shifts[i].n_labels; j++) {
			free(cfg->shifts[i].labels[j].lang);
			free(cfg->shifts[i].labels[j].text);
		}
		free(cfg->shifts[i].labels);
	}
	free(cfg->shifts);
	cfg_free_strv(cfg->careers.promotion_windows, cfg->careers.n_promotion_windows);
	for (size_t i = 0; i < cfg->n_groups; i++)
		free(cfg->groups[i].name);
	free(cfg->groups);
	cfg_free_strv(cfg->escalation.chain, cfg->escalation.n_chain);
	cfg_free_strv(cfg->notify.link_hosts, cfg->notify.n_link_hosts);
	free(cfg->notify.tag);
	free(cfg->http.listen_host);
	free(cfg->http.public_url);
	free(cfg->healthcheck.ping_url);
	free(cfg->redis.host);
	free(cfg->redis.unix_socket);
	free(cfg->redis.password);
	for (size_t i = 0; i < cfg->redis.n_sentinels; i++)
		free(cfg->redis.sentinel_hosts[i]);
	free(cfg->redis.sentinel_hosts);
	free(cfg->redis.sentinel_ports);
	cfg_free_strv(cfg->redis.sentinels, cfg->redis.n_sentinels);
	free(cfg->redis.master_name);
	free(cfg->redis.sentinel_password);
	free(cfg->path);
	free(cfg->site);
	free(cfg->key_prefix);
	free(cfg->command_prefix);
	free(cfg->timezone);
	free(cfg->default_lang);
	free(cfg->log_level);
	free(cfg);
}

const struct config_connection *
config_connection(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_connections; i++)
		if (cfg->connections[i].name != NULL &&
		    strcmp(cfg->connections[i].name, name) == 0)
			return &cfg->connections[i];
	return NULL;
}

const struct config_staff *
config_staff_by_id(const struct config *cfg, const char *id)
{
	for (size_t i = 0; i < cfg->n_staff; i++)
		if (cfg->staff[i].id != NULL && strcmp(cfg->staff[i].id, id) == 0)
			return &cfg->staff[i];
	return NULL;
}

const struct config_staff *config_staff_by_identity(const struct config *cfg, const char *identity)
{
	for (size_t i = 0; i < cfg->n_staff; i++)
		for (size_t j = 0; j < cfg->staff[i].n_identities; j++)
			if (strcmp(cfg->staff[i].identities[j], identity) == 0)
				return &cfg->staff[i];
	return NULL;
}
