/*
 * test_config: config/ (config.c, the reader, the value checks, the
 * sections).  Every test writes its configuration text into a fresh
 * temporary directory, loads it and checks either the values or the exact
 * "file:line: setting: problem" lines.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* asprintf, mkdtemp, open_memstream */
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"

/* One connection of type site: the smallest valid configuration. */
#define SITE_CONN \
	"connections = ( { name = \"site\"; type = \"site\";" \
	" url = \"ws://127.0.0.1:8080/bot\"; token = \"t\"; } );\n"

struct fixture {
	char dir[64];           /* the test's temporary directory */
	char *cfg_path;         /* dir/dutybot.cfg */
	struct config *cfg;     /* freed by teardown */
	char *errors;           /* freed by teardown */
};

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	strcpy(f->dir, "/tmp/test_config.XXXXXX");
	if (mkdtemp(f->dir) == NULL || asprintf(&f->cfg_path, "%s/dutybot.cfg", f->dir) < 0)
		return -1;
	unsetenv("CREDENTIALS_DIRECTORY");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	config_free(f->cfg);
	free(f->errors);
	free(f->cfg_path);
	nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	unsetenv("CREDENTIALS_DIRECTORY");
	free(f);
	return 0;
}

/* Write TEXT to DIR/NAME (mode 0600). */
static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

/* Load TEXT as dutybot.cfg; the result stays in the fixture. */
static struct config *
load(struct fixture *f, const char *text)
{
	write_file(f->dir, "dutybot.cfg", text);
	free(f->errors);        /* a test may check more than one error */
	f->errors = NULL;
	f->cfg = config_load(f->cfg_path, &f->errors);
	if (f->cfg == NULL)
		assert_non_null(f->errors);
	else
		assert_null(f->errors);
	return f->cfg;
}

/*
 * TEXT must fail with exactly EXPECTED, given as lines "LINE: setting: problem"
 * (or ": setting: problem" for no line), each prefixed here with the path.
 */
static void
assert_errors(struct fixture *f, const char *text, const char *expected)
{
	char *want = NULL, *line, *save, *copy = strdup(expected);
	size_t len = 0;
	FILE *m = open_memstream(&want, &len);

	assert_non_null(copy);
	assert_non_null(m);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		fprintf(m, "%s%s%s\n", f->cfg_path, line[0] == ':' ? "" : ":", line);
	fclose(m);
	free(copy);
	assert_null(load(f, text));
	assert_string_equal(f->errors, want);
	free(want);
}

/* --- loading valid files ------------------------------------------------- */

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
	    "escalation = { chain = [ \"duty_minister\", \"webmasters\" ]; repeat = 0; };\n"
	    "notify = { link_hosts = ( \"example.org\", \"docs.example.org\" ); };\n"));
	assert_int_equal(f->cfg->escalation.n_chain, 2);
	assert_string_equal(f->cfg->escalation.chain[0], "duty_minister");
	assert_string_equal(f->cfg->escalation.chain[1], "webmasters");
	assert_int_equal(f->cfg->escalation.repeat, 0);
	assert_int_equal(f->cfg->notify.n_link_hosts, 2);
	assert_string_equal(f->cfg->notify.link_hosts[1], "docs.example.org");
}

/* --- one class of error each --------------------------------------------- */

static void
test_unknown_platform(void **state)
{
	assert_errors(*state,
	    "site = \"cc\";\n"
	    "connections = (\n"
	    "  { name = \"site\"; type = \"discrod\"; token = \"t\"; }\n"
	    ");\n",
	    "3: connections.[0].type: unknown platform \"discrod\"\n");
}

static void
test_unknown_key(void **state)
{
	assert_errors(*state,
	    SITE_CONN
	    "redis = {\n"
	    "  hots = \"127.0.0.1\";\n"
	    "};\n"
	    "sight = \"cc\";\n",
	    "3: redis.hots: unknown setting\n"
	    "5: sight: unknown setting\n");
}

