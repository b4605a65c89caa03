/*
 * config_connections: the connections = ( ... ) list: one group per platform
 * connection, what each platform needs (its URL schemes, tokens and nick) and
 * which keys belong to which platform.
 */
#include "config/config.h"
#include "config/config_sections.h"
#include "config/config_values.h"
#include "bot/lib/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sorted (strcmp) for bsearch. */
static const struct cfg_known_key connection_keys[] = {
	{ "api_url", CFG_ONLY(PLATFORM_DISCORD) | CFG_ONLY(PLATFORM_SLACK) },
	{ "app_token", CFG_ONLY(PLATFORM_SLACK) },
	{ "app_token_file", CFG_ONLY(PLATFORM_SLACK) },
	{ "bot_token", CFG_ONLY(PLATFORM_SLACK) },
	{ "bot_token_file", CFG_ONLY(PLATFORM_SLACK) },
	{ "channel_keys", CFG_ONLY(PLATFORM_IRC) },
	{ "channels", 0 },
	{ "join", CFG_ONLY(PLATFORM_IRC) },
	{ "lang", 0 },
	{ "max_in_flight", CFG_ONLY(PLATFORM_SITE) },
	{ "max_pending", 0 },
	{ "max_queued", 0 },
	{ "max_send_rate", 0 },
	{ "name", 0 },
	{ "nick", CFG_ONLY(PLATFORM_IRC) },
	{ "password_file", CFG_ONLY(PLATFORM_IRC) },
	{ "sasl_password_file", CFG_ONLY(PLATFORM_IRC) },
	{ "sasl_user", CFG_ONLY(PLATFORM_IRC) },
	{ "tls_verify", 0 },
	{ "token", CFG_ONLY(PLATFORM_SITE) | CFG_ONLY(PLATFORM_DISCORD) | CFG_ONLY(PLATFORM_MATTERMOST) },
	{ "token_file", CFG_ONLY(PLATFORM_SITE) | CFG_ONLY(PLATFORM_DISCORD) | CFG_ONLY(PLATFORM_MATTERMOST) },
	{ "type", 0 },
	{ "url", CFG_ONLY(PLATFORM_SITE) | CFG_ONLY(PLATFORM_MATTERMOST) | CFG_ONLY(PLATFORM_IRC) },
};

static const char *const ws_schemes[] = { "ws://", "wss://", NULL };
static const char *const http_schemes[] = { "http://", "https://", NULL };

/* What each platform needs; indexed by enum platform_type. */
static const struct platform_rules {
	const char *const *url;         /* schemes when url is required, else NULL */
	const char *api_url;            /* default api_url, NULL: not used */
	bool token, slack_tokens, nick;
} platform_rules[] = {
	[PLATFORM_SITE] = { .url = ws_schemes, .token = true },
	[PLATFORM_DISCORD] = { .api_url = "https://discord.com/api/v10", .token = true },
	[PLATFORM_SLACK] = { .api_url = "https://slack.com/api", .slack_tokens = true },
	[PLATFORM_MATTERMOST] = { .url = http_schemes, .token = true },
	[PLATFORM_IRC] = { .url = ws_schemes, .nick = true },
};

/* --- connections --------------------------------------------------------- */

/* A channel in its long form: { room = "alerts"; lang = "es"; } - its posts
 * are read by the people of that room, who may share a language the
 * connection's other people do not. */
static const struct cfg_known_key channel_keys[] = { { "lang", 0 }, { "room", 0 } };      /* sorted: bsearch */

static void
parse_channel_group(struct cfg_ctx *ctx, const config_setting_t *s,
    struct config_connection *c, int kind)
{
	const config_setting_t *e;
	const char *v;

	cfg_check_keys(ctx, s, channel_keys, NELEM(channel_keys), -1);
	if ((e = cfg_need_str(ctx, s, "room", &v)) != NULL) {
		if (*v == '\0')
			cfg_err(ctx, e, "must not be empty");
		else
			cfg_set_str(ctx, &c->channel[kind], v);
	}
	if ((e = cfg_get_str(ctx, s, "lang", &v)) != NULL) {
		if (config_lang_valid(v))
			cfg_set_str(ctx, &c->channel_lang[kind], v);
		else
			cfg_err(ctx, e, "unknown language \"%s\"", v);
	}
}

static void
parse_channels(struct cfg_ctx *ctx, const config_setting_t *conn,
    struct config_connection *c)
{
	const config_setting_t *g = cfg_get_typed(ctx, conn, "channels", CONFIG_TYPE_GROUP);

	for (int i = 0; g != NULL && i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		int kind = config_channel_parse(config_setting_name(s));

		if (kind < 0)
			cfg_err(ctx, s, "unknown channel (want ops, alerts, tech or complaints)");
		else if (config_setting_type(s) == CONFIG_TYPE_GROUP)
			parse_channel_group(ctx, s, c, kind);
		else if (config_setting_type(s) != CONFIG_TYPE_STRING)
			cfg_err(ctx, s, "must be a string or a group { room = ...; lang = ...; }");
		else if (*config_setting_get_string(s) == '\0')
			cfg_err(ctx, s, "must not be empty");
		else
			cfg_set_str(ctx, &c->channel[kind], config_setting_get_string(s));
	}
}

