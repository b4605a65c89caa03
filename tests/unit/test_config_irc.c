/*
 * test_config_irc: the keys of an irc connection (password_file, join,
 * channel_keys, its default pace) and IRC staff identities: a hostmask or a
 * services account, never a bare nick; the masks handed to the connection.
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

#define IRC_CONN(extra) \
	"connections = ( { name = \"irc\"; type = \"irc\"; url = \"wss://irc.example.org/\"; nick = \"dutybot\";\n" \
	"  " extra " } );\n"

static void
test_irc_settings(void **state)
{
	struct fixture *f = *state;
	const struct config_connection *c;

	write_file(f->dir, "irc.pass", "serverpw\n");
	assert_non_null(load(f,
	    IRC_CONN("password_file = \"irc.pass\"; channels = { ops = \"#ops\"; alerts = \"&alerts\"; };"
	        " join = ( \"#lobby\", \"#help\" ); channel_keys = ( \"#ops s3cret\", \"#help k\" );")
	    "staff = (\n"
	    "  { id = \"lemon\"; name = \"Lemon\"; email = \"l@example.org\"; role = \"webmaster\";\n"
	    "    identities = ( \"irc:mask:lemon!*@staff.example.org\", \"irc:account:lemon\" ); },\n"
	    "  { id = \"mia\"; name = \"Mia\"; email = \"m@example.org\"; role = \"minister\";\n"
	    "    identities = ( \"irc:mask:*!mia@10.0.0.?\" ); }\n"
	    ");\n"));
	c = config_connection(f->cfg, "irc");
	assert_string_equal(c->password, "serverpw");
	assert_int_equal(c->n_join, 2);
	assert_string_equal(c->join[1], "#help");
	assert_int_equal(c->n_channel_keys, 2);
	assert_string_equal(c->channel_keys[0], "#ops s3cret");
	assert_int_equal(c->max_send_rate, 1);          /* lines a second, below flood limits */
	assert_int_equal(c->n_irc_masks, 2);            /* the masks, not the account */
	assert_string_equal(c->irc_masks[0], "lemon!*@staff.example.org");
	assert_string_equal(c->irc_masks[1], "*!mia@10.0.0.?");
}

static void
test_irc_pace_may_be_set(void **state)
{
	struct fixture *f = *state;

	assert_non_null(load(f, IRC_CONN("max_send_rate = 3;")));
	assert_int_equal(config_connection(f->cfg, "irc")->max_send_rate, 3);
}

static void
test_irc_bare_nick_is_no_identity(void **state)
{
	assert_errors(*state,
	    IRC_CONN("")
	    "staff = (\n"
	    "  { id = \"mia\"; name = \"Mia\"; email = \"m@example.org\"; role = \"minister\";\n"
	    "    identities = ( \"irc:mia\", \"irc:mask:mia\", \"irc:mask:mia!@host\", \"irc:account:\" ); }\n"
	    ");\n",
	    "5: staff.[0].identities.[0]: bad IRC identity \"irc:mia\" (want irc:mask:<nick!user@host> or "
	    "irc:account:<account>; a bare nick is anybody's)\n"
	    "5: staff.[0].identities.[1]: bad IRC identity \"irc:mask:mia\" (want irc:mask:<nick!user@host> or "
	    "irc:account:<account>; a bare nick is anybody's)\n"
	    "5: staff.[0].identities.[2]: bad IRC identity \"irc:mask:mia!@host\" (want irc:mask:<nick!user@host> or "
	    "irc:account:<account>; a bare nick is anybody's)\n"
	    "5: staff.[0].identities.[3]: bad IRC identity \"irc:account:\" (want irc:mask:<nick!user@host> or "
	    "irc:account:<account>; a bare nick is anybody's)\n");
}

static void
test_irc_channel_errors(void **state)
{
	assert_errors(*state,
	    IRC_CONN("channels = { ops = \"ops\"; }; join = ( \"#a b\", \"#ok\" );"
	        " channel_keys = ( \"#ok\", \"#other k\", \"#ok a,b\" );"),
	    "2: connections.[0].channels.ops: bad IRC channel \"ops\" (want # or & and a name without blanks or commas)\n"
	    "2: connections.[0].join.[0]: bad entry \"#a b\" (want an IRC channel: # or & and a name without blanks "
	    "or commas)\n"
	    "2: connections.[0].channel_keys.[0]: bad entry \"#ok\" (want \"<channel> <key>\")\n"
	    "2: connections.[0].channel_keys.[2]: bad entry \"#ok a,b\" (want \"<channel> <key>\")\n"
	    "2: connections.[0].channel_keys: key for #other, which is neither in channels nor in join\n");
}

static void
test_irc_keys_elsewhere(void **state)
{
	assert_errors(*state,
	    "connections = ( { name = \"site\"; type = \"site\"; url = \"ws://h/\"; token = \"t\";\n"
	    "  join = ( \"#a\" ); password_file = \"x\"; } );\n",
	    "2: connections.[0].join: not used by site connections\n"
	    "2: connections.[0].password_file: not used by site connections\n");
}

static void
test_irc_unreadable_password(void **state)
{
	struct fixture *f = *state;
	char want[256];

	snprintf(want, sizeof(want), "2: connections.[0].password_file: cannot read \"%s/nope\"", f->dir);
	assert_null(load(f, IRC_CONN("password_file = \"nope\";")));
	assert_non_null(strstr(f->errors, want + 3));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_irc_settings),
		T(test_irc_pace_may_be_set),
		T(test_irc_bare_nick_is_no_identity),
		T(test_irc_channel_errors),
		T(test_irc_keys_elsewhere),
		T(test_irc_unreadable_password),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