static void
test_key_of_other_platform(void **state)
{
	assert_errors(*state,
	    "connections = ( { name = \"site\"; type = \"site\"; url = \"ws://h/\";\n"
	    "  token = \"t\"; nick = \"bot\"; } );\n",
	    "2: connections.[0].nick: not used by site connections\n");
}

static void
test_unknown_channel(void **state)
{
	assert_errors(*state,
	    "connections = ( { name = \"site\"; type = \"site\"; url = \"ws://h/\"; token = \"t\";\n"
	    "  channels = { ops = \"ops\"; random = \"x\"; }; } );\n",
	    "2: connections.[0].channels.random: unknown channel "
	    "(want ops, alerts, tech or complaints)\n");
}

static void
test_missing_required(void **state)
{
	assert_errors(*state,
	    "connections = (\n"
	    "  { type = \"site\"; url = \"ws://h/\"; token = \"t\"; }\n"
	    ");\n",
	    "2: connections.[0].name: missing required setting\n");
}

static void
test_missing_connections(void **state)
{
	assert_errors(*state, "site = \"cc\";\n",
	    ": connections: missing required setting\n");
}

static void
test_missing_token(void **state)
{
	assert_errors(*state,
	    "connections = ( { name = \"dc\"; type = \"discord\"; } );\n",
	    "1: connections.[0].token: missing required setting "
	    "(or token_file, or credential \"dc.token\")\n");
}

static void
test_type_errors(void **state)
{
	assert_errors(*state,
	    SITE_CONN
	    "site = 5;\n"
	    "redis = { port = \"6379\"; };\n"
	    "connections2 = 1;\n",
	    "2: site: must be a string\n"
	    "3: redis.port: must be an integer\n"
	    "4: connections2: unknown setting\n");
}

static void
test_range_errors(void **state)
{
	assert_errors(*state,
	    SITE_CONN
	    "redis = { port = 70000; db = 16; };\n"
	    "http = { listen = \"127.0.0.1:0\"; };\n"
	    "notify = { max_length = 4294967796; };\n",
	    "2: redis.port: must be between 1 and 65535\n"
	    "2: redis.db: must be between 0 and 15\n"
	    "3: http.listen: bad address \"127.0.0.1:0\" (want host:port, [v6]:port or \"\")\n"
	    "4: notify.max_length: must be between 1 and 2000\n");
}

static void
test_limits_per_class(void **state)
{
	struct fixture *f = *state;
	const struct config *cfg;

	/* a group per class */
	cfg = load(f, SITE_CONN
	    "limits = { friend = { per_minute = 6; burst = 3; };\n"
	    "           staff = { per_minute = 300; burst = 50; queue = 40; }; };\n");
	assert_non_null(cfg);
	assert_int_equal(cfg->limits.friends.per_minute, 6);
	assert_int_equal(cfg->limits.friends.burst, 3);
	assert_int_equal(cfg->limits.staff.per_minute, 300);
	assert_int_equal(cfg->limits.staff.burst, 50);
	assert_int_equal(cfg->limits.staff_queue, 40);
	config_free(f->cfg);
	f->cfg = NULL;
	/* the keys of old are for everyone... */
	cfg = load(f, SITE_CONN "limits = { commands_per_minute = 600; burst = 100; };\n");
	assert_non_null(cfg);
	assert_int_equal(cfg->limits.friends.per_minute, 600);
	assert_int_equal(cfg->limits.friends.burst, 100);
	assert_int_equal(cfg->limits.staff.per_minute, 600);
	assert_int_equal(cfg->limits.staff.burst, 100);
	assert_int_equal(cfg->limits.staff_queue, 200);
	config_free(f->cfg);
	f->cfg = NULL;
	/* ...whose group does not say otherwise */
	cfg = load(f, SITE_CONN "limits = { commands_per_minute = 10; burst = 2;\n  staff = { burst = 40; }; };\n");
	assert_non_null(cfg);
	assert_int_equal(cfg->limits.friends.per_minute, 10);
	assert_int_equal(cfg->limits.friends.burst, 2);
	assert_int_equal(cfg->limits.staff.per_minute, 10);
	assert_int_equal(cfg->limits.staff.burst, 40);
}

