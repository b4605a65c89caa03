/*
 * test_config: config/ (config.c, the reader, the value checks, the sections): the
 * example, defaults, lists, secrets from files and CREDENTIALS_DIRECTORY, and
 * the single-value parsers.  Every test writes its configuration text into a
 * fresh temporary directory (config_fixture.h) and loads it.  The problems a
 * file can have, each with its exact "file:line: setting: problem" line, are
 * in test_config_errors.c.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* asprintf, mkdtemp, open_memstream */
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config_fixture.h"

/* --- loading valid files ------------------------------------------------- */

/* A shift's label: one text per language, kept in the order written. */
static void
test_shift_labels(void **state)
{
	struct config *cfg = load(*state, SITE_CONN
	    "shifts = ( { name = \"early\"; start = \"06:00\"; end = \"14:00\";"
	    " label = { de = \"Frühdienst\"; zh = \"早班\"; }; },"
	    " { name = \"late\"; start = \"14:00\"; end = \"22:00\"; } );\n");

	assert_non_null(cfg);
	assert_int_equal(cfg->shifts[0].n_labels, 2);
	assert_string_equal(cfg->shifts[0].labels[0].lang, "de");
	assert_string_equal(cfg->shifts[0].labels[0].text, "Frühdienst");
	assert_string_equal(cfg->shifts[0].labels[1].text, "早班");
	assert_int_equal(cfg->shifts[1].n_labels, 0);
}

static void
test_example_loads(void **state)
{
	struct fixture *f = *state;
	const char *src = getenv("SOURCE_DIR");
	const struct config_connection *c;
	const struct config_staff *st;
	char path[1024];

	assert_non_null(src);
	snprintf(path, sizeof(path), "%s/config/dutybot.example.cfg", src);
	f->cfg = config_load(path, &f->errors);
	if (f->errors != NULL)
		fail_msg("%s", f->errors);
	assert_non_null(f->cfg);
	assert_string_equal(f->cfg->path, path);
	assert_string_equal(f->cfg->site, "cc");
	assert_string_equal(f->cfg->timezone, "Europe/Berlin");
	assert_string_equal(f->cfg->http.listen_host, "127.0.0.1");
	assert_int_equal(f->cfg->http.listen_port, 9462);
	assert_int_equal(f->cfg->redis.port, 6379);
	assert_int_equal(f->cfg->n_connections, 1);
	c = config_connection(f->cfg, "site");
	assert_non_null(c);
	assert_int_equal(c->type, PLATFORM_SITE);
	assert_string_equal(c->url, "ws://127.0.0.1:8080/bot");
	assert_string_equal(c->token, "demo-token");
	assert_int_equal(c->max_send_rate, 20);
	assert_string_equal(c->channel[CHANNEL_COMPLAINTS], "complaints");
	assert_int_equal(f->cfg->n_staff, 8);
	st = config_staff_by_id(f->cfg, "mia");
	assert_non_null(st);
	assert_int_equal(st->role, ROLE_AGENT);
	assert_int_equal(st->level, LEVEL_CCS);
	assert_int_equal(st->n_identities, 1);
	assert_string_equal(st->identities[0], "site:u3");
	assert_string_equal(config_staff_by_id(f->cfg, "vera")->lang, "hu");
	assert_int_equal(config_staff_by_id(f->cfg, "lemon")->role, ROLE_WEBMASTER);
	assert_null(config_staff_by_id(f->cfg, "nobody"));
	assert_int_equal(f->cfg->n_shifts, 3);
	assert_string_equal(f->cfg->shifts[2].name, "night");
	assert_int_equal(f->cfg->shifts[2].start_min, 22 * 60);
	assert_int_equal(f->cfg->shifts[2].end_min, 6 * 60);
	assert_string_equal(f->cfg->shifts[2].standby, "vera");
	assert_null(f->cfg->shifts[0].standby);
}

