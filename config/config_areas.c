/*
 * config_areas: the settings of the later areas (careers, complaints,
 * customer groups), read into the same struct config with the same rules:
 * unknown keys are errors, every problem is named with file, line, setting.
 */
#include "config/config.h"
#include "config/config_sections.h"
#include "config/config_values.h"
#include "bot/lib/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* Sorted (strcmp) for bsearch. */
static const struct cfg_known_key complaints_keys[] = {
	{ "capacity", 0 }, { "daily_report", 0 }, { "evaluation", 0 }, { "per_friend_hour", 0 }, { "sla", 0 },
};
static const struct cfg_known_key evaluation_keys[] = {
	{ "attendance", 0 }, { "complaints", 0 }, { "lateness", 0 }, { "ratings", 0 }, { "response", 0 },
};
static const struct cfg_known_key capacity_keys[] = {
	{ "CCS", 0 }, { "PAM", 0 }, { "SAM", 0 }, { "TRN", 0 },
};
static const struct cfg_known_key sla_keys[] = {
	{ "high", 0 }, { "low", 0 }, { "normal", 0 }, { "urgent", 0 },
};
static const struct cfg_known_key careers_keys[] = {
	{ "calendar_reminder", 0 }, { "probation_apply_window", 0 }, { "promotion_windows", 0 },
	{ "talks", 0 }, { "training_hours", 0 },
};

/* "MM-DD..MM-DD" */
static void
check_window(struct cfg_ctx *ctx, const config_setting_t *e, char **v, size_t i)
{
	int m1, d1, m2, d2, n = 0;

	if (sscanf(v[i], "%2d-%2d..%2d-%2d%n", &m1, &d1, &m2, &d2, &n) != 4 || (size_t)n != strlen(v[i]) ||
	    m1 < 1 || m1 > 12 || m2 < 1 || m2 > 12 || d1 < 1 || d1 > 31 || d2 < 1 || d2 > 31)
		cfg_err(ctx, e, "bad window \"%s\" (want MM-DD..MM-DD)", v[i]);
}

void
cfg_read_careers(struct cfg_ctx *ctx, const config_setting_t *root)
{
	struct config *cfg = ctx->cfg;
	const config_setting_t *g, *l;

	g = cfg_get_group(ctx, root, "careers", careers_keys, NELEM(careers_keys));
	if (g == NULL)
		return;
	if ((l = cfg_get_typed(ctx, g, "promotion_windows", CONFIG_TYPE_LIST)) != NULL)
		cfg_copy_strings(ctx, l, &cfg->careers.promotion_windows, &cfg->careers.n_promotion_windows,
		    check_window);
	cfg_get_duration(ctx, g, "probation_apply_window", 1, &cfg->careers.probation_apply_window_ms);
	cfg_get_duration(ctx, g, "calendar_reminder", 1, &cfg->careers.calendar_reminder_ms);
	cfg_get_int(ctx, g, "training_hours", 0, 1000, &cfg->careers.training_hours);
	cfg_get_int(ctx, g, "talks", 0, 20, &cfg->careers.talks);
}

static const struct cfg_known_key approvals_keys[] = { { "stuck_after", 0 } };

void
cfg_read_approvals(struct cfg_ctx *ctx, const config_setting_t *root)
{
	const config_setting_t *g = cfg_get_group(ctx, root, "approvals", approvals_keys, NELEM(approvals_keys));

	if (g != NULL)
		cfg_get_duration(ctx, g, "stuck_after", 1, &ctx->cfg->approvals.stuck_after_ms);
}

static const struct cfg_known_key healthcheck_keys[] = {
	{ "interval", 0 }, { "overdue_after", 0 }, { "ping_url", 0 },
};

