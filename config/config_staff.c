/*
 * config_staff: the staff = ( ... ) and shifts = ( ... ) lists: the people
 * (ids, roles, levels, the chat identities that are theirs) and the shifts
 * they are rostered to.
 */
#include "config/config.h"
#include "config/config_sections.h"
#include "config/config_values.h"
#include "bot/lib/util.h"

#include <stdlib.h>
#include <string.h>

/* Sorted (strcmp) for bsearch. */
static const struct cfg_known_key staff_keys[] = {
	{ "email", 0 }, { "id", 0 }, { "identities", 0 }, { "lang", 0 },
	{ "level", 0 }, { "name", 0 }, { "probation", 0 }, { "probation_start", 0 }, { "role", 0 },
};
static const struct cfg_known_key shift_keys[] = {
	{ "end", 0 }, { "label", 0 }, { "name", 0 }, { "standby", 0 }, { "start", 0 },
};

/* --- staff --------------------------------------------------------------- */

/* The staff member who already has identity ID. */
static const struct config_staff *
identity_owner(const struct config *cfg, const char *id)
{
	for (size_t i = 0; i < cfg->n_staff; i++)
		for (size_t j = 0; j < cfg->staff[i].n_identities; j++)
			if (strcmp(cfg->staff[i].identities[j], id) == 0)
				return &cfg->staff[i];
	return NULL;
}

/* An IRC connection's user ids of staff: a hostmask pattern or a services account. */
static bool
irc_identity_valid(const char *uid)
{
	if (strncmp(uid, "mask:", 5) == 0)
		return config_irc_mask_valid(uid + 5);
	return strncmp(uid, "account:", 8) == 0 && config_word_valid(uid + 8, 64);
}

/* The IRC adapter matches people against its connection's masks: it gets them with the connection. */
static void
add_irc_mask(struct cfg_ctx *ctx, const char *conn, const char *pattern)
{
	for (size_t i = 0; i < ctx->cfg->n_connections; i++) {
		struct config_connection *c = &ctx->cfg->connections[i];
		char **v;
		if (c->name == NULL || strcmp(c->name, conn) != 0)
			continue;
		if ((v = realloc(c->irc_masks, (c->n_irc_masks + 1) * sizeof(*v))) == NULL ||
		    (v[c->n_irc_masks] = strdup(pattern)) == NULL) {
			if (v != NULL)
				c->irc_masks = v;
			ctx->oom = true;
			return;
		}
		c->irc_masks = v;
		c->n_irc_masks++;
	}
}

static void
parse_identities(struct cfg_ctx *ctx, const config_setting_t *g,
    struct config_staff *st)
{
	const config_setting_t *l = cfg_get_typed(ctx, g, "identities", CONFIG_TYPE_LIST);
	size_t len;

	if (l == NULL || (len = (size_t)config_setting_length(l)) == 0)
		return;
	if ((st->identities = calloc(len, sizeof(*st->identities))) == NULL) {
		ctx->oom = true;
		return;
	}
	for (size_t i = 0; i < len; i++) {
		const config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
		const char *id = cfg_elem_str(ctx, l, (int)i), *colon, *uid;
		const struct config_staff *owner;
		char *conn;

		if (id == NULL)
			continue;
		colon = strchr(id, ':');
		uid = colon != NULL ? colon + 1 : NULL;
		if (colon == NULL || colon == id || !config_word_valid(uid, 256)) {
			cfg_err(ctx, e, "bad identity \"%s\" (want <connection>:<user id>)", id);
			continue;
		}
		if ((conn = strndup(id, (size_t)(colon - id))) == NULL) {
			ctx->oom = true;
			return;
		}
		if (config_connection(ctx->cfg, conn) == NULL)
			cfg_err(ctx, e, "unknown connection \"%s\"", conn);
		else if (config_connection(ctx->cfg, conn)->type == PLATFORM_IRC && !irc_identity_valid(uid))
			cfg_err(ctx, e, "bad IRC identity \"%s\" (want %s:mask:<nick!user@host> or %s:account:<account>; "
			    "a bare nick is anybody's)", id, conn, conn);
		else if ((owner = identity_owner(ctx->cfg, id)) != NULL)
			cfg_err(ctx, e, "identity \"%s\" already belongs to %s", id,
			    owner->id != NULL ? owner->id : "another staff member");
		else if ((st->identities[st->n_identities] = strdup(id)) == NULL)
			ctx->oom = true;
		else {
			st->n_identities++;
			if (strncmp(uid, "mask:", 5) == 0)
				add_irc_mask(ctx, conn, uid + 5);
		}
		free(conn);
	}
}