static void
test_defaults_for_minimal_config(void **state)
{
	struct fixture *f = *state;
	const struct config *cfg = load(f, SITE_CONN);
	const struct config_connection *c;

	assert_non_null(cfg);
	assert_string_equal(cfg->site, "cc");
	assert_string_equal(cfg->key_prefix, "dutybot:");
	assert_string_equal(cfg->command_prefix, "!");
	assert_string_equal(cfg->timezone, "UTC");
	assert_string_equal(cfg->default_lang, "en");
	assert_string_equal(cfg->log_level, "info");
	assert_string_equal(cfg->redis.host, "127.0.0.1");
	assert_int_equal(cfg->redis.port, 6379);
	assert_null(cfg->redis.unix_socket);
	assert_int_equal(cfg->redis.db, 0);
	assert_null(cfg->redis.password);
	assert_int_equal(cfg->redis.timeout_ms, 2000);
	assert_string_equal(cfg->http.listen_host, "127.0.0.1");
	assert_int_equal(cfg->http.listen_port, 9462);
	assert_int_equal(cfg->limits.friends.per_minute, 20);
	assert_int_equal(cfg->limits.friends.burst, 5);
	assert_int_equal(cfg->limits.staff.per_minute, 120);
	assert_int_equal(cfg->limits.staff.burst, 30);
	assert_int_equal(cfg->limits.staff_queue, 200);
	assert_int_equal(cfg->limits.dedupe_ttl_ms, 24 * 3600 * 1000LL);
	assert_int_equal(cfg->policy.late_grace_ms, 10 * 60 * 1000);
	assert_int_equal(cfg->policy.late_window_ms, 30 * 24 * 3600 * 1000LL);
	assert_int_equal(cfg->policy.leave_notice_ms, 24 * 3600 * 1000);
	assert_int_equal(cfg->policy.checkin_opens_ms, 30 * 60 * 1000);
	assert_int_equal(cfg->policy.reminder_ms, 30 * 60 * 1000);
	assert_int_equal(cfg->policy.min_weekly_hours, 30);
	assert_int_equal(cfg->escalation.ack_timeout_ms, 5 * 60 * 1000);
	assert_int_equal(cfg->escalation.repeat, 2);
	assert_int_equal(cfg->escalation.pages_per_minute, 3);
	assert_int_equal(cfg->escalation.n_chain, 4);
	assert_string_equal(cfg->escalation.chain[0], "shift_lead");
	assert_string_equal(cfg->escalation.chain[3], "webmasters");
	assert_string_equal(cfg->notify.tag, "[System]");
	assert_int_equal(cfg->notify.max_length, 500);
	assert_int_equal(cfg->notify.n_link_hosts, 0);
	assert_int_equal(cfg->approvals.stuck_after_ms, 48 * 3600 * 1000LL);
	assert_int_equal(cfg->n_staff, 0);
	assert_int_equal(cfg->n_shifts, 0);
	c = &cfg->connections[0];
	assert_true(c->tls_verify);
	assert_int_equal(c->max_send_rate, 20);
	assert_string_equal(c->lang, "en");
	assert_null(c->channel[CHANNEL_OPS]);
	assert_int_equal(c->line, 1);
}

static void
test_channel_has_its_own_language(void **state)
{
	struct fixture *f = *state;
	const struct config_connection *c;

	assert_non_null(load(f, "connections = ( { name = \"site\"; type = \"site\"; url = \"ws://h/\"; token = \"t\";\n"
	    "  lang = \"de\"; channels = { ops = \"ops\"; alerts = { room = \"alarm\"; lang = \"es\"; }; }; } );\n"));
	c = &f->cfg->connections[0];
	assert_string_equal(c->channel[CHANNEL_OPS], "ops");
	assert_null(c->channel_lang[CHANNEL_OPS]);          /* the connection's: de */
	assert_string_equal(c->channel[CHANNEL_ALERTS], "alarm");
	assert_string_equal(c->channel_lang[CHANNEL_ALERTS], "es");
}

static void
test_connection_lang_defaults_to_default_lang(void **state)
{
	struct fixture *f = *state;

	assert_non_null(load(f, "default_lang = \"de\";\n" SITE_CONN));
	assert_string_equal(f->cfg->connections[0].lang, "de");
}

