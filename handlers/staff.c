/*
 * staff: !staff list|show|add|set|link|unlink|remove.  Formats are checked
 * here; everything that depends on what is stored (existence, rank of the
 * person changed, the last webmaster, identity owners) is checked by the
 * script in the same atomic step that makes the change.
 */
#include "handlers/handlers.h"
#include "handlers/common.h"
#include "handlers/commands.h"
#include "handlers/shift_time.h"
#include "config/config_values.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#define STAFF_LIST_MAX 16384

static bool valid_email(const char *s)
{
	const char *at = strchr(s, '@');
	const char *dot = at ? strrchr(at, '.') : NULL;

	return at && at > s && strchr(at + 1, '@') == NULL && dot && dot > at + 1 && dot[1] != '\0' &&
	    strpbrk(s, " \t<>\"") == NULL && strlen(s) < 128;
}

static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 100 && strpbrk(s, "\n\r\t") == NULL;
}

/* "<connection>:<user id>" with a configured connection. */
static bool valid_identity(const struct request *req, const char *s)
{
	const char *colon = strchr(s, ':');
	char conn[64];

	if (colon == NULL || colon == s || colon[1] == '\0' || (size_t)(colon - s) >= sizeof(conn) ||
	    strpbrk(s, " \t\n") != NULL || strlen(s) >= 160)
		return false;
	memcpy(conn, s, (size_t)(colon - s));
	conn[colon - s] = '\0';
	return config_connection(request_config(req), conn) != NULL;
}

/*
 * An identity on an IRC connection that chat may add: a services account, or
 * the exact nick!user@host of a chat friend.  A hostmask pattern works only
 * from the config file, where the IRC connection reads its masks; a bare
 * nick is anybody's.
 */
static bool irc_identity_linkable(const struct request *req, const char *s)
{
	const char *colon = strchr(s, ':');
	const struct config_connection *c;
	char conn[64];

	if (colon == NULL || (size_t)(colon - s) >= sizeof(conn))
		return true;            /* valid_identity() says what is wrong */
	memcpy(conn, s, (size_t)(colon - s));
	conn[colon - s] = '\0';
	if ((c = config_connection(request_config(req), conn)) == NULL || c->type != PLATFORM_IRC)
		return true;
	s = colon + 1;
	if (strncmp(s, "account:", 8) == 0)
		return config_word_valid(s + 8, 64);
	return strncmp(s, "nick:", 5) == 0 && config_irc_mask_valid(s + 5) && strpbrk(s, "*?") == NULL;
}

static void refuse_irc_identity(struct request *req, const char *identity)
{
	char conn[64];

	snprintf(conn, sizeof(conn), "%.*s", (int)strcspn(identity, ":"), identity);
	refuse(req, MSG_STAFF_IRC_IDENTITY, "identity", identity, "connection", conn);
}

static void refuse_identity(struct request *req, const char *identity)
{
	const struct config *cfg = request_config(req);
	char names[256];
	size_t len = 0;

	names[0] = '\0';
	for (size_t i = 0; i < cfg->n_connections; i++)
		len += (size_t)snprintf(names + len, len < sizeof(names) ? sizeof(names) - len : 0, "%s%s",
		    i ? ", " : "", cfg->connections[i].name);
	refuse(req, MSG_STAFF_BAD_IDENTITY, "identity", identity, "connections", names);
}

static bool rank_ok_for_role(const struct request *req, enum role r)
{
	return req->caller.role == ROLE_WEBMASTER || r < req->caller.role;
}

static void refuse_rank(struct request *req)
{
	refuse(req, MSG_STAFF_RANK, "role", role_display(req->caller.role, req->caller.lang));
}

/* KEYS[1] staff:<id>, the standard head, the caller's rank. */
static struct state_args *staff_args(struct request *req, const char *id)
{
	char key[80];
	struct state_args *a;

	snprintf(key, sizeof(key), "staff:%s", id);
	a = script_args(req, key);
	if (a != NULL)
		state_args_addf(a, "%d", (int)req->caller.role);
	return a;
}