void
cfg_read_healthcheck(struct cfg_ctx *ctx, const config_setting_t *root)
{
	static const char *const schemes[] = { "http://", "https://", NULL };
	struct config *cfg = ctx->cfg;
	const config_setting_t *g = cfg_get_group(ctx, root, "healthcheck", healthcheck_keys, NELEM(healthcheck_keys));
	const config_setting_t *e;
	const char *v;

	if (g == NULL)
		return;
	cfg_get_duration(ctx, g, "overdue_after", 1000, &cfg->healthcheck.overdue_after_ms);
	cfg_get_duration(ctx, g, "interval", 1000, &cfg->healthcheck.interval_ms);
	if ((e = cfg_get_str(ctx, g, "ping_url", &v)) == NULL || *v == '\0')
		return;
	if (!config_url_valid(v, schemes))
		cfg_err(ctx, e, "\"%s\" is not an http:// or https:// URL with a host", v);
	else
		cfg_set_str(ctx, &cfg->healthcheck.ping_url, v);
}

void
cfg_read_complaints(struct cfg_ctx *ctx, const config_setting_t *root)
{
	struct config *cfg = ctx->cfg;
	const config_setting_t *g, *c, *s;
	static const char *const levels[] = { "TRN", "CCS", "PAM", "SAM" };
	static const char *const prios[] = { "urgent", "high", "normal", "low" };

	g = cfg_get_group(ctx, root, "complaints", complaints_keys, NELEM(complaints_keys));
	if (g == NULL)
		return;
	cfg_get_int(ctx, g, "per_friend_hour", 1, 1000, &cfg->complaints.per_friend_hour);
	if ((c = cfg_get_group(ctx, g, "capacity", capacity_keys, NELEM(capacity_keys))) != NULL)
		for (size_t i = 0; i < NELEM(levels); i++)
			cfg_get_int(ctx, c, levels[i], 0, 1000, &cfg->complaints.capacity[i + 1]);
	if ((s = cfg_get_group(ctx, g, "sla", sla_keys, NELEM(sla_keys))) != NULL)
		for (size_t i = 0; i < NELEM(prios); i++)
			cfg_get_duration(ctx, s, prios[i], 1, &cfg->complaints.sla_ms[i]);
	{
		static const char *const parts[] = { "attendance", "lateness", "complaints", "response", "ratings" };
		if ((s = cfg_get_group(ctx, g, "evaluation", evaluation_keys, NELEM(evaluation_keys))) != NULL)
			for (size_t i = 0; i < NELEM(parts); i++)
				cfg_get_int(ctx, s, parts[i], 0, 100, &cfg->complaints.weights[i]);
	}
	{
		const char *v;
		const config_setting_t *d = cfg_get_str(ctx, g, "daily_report", &v);
		if (d != NULL) {
			int h, m, n = 0;
			if (*v == '\0')
				cfg->complaints.daily_report_min = -1;
			else if (sscanf(v, "%2d:%2d%n", &h, &m, &n) == 2 && n == 5 && strlen(v) == 5 && h < 24 && m < 60 &&
			    h >= 0 && m >= 0)
				cfg->complaints.daily_report_min = h * 60 + m;
			else
				cfg_err(ctx, d, "bad time \"%s\" (want HH:MM, or \"\" for none)", v);
		}
	}
}

/* customer_groups = { vip = "PAM"; ... }: the lowest level that serves a group */
void
cfg_read_groups(struct cfg_ctx *ctx, const config_setting_t *root)
{
	struct config *cfg = ctx->cfg;
	const config_setting_t *g = cfg_get_typed(ctx, root, "customer_groups", CONFIG_TYPE_GROUP);
	int n;

	if (g == NULL)
		return;
	n = config_setting_length(g);
	for (size_t i = 0; i < cfg->n_groups; i++)
		free(cfg->groups[i].name);
	free(cfg->groups);
	cfg->n_groups = 0;
	if ((cfg->groups = calloc(n > 0 ? (size_t)n : 1, sizeof(*cfg->groups))) == NULL) {
		ctx->oom = true;
		return;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *v = config_setting_get_string(s);
		int level = v ? config_level_parse(v) : -1;

		if (v == NULL)
			cfg_err(ctx, s, "must be a string");
		else if (level <= LEVEL_NONE)
			cfg_err(ctx, s, "unknown level \"%s\"", v);
		else if (!config_name_valid(config_setting_name(s), false))
			cfg_err(ctx, s, "bad group name");
		else {
			cfg_set_str(ctx, &cfg->groups[cfg->n_groups].name, config_setting_name(s));
			cfg->groups[cfg->n_groups++].min_level = (enum level)level;
		}
	}
}