static void
test_platform_defaults(void **state)
{
	struct fixture *f = *state;

	assert_non_null(load(f,
	    "connections = (\n"
	    "  { name = \"discord\"; type = \"discord\"; token = \"d\"; },\n"
	    "  { name = \"slack\"; type = \"slack\"; app_token = \"xapp\"; bot_token = \"xoxb\"; },\n"
	    "  { name = \"mm\"; type = \"mattermost\"; url = \"https://chat.example.org\"; token = \"m\"; },\n"
	    "  { name = \"irc\"; type = \"irc\"; url = \"wss://irc.example.org:8097/\"; nick = \"dutybot\"; }\n"
	    ");\n"));
	assert_string_equal(config_connection(f->cfg, "discord")->api_url,
	    "https://discord.com/api/v10");
	assert_string_equal(config_connection(f->cfg, "slack")->api_url, "https://slack.com/api");
	assert_string_equal(config_connection(f->cfg, "slack")->bot_token, "xoxb");
	assert_null(config_connection(f->cfg, "mm")->api_url);
	assert_string_equal(config_connection(f->cfg, "irc")->nick, "dutybot");
	assert_null(config_connection(f->cfg, "irc")->sasl_user);
	assert_null(config_connection(f->cfg, "nope"));
}

static void
test_http_listen_forms(void **state)
{
	struct fixture *f = *state;

	assert_non_null(load(f, "http = { listen = \"[::1]:8080\"; };\n" SITE_CONN));
	assert_string_equal(f->cfg->http.listen_host, "::1");
	assert_int_equal(f->cfg->http.listen_port, 8080);
	config_free(f->cfg);
	assert_non_null(load(f, "http = { listen = \"\"; };\n" SITE_CONN));
	assert_null(f->cfg->http.listen_host);
}

/* http.public_url: each Mattermost connection's button callback URL; bad ones refused */
static void
test_http_public_url(void **state)
{
	struct fixture *f = *state;
#define MM_CONN "connections = ( { name = \"mm\"; type = \"mattermost\"; " \
	    "url = \"https://chat.example.org\"; token = \"m\"; } );\n"

	assert_non_null(load(f, "http = { public_url = \"https://bot.example.org/dutybot/\"; };\n" SITE_CONN));
	assert_string_equal(f->cfg->http.public_url, "https://bot.example.org/dutybot");
	assert_null(f->cfg->connections[0].actions_url);        /* a site has no callbacks */
	config_free(f->cfg);
	assert_non_null(load(f, "http = { public_url = \"http://10.0.0.5:9462\"; };\n" MM_CONN));
	assert_string_equal(config_connection(f->cfg, "mm")->actions_url, "http://10.0.0.5:9462/mattermost/actions");
	config_free(f->cfg);
	assert_non_null(load(f, MM_CONN));
	assert_null(f->cfg->http.public_url);
	assert_null(config_connection(f->cfg, "mm")->actions_url);
	config_free(f->cfg);
	f->cfg = NULL;
	assert_errors(*state, SITE_CONN "http = { public_url = \"ftp://x.example.org\"; };\n",
	    "2: http.public_url: \"ftp://x.example.org\": want an http:// or https:// URL the chat server can reach\n");
	assert_errors(*state, SITE_CONN "http = { public_url = \"https://x.example.org/?a=b\"; };\n",
	    "2: http.public_url: \"https://x.example.org/?a=b\": want a URL without blanks, quotes, query or "
	    "fragment, at most 400 characters\n");
	assert_errors(*state, SITE_CONN "http = { listen = \"\"; public_url = \"https://x.example.org\"; };\n",
	    "2: http.listen: public_url is set but listen = \"\" turns the HTTP listener off: the chat server "
	    "would have nowhere to send button clicks\n");
}

/* lws binds a name nowhere (and resolving one would block): only address
 * literals, of the form's own family */
static void
test_http_listen_wants_an_address(void **state)
{
	assert_errors(*state,
	    SITE_CONN
	    "http = { listen = \"localhost:9462\"; };\n"
	    "http2 = 1;\n",
	    "2: http.listen: \"localhost:9462\": the host must be an IP address (\"127.0.0.1:9462\", "
	    "\"[::1]:9462\"), not a name\n"
	    "3: http2: unknown setting\n");
	assert_errors(*state,
	    SITE_CONN
	    "http = { listen = \"[127.0.0.1]:9462\"; };\n",
	    "2: http.listen: \"[127.0.0.1]:9462\": the host must be an IP address (\"127.0.0.1:9462\", "
	    "\"[::1]:9462\"), not a name\n");
	assert_errors(*state,
	    SITE_CONN
	    "http = { listen = \"127.0.0.256:9462\"; };\n",
	    "2: http.listen: \"127.0.0.256:9462\": the host must be an IP address (\"127.0.0.1:9462\", "
	    "\"[::1]:9462\"), not a name\n");
}