/* ---- list / show ---- */

static void on_list(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	char *out, line[512], name[200], count[24];
	size_t len, n;

	if (err != NULL) {
		reply_state_error(req, err);
		request_done(req);
		return;
	}
	n = r->type == REDIS_REPLY_ARRAY ? r->elements / 4 : 0;
	if (n == 0 || (out = malloc(STAFF_LIST_MAX)) == NULL) {
		reply(req, MSG_STAFF_EMPTY);
		request_done(req);
		return;
	}
	snprintf(count, sizeof(count), "%zu", n);
	len = strlen(MSGN(req, out, STAFF_LIST_MAX, MSG_STAFF_LIST_HEADER, "count", count));
	for (size_t i = 0; i < n && len < STAFF_LIST_MAX; i++) {
		int role = config_role_parse(reply_str(r, i * 4 + 2));
		display_name(reply_str(r, i * 4 + 1), reply_str(r, i * 4 + 3), name, sizeof(name));
		MSG(req, line, MSG_STAFF_LIST_LINE, "name", name, "id", reply_str(r, i * 4),
		    "role", role_display(role > 0 ? (enum role)role : ROLE_AGENT, req->caller.lang));
		len += (size_t)snprintf(out + len, STAFF_LIST_MAX - len, "\n%s", line);
	}
	reply_text(req, out);
	free(out);
	request_done(req);
}

void staff_list_cmd(struct request *req)
{
	const char *role = req->cmd.argc > 2 ? req->cmd.argv[2] : "";
	struct state_args *a;

	if (*role && config_role_parse(role) <= ROLE_FRIEND) {
		refuse(req, MSG_STAFF_BAD_VALUE, "field", "role", "value", role,
		    "why", catalog_text(req->caller.lang, MSG_WHY_ROLE));
		request_done(req);
		return;
	}
	a = state_args_new();
	state_args_addf(a, "%sstaff", state_prefix(request_state(req)));
	state_args_add(a, state_prefix(request_state(req)));
	state_args_add(a, "list");
	state_args_add(a, role);
	state_eval(request_state(req), SCRIPT_STAFF_READ, 1, a, on_list, req);
}

static void on_show(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	char name[200];
	int role;

	if (err != NULL) {
		reply_state_error(req, err);
	} else if (r->type != REDIS_REPLY_ARRAY || r->elements < 8) {
		refuse(req, MSG_STAFF_NOT_FOUND, "id", req->cmd.argv[2]);
	} else {
		role = config_role_parse(reply_str(r, 3));
		display_name(reply_str(r, 1), reply_str(r, 4), name, sizeof(name));
		/* the record holds contact data: never into a room */
		reply_private(req, MSG_STAFF_SHOW, "name", name, "id", reply_str(r, 0), "email", reply_str(r, 2),
		    "role", role_display(role > 0 ? (enum role)role : ROLE_AGENT, req->caller.lang),
		    "lang", *reply_str(r, 5) ? reply_str(r, 5) : request_config(req)->default_lang,
		    "identities", *reply_str(r, 6) ? reply_str(r, 6) : catalog_text(req->caller.lang, MSG_STAFF_NO_IDENTITIES),
		    "source", reply_str(r, 7));
	}
	request_done(req);
}

void staff_show_cmd(struct request *req)
{
	char id[64];
	struct state_args *a;

	if (!person_arg_or_refuse(req, req->cmd.argv[2], id, sizeof(id)))
		return;
	a = state_args_new();
	state_args_addf(a, "%sstaff:%s", state_prefix(request_state(req)), id);
	state_args_add(a, state_prefix(request_state(req)));
	state_args_add(a, "one");
	state_args_add(a, "");
	state_eval(request_state(req), SCRIPT_STAFF_READ, 1, a, on_show, req);
}

/* ---- add ---- */