static void
parse_connection_urls(struct cfg_ctx *ctx, const config_setting_t *g,
    struct config_connection *c, const struct platform_rules *rules)
{
	const config_setting_t *s;
	const char *v;

	if (rules->url != NULL && (s = cfg_need_str(ctx, g, "url", &v)) != NULL) {
		if (config_url_valid(v, rules->url))
			cfg_set_str(ctx, &c->url, v);
		else
			cfg_err(ctx, s, "bad URL \"%s\" (want %s or %s)", v,
			    rules->url[0], rules->url[1]);
	}
	if (rules->api_url == NULL)
		return;
	if ((s = cfg_get_str(ctx, g, "api_url", &v)) == NULL)
		v = rules->api_url;
	else if (!config_url_valid(v, http_schemes)) {
		cfg_err(ctx, s, "bad URL \"%s\" (want http:// or https://)", v);
		return;
	}
	cfg_set_str(ctx, &c->api_url, v);
}

/* A list of strings KEY of G, each checked by OK (WANT says what it wants), into *OUT. */
static void
parse_strings(struct cfg_ctx *ctx, const config_setting_t *g, const char *key,
    bool (*ok)(const char *), const char *want, char ***out, size_t *n)
{
	const config_setting_t *l = cfg_get_typed(ctx, g, key, CONFIG_TYPE_LIST);
	size_t len;

	if (l == NULL || (len = (size_t)config_setting_length(l)) == 0)
		return;
	if ((*out = calloc(len, sizeof(**out))) == NULL) {
		ctx->oom = true;
		return;
	}
	for (size_t i = 0; i < len; i++) {
		const char *v = cfg_elem_str(ctx, l, (int)i);
		if (v == NULL)
			continue;
		if (!ok(v))
			cfg_err(ctx, config_setting_get_elem(l, (unsigned)i), "bad entry \"%s\" (want %s)", v, want);
		else if (((*out)[*n] = strdup(v)) == NULL)
			ctx->oom = true;
		else
			(*n)++;
	}
}

/* "#channel key": a channel name, one blank, a key of printable characters without blanks or commas. */
static bool
channel_key_valid(const char *v)
{
	const char *sp = strchr(v, ' ');
	char chan[64];

	if (sp == NULL || (size_t)(sp - v) >= sizeof(chan) || sp[1] == '\0' || strlen(sp + 1) > 64)
		return false;
	memcpy(chan, v, (size_t)(sp - v));
	chan[sp - v] = '\0';
	for (const char *p = sp + 1; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == ',' || *p == 0x7f)
			return false;
	return config_irc_channel_valid(chan);
}

/* Mapped channels and join = ( ... ) are IRC channel names; every keyed channel is one of them. */
static void
parse_irc_channels(struct cfg_ctx *ctx, const config_setting_t *g, struct config_connection *c)
{
	const config_setting_t *chans = config_setting_get_member(g, "channels"), *keys;

	for (int i = 0; i < CHANNEL_MAX; i++) {
		const config_setting_t *s = chans != NULL ? config_setting_get_member(chans, config_channel_name(i)) : NULL;
		const char *v = s != NULL && config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : NULL;
		if (v != NULL && *v && !config_irc_channel_valid(v))
			cfg_err(ctx, s, "bad IRC channel \"%s\" (want # or & and a name without blanks or commas)", v);
	}
	parse_strings(ctx, g, "join", config_irc_channel_valid, "an IRC channel: # or & and a name without blanks or commas",
	    &c->join, &c->n_join);
	parse_strings(ctx, g, "channel_keys", channel_key_valid, "\"<channel> <key>\"", &c->channel_keys,
	    &c->n_channel_keys);
	keys = config_setting_get_member(g, "channel_keys");
	for (size_t i = 0; i < c->n_channel_keys; i++) {
		size_t n = strcspn(c->channel_keys[i], " ");
		bool known = false;
		for (int k = 0; k < CHANNEL_MAX && !known; k++) {
			const config_setting_t *s = chans != NULL ? config_setting_get_member(chans, config_channel_name(k)) : NULL;
			const char *v = s != NULL && config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : NULL;
			known = v != NULL && strlen(v) == n && strncmp(v, c->channel_keys[i], n) == 0;
		}
		for (size_t j = 0; j < c->n_join && !known; j++)
			known = strlen(c->join[j]) == n && strncmp(c->join[j], c->channel_keys[i], n) == 0;
		if (!known)
			cfg_err(ctx, keys, "key for %.*s, which is neither in channels nor in join", (int)n, c->channel_keys[i]);
	}
}

static void
parse_connection_irc(struct cfg_ctx *ctx, const config_setting_t *g,
    struct config_connection *c, const char *cred)
{
	const config_setting_t *s;
	const char *v;

