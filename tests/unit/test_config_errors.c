/*
 * test_config_errors: config/config.c and config_values.c on files with
 * problems, one class of error each (unknown keys and platforms, missing
 * settings, types, ranges, limits, durations, time zones, staff, identities,
 * shifts, escalation, tokens, syntax), several in one run, and the exact
 * "file:line: setting: problem" lines they give.  Every test writes its
 * configuration text into a fresh temporary directory (config_fixture.h).
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
test_channel_group(void **state)
{
	assert_errors(*state,
	    "connections = ( { name = \"site\"; type = \"site\"; url = \"ws://h/\"; token = \"t\";\n"
	    "  channels = { ops = { lang = \"es\"; };\n"
	    "    alerts = { room = \"alerts\"; lang = \"xx\"; };\n"
	    "    tech = { room = \"tech\"; langs = \"es\"; };\n"
	    "    complaints = 5; }; } );\n",
	    "2: connections.[0].channels.ops.room: missing required setting\n"
	    "3: connections.[0].channels.alerts.lang: unknown language \"xx\"\n"
	    "4: connections.[0].channels.tech.langs: unknown setting\n"
	    "5: connections.[0].channels.complaints: must be a string or a group { room = ...; lang = ...; }\n");
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
	    "notify = { max_length = 4294967796; };\n"
	    "escalation = { pages_per_minute = 0; };\n",
	    "2: redis.port: must be between 1 and 65535\n"
	    "2: redis.db: must be between 0 and 15\n"
	    "3: http.listen: bad address \"127.0.0.1:0\" (want host:port, [v6]:port or \"\")\n"
	    "4: notify.max_length: must be between 1 and 2000\n"
	    "5: escalation.pages_per_minute: must be between 1 and 60\n");
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
test_healthcheck(void **state)
{
	struct fixture *f = *state;
	const struct config *cfg;

	cfg = load(f, SITE_CONN "healthcheck = { overdue_after = \"2m\"; ping_url = \"https://hc.example.org/p/1\"; };\n");
	assert_int_equal(cfg->healthcheck.overdue_after_ms, 120000);
	assert_int_equal(cfg->healthcheck.interval_ms, 60000);
	assert_string_equal(cfg->healthcheck.ping_url, "https://hc.example.org/p/1");
	config_free(f->cfg);
	f->cfg = NULL;
	cfg = load(f, SITE_CONN);
	assert_int_equal(cfg->healthcheck.overdue_after_ms, 300000);
	assert_null(cfg->healthcheck.ping_url);
	config_free(f->cfg);
	f->cfg = NULL;
	assert_errors(f,
	    SITE_CONN
	    "healthcheck = {\n"
	    "  ping_url = \"ftp://hc.example.org/\";\n"
	    "  interval = \"10ms\";\n"
	    "};\n",
	    "3: healthcheck.ping_url: \"ftp://hc.example.org/\" is not an http:// or https:// URL with a host\n"
	    "4: healthcheck.interval: must be at least 1s\n");
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
	    "  { name = \"day\"; start = \"24:00\"; end = \"8:00\"; standby = \"nobody\"; },\n"
	    "  { name = \"late\"; start = \"14:00\"; end = \"22:00\"; label = { xx = \"a\"; de = \"\"; es = 1; zh = \"晚班\"; }; }\n"
	    ");\n",
	    "3: shifts.[0].end: equals start\n"
	    "4: shifts.[1].name: duplicate shift name \"day\"\n"
	    "4: shifts.[1].start: bad time \"24:00\" (want HH:MM, 00:00 to 23:59)\n"
	    "4: shifts.[1].end: bad time \"8:00\" (want HH:MM, 00:00 to 23:59)\n"
	    "4: shifts.[1].standby: unknown staff id \"nobody\"\n"
	    "5: shifts.[2].label.xx: unknown language \"xx\"\n"
	    "5: shifts.[2].label.de: must be a text of 1 to 64 bytes\n"
	    "5: shifts.[2].label.es: must be a text of 1 to 64 bytes\n");
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

/* Sentinels or a direct address, never both; the sentinel-only settings need sentinels. */
static void
test_redis_sentinel_errors(void **state)
{
	assert_errors(*state,
	    SITE_CONN
	    "redis = { sentinels = ( \"127.0.0.1:26379\", \"sentinel-b:26379\", \"127.0.0.1\", 5 );\n"
	    "  port = 6380; unix_socket = \"/run/redis.sock\";\n"
	    "  sentinel_password = \"a\"; sentinel_password_file = \"b\"; };\n"
	    "http = { listen = \"\"; };\n"
	    "redis2 = 1;\n",
	    "2: redis.sentinels.[1]: \"sentinel-b:26379\": the host must be an IP address "
	    "(\"127.0.0.1:26379\", \"[::1]:26379\"), not a name\n"
	    "2: redis.sentinels.[2]: bad address \"127.0.0.1\" (want host:port or [v6]:port)\n"
	    "2: redis.sentinels.[3]: must be a string\n"
	    "2: redis.master_name: missing required setting\n"
	    "3: redis.port: cannot be used together with sentinels (the sentinels name the master)\n"
	    "3: redis.unix_socket: cannot be used together with sentinels (the sentinels name the master)\n"
	    "4: redis.sentinel_password_file: cannot be used together with sentinel_password\n"
	    "6: redis2: unknown setting\n");
	assert_errors(*state,
	    SITE_CONN
	    "redis = { master_name = \"dutybot\"; sentinel_password = \"x\"; };\n",
	    "2: redis.master_name: only with sentinels\n"
	    "2: redis.sentinel_password: only with sentinels\n");
	assert_errors(*state,
	    SITE_CONN
	    "redis = { sentinels = ( ); master_name = \"my master\"; };\n",
	    "2: redis.sentinels: must name at least one sentinel (\"127.0.0.1:26379\")\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_redis_sentinel_errors),
		T(test_unknown_platform),
		T(test_unknown_key),
		T(test_key_of_other_platform),
		T(test_unknown_channel),
		T(test_channel_group),
		T(test_missing_required),
		T(test_missing_connections),
		T(test_missing_token),
		T(test_type_errors),
		T(test_range_errors),
		T(test_limits_per_class),
		T(test_limits_errors),
		T(test_bad_duration),
		T(test_approvals_stuck_after),
		T(test_healthcheck),
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
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