static void
test_limits_errors(void **state)
{
	assert_errors(*state,
	    SITE_CONN
	    "limits = {\n"
	    "  friend = { per_minute = 0; burst = 3; queue = 10; };\n"
	    "  staff = { per_minute = 60; burst = 20000; queue = 0; rate = 5; };\n"
	    "  guest = { burst = 1; };\n"
	    "};\n",
	    "3: limits.friend.per_minute: must be between 1 and 10000\n"
	    "3: limits.friend.queue: chat friends' extra commands are dropped, never queued; "
	    "queue is a setting of limits.staff\n"
	    "4: limits.staff.rate: unknown setting\n"
	    "4: limits.staff.burst: must be between 1 and 10000\n"
	    "4: limits.staff.queue: must be between 1 and 10000\n"
	    "5: limits.guest: unknown setting\n");
}

static void
test_bad_duration(void **state)
{
	assert_errors(*state,
	    SITE_CONN
	    "policy = {\n"
	    "  late_grace = \"10\";\n"
	    "  reminder = \"0m\";\n"
	    "  late_window = \"3651d\";\n"
	    "};\n",
	    "3: policy.late_grace: bad duration \"10\" (want a number and a unit: "
	    "ms, s, m, h or d)\n"
	    "4: policy.reminder: must be more than zero\n"
	    "5: policy.late_window: must be at most 3650d\n");
}

static void
test_approvals_stuck_after(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(load(f, SITE_CONN "approvals = { stuck_after = \"3d\"; };\n")->approvals.stuck_after_ms,
	    3 * 24 * 3600 * 1000LL);
	config_free(f->cfg);
	f->cfg = NULL;
	assert_errors(f,
	    SITE_CONN
	    "approvals = {\n"
	    "  stuck_after = \"soon\";\n"
	    "  stuck_afterr = \"1h\";\n"
	    "};\n",
	    "3: approvals.stuck_after: bad duration \"soon\" (want a number and a unit: "
	    "ms, s, m, h or d)\n"
	    "4: approvals.stuck_afterr: unknown setting\n");
}

static void
test_bad_timezone(void **state)
{
	assert_errors(*state,
	    SITE_CONN
	    "timezone = \"../../etc/passwd\";\n",
	    "2: timezone: unknown time zone \"../../etc/passwd\"\n");
}

static void
test_duplicate_staff_id(void **state)
{
	assert_errors(*state,
	    SITE_CONN
	    "staff = (\n"
	    "  { id = \"mia\"; name = \"Mia\"; email = \"mia@example.org\"; role = \"minister\"; },\n"
	    "  { id = \"mia\"; name = \"Mia 2\"; email = \"mia2@example.org\"; role = \"minister\"; }\n"
	    ");\n",
	    "4: staff.[1].id: duplicate staff id \"mia\" (first at line 3)\n");
}

static void
test_identity_unknown_connection(void **state)
{
	assert_errors(*state,
	    SITE_CONN
	    "staff = (\n"
	    "  { id = \"mia\"; name = \"Mia\"; email = \"mia@example.org\"; role = \"minister\";\n"
	    "    identities = ( \"site:u3\", \"discord:8035\" ); }\n"
	    ");\n",
	    "4: staff.[0].identities.[1]: unknown connection \"discord\"\n");
}

static void
test_bad_identity(void **state)
{
	assert_errors(*state,
	    SITE_CONN
	    "staff = (\n"
	    "  { id = \"mia\"; name = \"Mia\"; email = \"mia@example.org\"; role = \"minister\";\n"
	    "    identities = ( \"site:\" ); }\n"
	    ");\n",
	    "4: staff.[0].identities.[0]: bad identity \"site:\" "
	    "(want <connection>:<user id>)\n");
}