	if ((s = cfg_need_str(ctx, g, "nick", &v)) != NULL) {
		if (config_word_valid(v, 32))
			cfg_set_str(ctx, &c->nick, v);
		else
			cfg_err(ctx, s, "must be 1 to 32 characters without spaces");
	}
	if ((s = cfg_get_str(ctx, g, "sasl_user", &v)) != NULL) {
		if (config_word_valid(v, 64))
			cfg_set_str(ctx, &c->sasl_user, v);
		else
			cfg_err(ctx, s, "must be 1 to 64 characters without spaces");
	}
	if (s != NULL)
		c->sasl_password = cfg_secret(ctx, g, "sasl_password", false, true, cred);
	else if ((s = config_setting_get_member(g, "sasl_password_file")) != NULL)
		cfg_err(ctx, s, "needs sasl_user");
	c->password = cfg_secret(ctx, g, "password", false, false, cred);
	parse_irc_channels(ctx, g, c);
}

static void
parse_connection(struct cfg_ctx *ctx, const config_setting_t *g, size_t idx)
{
	struct config *cfg = ctx->cfg;
	struct config_connection *c = &cfg->connections[idx];
	const struct platform_rules *rules = NULL;
	const config_setting_t *s;
	const char *v, *cred = NULL;
	int type = -1;

	c->line = (int)config_setting_source_line(g);
	c->tls_verify = true;
	c->max_send_rate = 20;
	c->max_in_flight = 1;
	c->max_pending = 256;
	c->max_queued = 1000;
	if ((s = cfg_need_str(ctx, g, "type", &v)) != NULL &&
	    (type = config_platform_parse(v)) < 0)
		cfg_err(ctx, s, "unknown platform \"%s\"", v);
	cfg_check_keys(ctx, g, connection_keys, NELEM(connection_keys), type);
	if ((s = cfg_need_str(ctx, g, "name", &v)) != NULL) {
		if (!config_name_valid(v, false))
			cfg_err(ctx, s, "bad name \"%s\" (want 1 to 32 of a-z 0-9 _ -)", v);
		else if (config_connection(cfg, v) != NULL)
			cfg_err(ctx, s, "duplicate connection name \"%s\" (first at line %d)",
			    v, config_connection(cfg, v)->line);
		else
			cfg_set_str(ctx, &c->name, v);
		cred = c->name;
	}
	if (type >= 0) {
		c->type = (enum platform_type)type;
		rules = &platform_rules[type];
		parse_connection_urls(ctx, g, c, rules);
		if (rules->token)
			c->token = cfg_secret(ctx, g, "token", true, true, cred);
		if (rules->slack_tokens) {
			c->app_token = cfg_secret(ctx, g, "app_token", true, true, cred);
			c->bot_token = cfg_secret(ctx, g, "bot_token", true, true, cred);
		}
		if (rules->nick)
			parse_connection_irc(ctx, g, c, cred);
	}
	cfg_get_bool(ctx, g, "tls_verify", &c->tls_verify);
	if (type == PLATFORM_IRC)
		c->max_send_rate = 1;   /* lines a second after a burst: below common servers' flood limits */
	cfg_get_int(ctx, g, "max_send_rate", 0, 1000, &c->max_send_rate);
	cfg_get_int(ctx, g, "max_in_flight", 1, 1024, &c->max_in_flight);
	cfg_get_int(ctx, g, "max_pending", 8, 65536, &c->max_pending);
	cfg_get_int(ctx, g, "max_queued", 10, 1000000, &c->max_queued);
	cfg_set_str(ctx, &c->lang, cfg->default_lang);
	if ((s = cfg_get_str(ctx, g, "lang", &v)) != NULL) {
		if (config_lang_valid(v))
			cfg_set_str(ctx, &c->lang, v);
		else
			cfg_err(ctx, s, "unknown language \"%s\"", v);
	}
	parse_channels(ctx, g, c);
}

void
cfg_read_connections(struct cfg_ctx *ctx, const config_setting_t *root)
{
	struct config *cfg = ctx->cfg;
	const config_setting_t *g;
	config_setting_t *l;
	size_t n = cfg_get_group_list(ctx, root, "connections", true, &l);

	if (n == 0)
		return;
	if ((cfg->connections = calloc(n, sizeof(*cfg->connections))) == NULL) {
		ctx->oom = true;
		return;
	}
	cfg->n_connections = n;
	for (size_t i = 0; i < n; i++)
		if ((g = cfg_elem_group(ctx, l, i)) != NULL)
			parse_connection(ctx, g, i);
}

void
cfg_actions_urls(struct cfg_ctx *ctx)
{
	struct config *cfg = ctx->cfg;
	char url[512];

	if (cfg->http.public_url == NULL)
		return;
	snprintf(url, sizeof(url), "%s/mattermost/actions", cfg->http.public_url);
	for (size_t i = 0; i < cfg->n_connections; i++)
		if (cfg->connections[i].type == PLATFORM_MATTERMOST)
			cfg_set_str(ctx, &cfg->connections[i].actions_url, url);
}