static void
test_lists_are_copied(void **state)
{
	struct fixture *f = *state;

	assert_non_null(load(f,
	    SITE_CONN
	    "escalation = { chain = [ \"duty_minister\", \"webmasters\" ]; repeat = 0; pages_per_minute = 60; };\n"
	    "notify = { link_hosts = ( \"example.org\", \"docs.example.org\" ); };\n"));
	assert_int_equal(f->cfg->escalation.n_chain, 2);
	assert_string_equal(f->cfg->escalation.chain[0], "duty_minister");
	assert_string_equal(f->cfg->escalation.chain[1], "webmasters");
	assert_int_equal(f->cfg->escalation.repeat, 0);
	assert_int_equal(f->cfg->escalation.pages_per_minute, 60);
	assert_int_equal(f->cfg->notify.n_link_hosts, 2);
	assert_string_equal(f->cfg->notify.link_hosts[1], "docs.example.org");
}

/* --- secrets ------------------------------------------------------------- */

static void
test_token_file_is_read(void **state)
{
	struct fixture *f = *state;

	write_file(f->dir, "site.token", "s3cret\r\n\n");
	assert_non_null(load(f,
	    "connections = ( { name = \"site\"; type = \"site\"; url = \"ws://h/\"; "
	    "token_file = \"site.token\"; } );\n"));
	assert_string_equal(f->cfg->connections[0].token, "s3cret");
}

/* Loads a site connection whose token is in site.token, the config at
 * CFG_MODE and the token file at TOKEN_MODE. */
static void
load_with_modes(struct fixture *f, mode_t cfg_mode, mode_t token_mode)
{
	char token[128];

	snprintf(token, sizeof(token), "%s/site.token", f->dir);
	write_file(f->dir, "site.token", "s3cret\n");
	write_file(f->dir, "dutybot.cfg",
	    "connections = ( { name = \"site\"; type = \"site\"; url = \"ws://h/\"; "
	    "token_file = \"site.token\"; } );\n");
	assert_int_equal(chmod(f->cfg_path, cfg_mode), 0);
	assert_int_equal(chmod(token, token_mode), 0);
	f->cfg = config_load(f->cfg_path, &f->errors);
	assert_non_null(f->cfg);
	assert_null(f->errors);
}

static void
test_private_secrets_load_without_warnings(void **state)
{
	struct fixture *f = *state;

	load_with_modes(f, 0600, 0400);
	assert_null(f->cfg->warnings);
	config_free(f->cfg);
	/* the README's install: root:dutybot 0640, read by the service's group only */
	load_with_modes(f, 0640, 0640);
	assert_null(f->cfg->warnings);
}

static void
test_secrets_readable_by_others_are_warned_about(void **state)
{
	struct fixture *f = *state;
	char *want;

	/* the load still succeeds: a warning, not an error */
	load_with_modes(f, 0644, 0604);
	assert_int_equal(asprintf(&want,
	    "%s is readable by others (mode 0644): chmod 600 it\n"
	    "%s/site.token is readable by others (mode 0604): chmod 600 it\n",
	    f->cfg_path, f->dir) > 0, 1);
	assert_non_null(f->cfg->warnings);
	assert_string_equal(f->cfg->warnings, want);
	assert_string_equal(f->cfg->connections[0].token, "s3cret");
	free(want);
}

static void
test_credentials_directory(void **state)
{
	struct fixture *f = *state;
	char creds[128];

	snprintf(creds, sizeof(creds), "%s/creds", f->dir);
	assert_int_equal(mkdir(creds, 0700), 0);
	write_file(creds, "slack.app_token", "xapp-1\n");
	write_file(creds, "slack.bot_token", "xoxb-1");
	write_file(creds, "irc.sasl_password", "pw\n");
	setenv("CREDENTIALS_DIRECTORY", creds, 1);
	assert_non_null(load(f,
	    "connections = (\n"
	    "  { name = \"slack\"; type = \"slack\"; bot_token = \"inline\"; },\n"
	    "  { name = \"irc\"; type = \"irc\"; url = \"wss://h/\"; nick = \"bot\";"
	    " sasl_user = \"bot\"; }\n"
	    ");\n"));
	assert_string_equal(config_connection(f->cfg, "slack")->app_token, "xapp-1");
	assert_string_equal(config_connection(f->cfg, "slack")->bot_token, "inline");
	assert_string_equal(config_connection(f->cfg, "irc")->sasl_password, "pw");
}