static void
parse_staff_member(struct cfg_ctx *ctx, const config_setting_t *g, size_t idx)
{
	struct config *cfg = ctx->cfg;
	struct config_staff *st = &cfg->staff[idx];
	const struct config_staff *other;
	const config_setting_t *s;
	const char *v;
	int role = -1, level;

	st->line = (int)config_setting_source_line(g);
	cfg_check_keys(ctx, g, staff_keys, NELEM(staff_keys), -1);
	if ((s = cfg_need_str(ctx, g, "id", &v)) != NULL) {
		if (!config_name_valid(v, true))
			cfg_err(ctx, s, "bad id \"%s\" (want 1 to 32 of a-z 0-9 _ . -)", v);
		else if ((other = config_staff_by_id(cfg, v)) != NULL)
			cfg_err(ctx, s, "duplicate staff id \"%s\" (first at line %d)",
			    v, other->line);
		else
			cfg_set_str(ctx, &st->id, v);
	}
	if ((s = cfg_need_str(ctx, g, "name", &v)) != NULL) {
		if (*v != '\0')
			cfg_set_str(ctx, &st->name, v);
		else
			cfg_err(ctx, s, "must not be empty");
	}
	if ((s = cfg_need_str(ctx, g, "email", &v)) != NULL) {
		if (config_email_valid(v))
			cfg_set_str(ctx, &st->email, v);
		else
			cfg_err(ctx, s, "bad e-mail address \"%s\"", v);
	}
	if ((s = cfg_need_str(ctx, g, "role", &v)) != NULL) {
		if ((role = config_role_parse(v)) == ROLE_FRIEND)
			cfg_err(ctx, s, "\"friend\" is not a staff role");
		else if (role < 0)
			cfg_err(ctx, s, "unknown role \"%s\"", v);
		else
			st->role = (enum role)role;
	}
	if ((s = cfg_get_str(ctx, g, "level", &v)) != NULL) {
		if ((level = config_level_parse(v)) <= LEVEL_NONE)
			cfg_err(ctx, s, "unknown level \"%s\"", v);
		else
			st->level = (enum level)level;
	} else if (role == ROLE_AGENT && config_setting_get_member(g, "level") == NULL)
		cfg_err_key(ctx, g, "level", "required for agents");
	if ((s = cfg_get_str(ctx, g, "lang", &v)) != NULL) {
		if (config_lang_valid(v))
			cfg_set_str(ctx, &st->lang, v);
		else
			cfg_err(ctx, s, "unknown language \"%s\"", v);
	}
	if ((s = cfg_get_str(ctx, g, "probation_start", &v)) != NULL) {
		int y, m, d, n = 0;
		if (sscanf(v, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && (size_t)n == strlen(v) && n == 10 &&
		    m >= 1 && m <= 12 && d >= 1 && d <= 31)
			cfg_set_str(ctx, &st->probation_start, v);
		else
			cfg_err(ctx, s, "bad date \"%s\" (want YYYY-MM-DD)", v);
	}
	cfg_get_duration(ctx, g, "probation", 1, &st->probation_ms);
	parse_identities(ctx, g, st);
}

void
cfg_read_staff(struct cfg_ctx *ctx, const config_setting_t *root)
{
	struct config *cfg = ctx->cfg;
	const config_setting_t *g;
	config_setting_t *l;
	size_t n = cfg_get_group_list(ctx, root, "staff", false, &l);

	if (n == 0)
		return;
	if ((cfg->staff = calloc(n, sizeof(*cfg->staff))) == NULL) {
		ctx->oom = true;
		return;
	}
	cfg->n_staff = n;
	for (size_t i = 0; i < n; i++)
		if ((g = cfg_elem_group(ctx, l, i)) != NULL)
			parse_staff_member(ctx, g, i);
}

/* --- shifts -------------------------------------------------------------- */

static int
get_clock(struct cfg_ctx *ctx, const config_setting_t *g, const char *key)
{
	const config_setting_t *s;
	const char *v;
	int min = -1;

	if ((s = cfg_need_str(ctx, g, key, &v)) != NULL &&
	    (min = config_parse_clock(v)) < 0)
		cfg_err(ctx, s, "bad time \"%s\" (want HH:MM, 00:00 to 23:59)", v);
	return min;
}

/* label = { en = "early shift"; de = "Frühschicht"; }: one text per language. */
static void
parse_labels(struct cfg_ctx *ctx, const config_setting_t *g, struct config_shift *sh)
{
	const config_setting_t *l = cfg_get_typed(ctx, g, "label", CONFIG_TYPE_GROUP);
	int n = l != NULL ? config_setting_length(l) : 0;

	if (n <= 0)
		return;
	if ((sh->labels = calloc((size_t)n, sizeof(*sh->labels))) == NULL) {
		ctx->oom = true;
		return;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
		const char *lang = config_setting_name(e), *v = config_setting_get_string(e);

		if (!config_lang_valid(lang))
			cfg_err(ctx, e, "unknown language \"%s\"", lang);
		else if (v == NULL || *v == '\0' || strlen(v) > 64)
			cfg_err(ctx, e, "must be a text of 1 to 64 bytes");
		else {
			struct config_label *lb = &sh->labels[sh->n_labels++];
			cfg_set_str(ctx, &lb->lang, lang);
			cfg_set_str(ctx, &lb->text, v);
		}
	}
}

static void
parse_shift(struct cfg_ctx *ctx, const config_setting_t *g, size_t idx)
{
	struct config *cfg = ctx->cfg;
	struct config_shift *sh = &cfg->shifts[idx];
	const config_setting_t *s;
	const char *v;

	sh->line = (int)config_setting_source_line(g);
	cfg_check_keys(ctx, g, shift_keys, NELEM(shift_keys), -1);
	if ((s = cfg_need_str(ctx, g, "name", &v)) != NULL) {
		bool dup = false;

		for (size_t i = 0; i < idx; i++)
			dup = dup || (cfg->shifts[i].name != NULL &&
			    strcmp(cfg->shifts[i].name, v) == 0);
		if (!config_name_valid(v, false))
			cfg_err(ctx, s, "bad name \"%s\" (want 1 to 32 of a-z 0-9 _ -)", v);
		else if (dup)
			cfg_err(ctx, s, "duplicate shift name \"%s\"", v);
		else
			cfg_set_str(ctx, &sh->name, v);
	}
	sh->start_min = get_clock(ctx, g, "start");
	sh->end_min = get_clock(ctx, g, "end");
	if (sh->start_min >= 0 && sh->start_min == sh->end_min)
		cfg_err(ctx, config_setting_get_member(g, "end"), "equals start");
	if ((s = cfg_get_str(ctx, g, "standby", &v)) != NULL) {
		if (config_staff_by_id(cfg, v) != NULL)
			cfg_set_str(ctx, &sh->standby, v);
		else
			cfg_err(ctx, s, "unknown staff id \"%s\"", v);
	}
	parse_labels(ctx, g, sh);
}

void
cfg_read_shifts(struct cfg_ctx *ctx, const config_setting_t *root)
{
	struct config *cfg = ctx->cfg;
	const config_setting_t *g;
	config_setting_t *l;
	size_t n = cfg_get_group_list(ctx, root, "shifts", false, &l);

	if (n == 0)
		return;
	if ((cfg->shifts = calloc(n, sizeof(*cfg->shifts))) == NULL) {
		ctx->oom = true;
		return;
	}
	cfg->n_shifts = n;
	for (size_t i = 0; i < n; i++)
		if ((g = cfg_elem_group(ctx, l, i)) != NULL)
			parse_shift(ctx, g, i);
}