static void on_added(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	const char *name = parse_option(&req->cmd, "name");
	const char *level = parse_option(&req->cmd, "level");
	const char *role = parse_option(&req->cmd, "role");
	char shown[200];

	if (err != NULL)
		reply_state_error(req, err);
	else if (reply_is(r, "exists"))
		refuse(req, MSG_STAFF_EXISTS, "id", req->cmd.argv[2]);
	else if (reply_is(r, "identity_taken"))
		refuse(req, MSG_STAFF_IDENTITY_TAKEN, "identity", reply_str(r, 1), "name", reply_str(r, 2));
	else
		reply(req, MSG_STAFF_ADDED, "name", display_name(name, level ? level : "", shown, sizeof(shown)),
		    "role", role_display((enum role)config_role_parse(role), req->caller.lang));
	request_done(req);
}

static bool missing(struct request *req, const char *option, const char *value)
{
	char usage[256];

	if (value != NULL)
		return false;
	snprintf(usage, sizeof(usage), "%s%s", request_config(req)->command_prefix, req->command->usage);
	refuse(req, MSG_STAFF_MISSING, "option", option, "usage", usage);
	req->result = RESULT_USAGE;
	return true;
}

static bool bad_value(struct request *req, const char *field, const char *value, enum msg_id why)
{
	refuse(req, MSG_STAFF_BAD_VALUE, "field", field, "value", value, "why", catalog_text(req->caller.lang, why));
	return true;
}

void staff_add_cmd(struct request *req)
{
	struct parsed *p = &req->cmd;
	const char *id = p->argv[2];
	const char *name = parse_option(p, "name"), *email = parse_option(p, "email");
	const char *role_s = parse_option(p, "role"), *level_s = parse_option(p, "level");
	const char *lang = parse_option(p, "lang");
	char idents[1024];
	size_t len = 0;
	int role, level = LEVEL_NONE;
	struct state_args *a;

	idents[0] = '\0';
	if (p->is_option[2] || !valid_staff_id(id)) {
		bad_value(req, "id", id, MSG_WHY_ID);
		goto done;
	}
	if (missing(req, "name", name) || missing(req, "email", email) || missing(req, "role", role_s))
		goto done;
	if (!valid_name(name) && bad_value(req, "name", name, MSG_WHY_NAME))
		goto done;
	if (!valid_email(email) && bad_value(req, "email", email, MSG_WHY_EMAIL))
		goto done;
	role = config_role_parse(role_s);
	if (role <= ROLE_FRIEND && bad_value(req, "role", role_s, MSG_WHY_ROLE))
		goto done;
	if (level_s != NULL && (level = config_level_parse(level_s)) <= LEVEL_NONE &&
	    bad_value(req, "level", level_s, MSG_WHY_LEVEL))
		goto done;
	if (role == ROLE_AGENT && level == LEVEL_NONE && bad_value(req, "level", "", MSG_WHY_LEVEL))
		goto done;
	if (lang != NULL && !config_lang_valid(lang) && bad_value(req, "lang", lang, MSG_WHY_LANG))
		goto done;
	for (int i = 3; i < p->argc; i++) {
		if (p->is_option[i])
			continue;
		if (!valid_identity(req, p->argv[i])) {
			refuse_identity(req, p->argv[i]);
			goto done;
		}
		if (!irc_identity_linkable(req, p->argv[i])) {
			refuse_irc_identity(req, p->argv[i]);
			goto done;
		}
		len += (size_t)snprintf(idents + len, len < sizeof(idents) ? sizeof(idents) - len : 0, "%s%s",
		    len ? " " : "", p->argv[i]);
		if (len >= sizeof(idents)) {
			refuse_identity(req, p->argv[i]);      /* never store a cut identity */
			goto done;
		}
	}
	if (!rank_ok_for_role(req, (enum role)role)) {
		refuse_rank(req);
		goto done;
	}
	{
		char key[80];
		snprintf(key, sizeof(key), "staff:%s", id);
		a = script_args(req, key);     /* the rank was checked above: a new record has none */
	}
	state_args_add(a, id);
	state_args_add(a, name);
	state_args_add(a, email);
	state_args_add(a, config_role_name((enum role)role));
	state_args_add(a, config_level_name((enum level)level));
	state_args_add(a, lang ? lang : "");
	state_args_add(a, idents);
	state_eval(request_state(req), SCRIPT_STAFF_ADD, 1, a, on_added, req);
	return;
done:
	request_done(req);
}