static void
test_redis_sentinels(void **state)
{
	struct fixture *f = *state;

	write_file(f->dir, "sentinel.pass", "s3cret\n");
	assert_non_null(load(f, "redis = { sentinels = ( \"127.0.0.1:26379\", \"[::1]:26380\" );"
	    " master_name = \"dutybot\"; sentinel_password_file = \"sentinel.pass\"; };\n" SITE_CONN));
	assert_int_equal(f->cfg->redis.n_sentinels, 2);
	assert_string_equal(f->cfg->redis.sentinel_hosts[0], "127.0.0.1");
	assert_int_equal(f->cfg->redis.sentinel_ports[0], 26379);
	assert_string_equal(f->cfg->redis.sentinel_hosts[1], "::1");
	assert_int_equal(f->cfg->redis.sentinel_ports[1], 26380);
	assert_string_equal(f->cfg->redis.master_name, "dutybot");
	assert_string_equal(f->cfg->redis.sentinel_password, "s3cret");
	assert_null(f->cfg->redis.password);
}

static void
test_redis_password_file(void **state)
{
	struct fixture *f = *state;

	write_file(f->dir, "redis.pass", "hunter2\n");
	assert_non_null(load(f, "redis = { password_file = \"redis.pass\"; };\n" SITE_CONN));
	assert_string_equal(f->cfg->redis.password, "hunter2");
}

/* --- single values ------------------------------------------------------- */

static void
test_parse_duration(void **state)
{
	static const struct {
		const char *in;
		int64_t ms;
	} cases[] = {
		{ "500ms", 500 }, { "45s", 45000 }, { "10m", 600000 },
		{ "2h", 7200000 }, { "30d", 2592000000LL }, { "0s", 0 },
		{ "007m", 420000 },
		{ "10", -1 }, { "10 m", -1 }, { " 10m", -1 }, { "-5m", -1 },
		{ "+5m", -1 }, { "10mm", -1 }, { "10M", -1 }, { "m", -1 },
		{ "", -1 }, { "1.5h", -1 }, { "10m ", -1 }, { "10w", -1 },
		{ "9223372036854775807ms", INT64_MAX },
		{ "9223372036854775808ms", -1 }, { "106751991167301d", -1 },
		{ "99999999999999999999999s", -1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t got = config_parse_duration(cases[i].in);

		if (got != cases[i].ms)
			fail_msg("\"%s\": got %lld, want %lld", cases[i].in,
			    (long long)got, (long long)cases[i].ms);
	}
	assert_int_equal(config_parse_duration(NULL), -1);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(config_platform_name(PLATFORM_MATTERMOST), "mattermost");
	assert_int_equal(config_platform_parse("irc"), PLATFORM_IRC);
	assert_int_equal(config_platform_parse("IRC"), -1);
	assert_string_equal(config_role_name(ROLE_VICE_MINISTER), "vice_minister");
	assert_int_equal(config_role_parse("friend"), ROLE_FRIEND);
	assert_int_equal(config_role_parse("webmaster"), ROLE_WEBMASTER);
	assert_int_equal(config_role_parse("admin"), -1);
	assert_string_equal(config_level_name(LEVEL_NONE), "");
	assert_string_equal(config_level_name(LEVEL_SAM), "SAM");
	assert_int_equal(config_level_parse("PAM"), LEVEL_PAM);
	assert_int_equal(config_level_parse("pam"), -1);
	assert_string_equal(config_channel_name(CHANNEL_TECH), "tech");
	assert_int_equal(config_channel_parse("complaints"), CHANNEL_COMPLAINTS);
	assert_int_equal(config_channel_parse("general"), -1);
	assert_true(config_lang_valid("zh"));
	assert_false(config_lang_valid("fr"));
	assert_false(config_lang_valid(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_example_loads),
		T(test_shift_labels),
		T(test_defaults_for_minimal_config),
		T(test_connection_lang_defaults_to_default_lang),
		T(test_channel_has_its_own_language),
		T(test_platform_defaults),
		T(test_http_listen_forms),
		T(test_http_public_url),
		T(test_http_listen_wants_an_address),
		T(test_lists_are_copied),
		T(test_token_file_is_read),
		T(test_private_secrets_load_without_warnings),
		T(test_secrets_readable_by_others_are_warned_about),
		T(test_credentials_directory),
		T(test_redis_sentinels),
		T(test_redis_password_file),
		T(test_parse_duration),
		T(test_names),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