static void
test_duplicate_identity(void **state)
{
	assert_errors(*state,
	    SITE_CONN
	    "staff = (\n"
	    "  { id = \"mia\"; name = \"Mia\"; email = \"mia@example.org\"; role = \"minister\";\n"
	    "    identities = ( \"site:u3\" ); },\n"
	    "  { id = \"tom\"; name = \"Tom\"; email = \"tom@example.org\"; role = \"minister\";\n"
	    "    identities = ( \"site:u3\" ); }\n"
	    ");\n",
	    "6: staff.[1].identities.[0]: identity \"site:u3\" already belongs to mia\n");
}

static void
test_bad_email(void **state)
{
	assert_errors(*state,
	    SITE_CONN
	    "staff = (\n"
	    "  { id = \"mia\"; name = \"Mia\"; email = \"mia@localhost\"; role = \"minister\"; }\n"
	    ");\n",
	    "3: staff.[0].email: bad e-mail address \"mia@localhost\"\n");
}

static void
test_agent_without_level(void **state)
{
	assert_errors(*state,
	    SITE_CONN
	    "staff = (\n"
	    "  { id = \"mia\"; name = \"Mia\"; email = \"mia@example.org\"; role = \"agent\"; }\n"
	    ");\n",
	    "3: staff.[0].level: required for agents\n");
}

static void
test_friend_is_not_a_staff_role(void **state)
{
	assert_errors(*state,
	    SITE_CONN
	    "staff = (\n"
	    "  { id = \"mia\"; name = \"Mia\"; email = \"mia@example.org\"; role = \"friend\"; }\n"
	    ");\n",
	    "3: staff.[0].role: \"friend\" is not a staff role\n");
}

static void
test_shift_errors(void **state)
{
	assert_errors(*state,
	    SITE_CONN
	    "shifts = (\n"
	    "  { name = \"day\"; start = \"08:00\"; end = \"08:00\"; },\n"
	    "  { name = \"day\"; start = \"24:00\"; end = \"8:00\"; standby = \"nobody\"; }\n"
	    ");\n",
	    "3: shifts.[0].end: equals start\n"
	    "4: shifts.[1].name: duplicate shift name \"day\"\n"
	    "4: shifts.[1].start: bad time \"24:00\" (want HH:MM, 00:00 to 23:59)\n"
	    "4: shifts.[1].end: bad time \"8:00\" (want HH:MM, 00:00 to 23:59)\n"
	    "4: shifts.[1].standby: unknown staff id \"nobody\"\n");
}

static void
test_escalation_chain_errors(void **state)
{
	assert_errors(*state,
	    SITE_CONN
	    "escalation = { chain = ( \"ministers\", \"ministers\", \"janitor\" ); };\n",
	    "2: escalation.chain.[1]: \"ministers\" is listed twice\n"
	    "2: escalation.chain.[2]: unknown escalation step \"janitor\"\n");
}

static void
test_token_and_token_file(void **state)
{
	assert_errors(*state,
	    "connections = ( { name = \"site\"; type = \"site\"; url = \"ws://h/\";\n"
	    "  token = \"t\";\n"
	    "  token_file = \"site.token\"; } );\n",
	    "3: connections.[0].token_file: cannot be used together with token\n");
}

static void
test_unreadable_token_file(void **state)
{
	struct fixture *f = *state;
	char *want;

	assert_true(asprintf(&want,
	    "3: connections.[0].token_file: cannot read \"%s/missing.token\": "
	    "No such file or directory\n", f->dir) > 0);
	assert_errors(f,
	    "connections = ( { name = \"site\"; type = \"site\"; url = \"ws://h/\";\n"
	    "\n"
	    "  token_file = \"missing.token\"; } );\n", want);
	free(want);
}