/* ---- set ---- */

/* The new value: one (maybe quoted) word as parsed, or the rest of the line. */
static const char *set_value(const struct request *req)
{
	return req->cmd.argc == 5 ? req->cmd.argv[4] : parse_rest(&req->cmd, 4);
}

static void on_set(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	char shown[200], id[64];
	const char *field = req->cmd.argv[3];
	const char *value = set_value(req);

	person_arg(req->cmd.argv[2], id, sizeof(id));
	if (strcmp(field, "email") == 0)
		value = "…";    /* contact data is not echoed into rooms */
	if (err != NULL)
		reply_state_error(req, err);
	else if (reply_is(r, "not_found"))
		refuse(req, MSG_STAFF_NOT_FOUND, "id", id);
	else if (reply_is(r, "rank"))
		refuse_rank(req);
	else if (reply_is(r, "needs_level"))
		bad_value(req, "level", "", MSG_WHY_LEVEL);
	else if (reply_is(r, "last_webmaster"))
		refuse(req, MSG_STAFF_LAST_WEBMASTER, "name", reply_str(r, 1));
	else if (reply_is(r, "unchanged"))
		reply(req, MSG_STAFF_UNCHANGED, "name", display_name(reply_str(r, 1), reply_str(r, 2), shown, sizeof(shown)),
		    "field", field, "value", value);
	else
		reply(req, MSG_STAFF_UPDATED, "name", display_name(reply_str(r, 1), reply_str(r, 2), shown, sizeof(shown)),
		    "field", field, "value", value);
	request_done(req);
}

void staff_set_cmd(struct request *req)
{
	char id[64], value[256];
	const char *field = req->cmd.argv[3];
	struct state_args *a;

	if (!person_arg(req->cmd.argv[2], id, sizeof(id))) {
		refuse(req, MSG_STAFF_NOT_FOUND, "id", req->cmd.argv[2]);
		goto done;
	}
	snprintf(value, sizeof(value), "%s", set_value(req));
	if (strcmp(field, "name") == 0) {
		if (!valid_name(value) && bad_value(req, field, value, MSG_WHY_NAME))
			goto done;
	} else if (strcmp(field, "email") == 0) {
		if (!valid_email(value) && bad_value(req, field, value, MSG_WHY_EMAIL))
			goto done;
	} else if (strcmp(field, "role") == 0) {
		int role = config_role_parse(value);
		if (role <= ROLE_FRIEND && bad_value(req, field, value, MSG_WHY_ROLE))
			goto done;
		if (!rank_ok_for_role(req, (enum role)role)) {
			refuse_rank(req);
			goto done;
		}
		snprintf(value, sizeof(value), "%s", config_role_name((enum role)role));
	} else if (strcmp(field, "level") == 0) {
		int level = config_level_parse(value);
		if (level <= LEVEL_NONE && bad_value(req, field, value, MSG_WHY_LEVEL))
			goto done;
		snprintf(value, sizeof(value), "%s", config_level_name((enum level)level));
	} else if (strcmp(field, "lang") == 0) {
		if (!config_lang_valid(value) && bad_value(req, field, value, MSG_WHY_LANG))
			goto done;
	} else if (strcmp(field, "skills") == 0 || strcmp(field, "langs") == 0) {
		/* "billing,tech": a comma list of short words */
		for (const char *p = value; *p; p++)
			if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == ',' || *p == '_' || *p == '-')) {
				bad_value(req, field, value, MSG_WHY_LIST);
				goto done;
			}
	} else {
		refuse(req, MSG_STAFF_BAD_FIELD, "field", field);
		goto done;
	}
	a = staff_args(req, id);
	state_args_add(a, id);
	state_args_add(a, field);
	state_args_add(a, value);
	state_eval(request_state(req), SCRIPT_STAFF_SET, 1, a, on_set, req);
	return;