static void
test_empty_token_file(void **state)
{
	struct fixture *f = *state;
	char *want;

	write_file(f->dir, "empty.token", "\n\n");
	assert_true(asprintf(&want,
	    "1: connections.[0].token_file: cannot read \"%s/empty.token\": "
	    "file is empty\n", f->dir) > 0);
	assert_errors(f,
	    "connections = ( { name = \"site\"; type = \"site\"; url = \"ws://h/\"; "
	    "token_file = \"empty.token\"; } );\n", want);
	free(want);
}

static void
test_syntax_error(void **state)
{
	assert_errors(*state,
	    "site = \"cc\";\n"
	    "redis = { port = ; };\n",
	    "2: syntax error\n");
}

static void
test_missing_file(void **state)
{
	struct fixture *f = *state;
	char *want;

	assert_null(config_load(f->cfg_path, &f->errors));
	assert_true(asprintf(&want, "%s: cannot read: No such file or directory\n",
	    f->cfg_path) > 0);
	assert_string_equal(f->errors, want);
	free(want);
}

static void
test_several_errors_in_one_run(void **state)
{
	assert_errors(*state,
	    "command_prefix = \"\";\n"
	    "connections = (\n"
	    "  { name = \"site\"; type = \"slack\"; app_token = \"a\"; },\n"
	    "  { name = \"site\"; type = \"site\"; url = \"http://h/\"; token = \"t\"; }\n"
	    ");\n"
	    "limits = { burst = 0; };\n"
	    "staff = (\n"
	    "  { id = \"Mia\"; name = \"\"; email = \"mia\"; role = \"agent\"; level = \"XYZ\"; }\n"
	    ");\n",
	    "1: command_prefix: must be 1 to 4 characters without spaces\n"
	    "3: connections.[0].bot_token: missing required setting "
	    "(or bot_token_file, or credential \"site.bot_token\")\n"
	    "4: connections.[1].name: duplicate connection name \"site\" (first at line 3)\n"
	    "4: connections.[1].url: bad URL \"http://h/\" (want ws:// or wss://)\n"
	    "6: limits.burst: must be between 1 and 10000\n"
	    "8: staff.[0].id: bad id \"Mia\" (want 1 to 32 of a-z 0-9 _ . -)\n"
	    "8: staff.[0].name: must not be empty\n"
	    "8: staff.[0].email: bad e-mail address \"mia\"\n"
	    "8: staff.[0].level: unknown level \"XYZ\"\n");
}

static void
test_errors_may_be_null(void **state)
{
	struct fixture *f = *state;

	write_file(f->dir, "dutybot.cfg", "site = ;\n");
	assert_null(config_load(f->cfg_path, NULL));
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
		T(test_defaults_for_minimal_config),
		T(test_connection_lang_defaults_to_default_lang),
		T(test_platform_defaults),
		T(test_http_listen_forms),
		T(test_http_listen_wants_an_address),
		T(test_lists_are_copied),
		T(test_unknown_platform),
		T(test_unknown_key),
		T(test_key_of_other_platform),
		T(test_unknown_channel),
		T(test_missing_required),
		T(test_missing_connections),
		T(test_missing_token),
		T(test_type_errors),
		T(test_range_errors),
		T(test_limits_per_class),
		T(test_limits_errors),
		T(test_bad_duration),
		T(test_approvals_stuck_after),
		T(test_bad_timezone),
		T(test_duplicate_staff_id),
		T(test_identity_unknown_connection),
		T(test_bad_identity),
		T(test_duplicate_identity),
		T(test_bad_email),
		T(test_agent_without_level),
		T(test_friend_is_not_a_staff_role),
		T(test_shift_errors),
		T(test_escalation_chain_errors),
		T(test_token_and_token_file),
		T(test_unreadable_token_file),
		T(test_empty_token_file),
		T(test_syntax_error),
		T(test_missing_file),
		T(test_several_errors_in_one_run),
		T(test_errors_may_be_null),
		T(test_token_file_is_read),
		T(test_credentials_directory),
		T(test_redis_password_file),
		T(test_parse_duration),
		T(test_names),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