done:
	request_done(req);
}

/* ---- link / unlink ---- */

/* The answer to a link or an unlink; DONE says what happened when it worked. */
static void link_answer(const redisReply *r, const char *err, struct request *req, enum msg_id done)
{
	const char *identity = req->cmd.argv[3];
	char shown[200], id[64];

	person_arg(req->cmd.argv[2], id, sizeof(id));
	if (err != NULL)
		reply_state_error(req, err);
	else if (reply_is(r, "not_found"))
		refuse(req, MSG_STAFF_NOT_FOUND, "id", id);
	else if (reply_is(r, "rank"))
		refuse_rank(req);
	else if (reply_is(r, "taken"))
		refuse(req, MSG_STAFF_IDENTITY_TAKEN, "identity", identity, "name", reply_str(r, 1));
	else if (reply_is(r, "too_many"))
		refuse(req, MSG_STAFF_TOO_MANY_IDENTITIES, "max", "16");
	else if (reply_is(r, "not_linked"))
		refuse(req, MSG_STAFF_NOT_LINKED, "identity", identity,
		    "name", display_name(reply_str(r, 1), reply_str(r, 2), shown, sizeof(shown)));
	else
		reply(req, done, "identity", identity,
		    "name", display_name(reply_str(r, 1), reply_str(r, 2), shown, sizeof(shown)));
	request_done(req);
}

static void on_linked(const redisReply *r, const char *err, void *privdata)
{
	link_answer(r, err, privdata, MSG_STAFF_LINKED);
}

static void on_unlinked(const redisReply *r, const char *err, void *privdata)
{
	link_answer(r, err, privdata, MSG_STAFF_UNLINKED);
}

static void link_or_unlink(struct request *req, const char *mode, state_cb *answer)
{
	char id[64];
	struct state_args *a;

	if (!person_arg_or_refuse(req, req->cmd.argv[2], id, sizeof(id)))
		return;
	if (!valid_identity(req, req->cmd.argv[3])) {
		refuse_identity(req, req->cmd.argv[3]);
		request_done(req);
		return;
	}
	/* unlinking takes any identity: one from the config file may be unlinked in chat */
	if (strcmp(mode, "link") == 0 && !irc_identity_linkable(req, req->cmd.argv[3])) {
		refuse_irc_identity(req, req->cmd.argv[3]);
		request_done(req);
		return;
	}
	a = staff_args(req, id);
	state_args_add(a, id);
	state_args_add(a, req->cmd.argv[3]);
	state_args_add(a, mode);
	state_eval(request_state(req), SCRIPT_STAFF_LINK, 1, a, answer, req);
}

void staff_link_cmd(struct request *req)
{
	link_or_unlink(req, "link", on_linked);
}

void staff_unlink_cmd(struct request *req)
{
	link_or_unlink(req, "unlink", on_unlinked);
}

/* ---- remove ---- */

/* How far ahead !staff remove looks for roster slots of the person. */
#define REMOVE_LOOKAHEAD_DAYS 400
/* At most this many slots are named in a refusal. */
#define REMOVE_SLOTS_SHOWN 8

static void on_removed(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	char shown[200], id[64];

	person_arg(req->cmd.argv[2], id, sizeof(id));
	if (err != NULL) {
		reply_state_error(req, err);
	} else if (reply_is(r, "not_found")) {
		refuse(req, MSG_STAFF_NOT_FOUND, "id", id);
	} else if (reply_is(r, "rank")) {
		refuse_rank(req);
	} else if (reply_is(r, "last_webmaster")) {
		refuse(req, MSG_STAFF_LAST_WEBMASTER, "name", reply_str(r, 1));
	} else if (reply_is(r, "holds")) {
		char slots[1024], more[24];
		size_t len = 0, n = r->elements > 3 ? r->elements - 3 : 0;
		for (size_t i = 3; i < r->elements && i < 3 + REMOVE_SLOTS_SHOWN; i++)
			len += (size_t)snprintf(slots + len, len < sizeof(slots) ? sizeof(slots) - len : 0, "%s%s",
			    len ? ", " : "", reply_str(r, i));
		if (n > REMOVE_SLOTS_SHOWN) {
			char tail[128];
			snprintf(more, sizeof(more), "%zu", n - REMOVE_SLOTS_SHOWN);
			MSG(req, tail, MSG_STAFF_REMOVE_MORE, "n", more);
			snprintf(slots + len, len < sizeof(slots) ? sizeof(slots) - len : 0, " %s", tail);
		}
		refuse(req, MSG_STAFF_REMOVE_HOLDS, "name", display_name(reply_str(r, 1), reply_str(r, 2), shown, sizeof(shown)),
		    "slots", slots, "id", id);
	} else {
		char text[1024], freed[600];
		MSG(req, text, strcmp(reply_str(r, 3), "config") == 0 ? MSG_STAFF_REMOVED_CONFIG : MSG_STAFF_REMOVED,
		    "name", display_name(reply_str(r, 1), reply_str(r, 2), shown, sizeof(shown)));
		if (*reply_str(r, 4)) {
			MSG(req, freed, MSG_STAFF_REMOVED_FREED, "slots", reply_str(r, 4));
			snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s", freed);
		}
		reply_text(req, text);
	}
	request_done(req);
}

void staff_remove_cmd(struct request *req)
{
	const struct config *cfg = request_config(req);
	int64_t now = request_now(req);
	char id[64], names[512];
	struct state_args *a;
	struct ymd today;
	bool force = req->cmd.argc == 4 && strcmp(req->cmd.argv[3], "force") == 0;

	if (req->cmd.argc > 4 || (req->cmd.argc == 4 && !force)) {
		reply_usage(req);
		request_done(req);
		return;
	}
	if (!person_arg_or_refuse(req, req->cmd.argv[2], id, sizeof(id)))
		return;
	if (strcmp(id, req->caller.id) == 0) {
		refuse(req, MSG_STAFF_SELF_REMOVE);
		request_done(req);
		return;
	}
	a = staff_args(req, id);
	state_args_add(a, id);
	state_args_add(a, force ? "1" : "0");
	{
		/* the shifts not over yet: those of yesterday and today by their
		 * end, then every date from tomorrow on */
		char *list = malloc(REMOVE_LOOKAHEAD_DAYS * 11 + 1);
		size_t len = 0;
		if (list == NULL) {
			state_args_free(a);
			reply_state_error(req, "out of memory");
			request_done(req);
			return;
		}
		struct shift_instance around[64];
		int n = shift_instances_around(cfg, now, around, 64);
		list[0] = '\0';
		when_local_date(now, &today, NULL);
		for (int i = 0; i < n; i++)
			if (around[i].end > now && when_compare(around[i].date, today) <= 0)
				len += (size_t)snprintf(list + len, len < REMOVE_LOOKAHEAD_DAYS * 11 + 1 ? REMOVE_LOOKAHEAD_DAYS * 11 + 1 - len : 0,
				    "%s%s|%s|%s", len ? " " : "", around[i].date_s, around[i].shift->name, around[i].week);
		state_args_add(a, list);
		len = 0;
		list[0] = '\0';
		for (int d = 1; d <= REMOVE_LOOKAHEAD_DAYS; d++) {
			char date[11];
			len += (size_t)snprintf(list + len, REMOVE_LOOKAHEAD_DAYS * 11 + 1 - len, "%s%s", len ? " " : "",
			    when_format(when_add_days(today, d), date));
		}
		state_args_add(a, list);
		free(list);
	}
	state_args_add(a, shift_names(cfg, names, sizeof(names)));
	state_eval(request_state(req), SCRIPT_STAFF_REMOVE, 1, a, on_removed, req);
}
