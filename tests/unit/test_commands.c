/*
 * test_commands: the command table is consistent (handler, help text, usage
 * starting with the name, arity matching the usage, no duplicate rows, rows
 * of one name together, one handler per row) and lookup, permission and
 * arity checks behave.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/commands.h"
#include "bot/i18n/catalog.h"

/* English straight from the X-macro list, independent of catalog.c. */
#define EN_TEXT(id, text) [id] = text,
static const char *const en_text[MSG_MAX] = { CATALOG_EN(EN_TEXT) };
#undef EN_TEXT

#define ELLIPSIS "\xe2\x80\xa6"        /* … */

struct usage_words {
	int n, required;
	bool optional_any;                  /* any [..] or … */
	char word[32][128];
};

/*
 * Splits a usage line into words at blanks outside <...>, [...] and "...",
 * so "<user id>" or name="<full name>" stay one word.  A word is optional when
 * it starts with '[' or is the ellipsis; key=value options are not counted by
 * the arity (they come in any order, and the handler names a missing one).
 */
static void usage_split(const char *u, struct usage_words *w)
{
	int depth = 0;
	bool quoted = false;
	size_t len = 0;

	memset(w, 0, sizeof(*w));
	for (const char *s = u;; s++) {
		if (*s == '\0' || (*s == ' ' && depth == 0 && !quoted)) {
			if (len > 0) {
				char *word = w->word[w->n];
				word[len] = '\0';
				if (word[0] == '[' || strcmp(word, ELLIPSIS) == 0)
					w->optional_any = true;
				else if (strchr(word, '=') == NULL || word[0] == '<')
					w->required++;
				else
					w->optional_any = true; /* key=value options: any order, the handler names a missing one */
				if (strstr(word, ELLIPSIS) != NULL)
					w->optional_any = true;
				w->n++;
				len = 0;
			}
			if (*s == '\0')
				break;
			continue;
		}
		assert_true(w->n < 32);
		assert_true(len < sizeof(w->word[0]) - 1);
		w->word[w->n][len++] = *s;
		if (*s == '"')
			quoted = !quoted;
		else if (!quoted && (*s == '<' || *s == '['))
			depth++;
		else if (!quoted && (*s == '>' || *s == ']'))
			depth--;
		assert_true(depth >= 0);
	}
	assert_int_equal(depth, 0);
	assert_false(quoted);
}

static char *label(const struct command *c)
{
	static char buf[64];

	return (char *)command_label(c, buf, sizeof(buf));
}

static void test_table_not_empty(void **state)
{
	assert_true(n_commands > 0);
	assert_non_null(commands[0].name);
}

static void test_every_row_has_proc(void **state)
{
	for (size_t i = 0; i < n_commands; i++) {
		if (commands[i].proc == NULL)
			fail_msg("%s has no handler", label(&commands[i]));
	}
}

static void test_every_row_has_help(void **state)
{
	for (size_t i = 0; i < n_commands; i++) {
		const struct command *c = &commands[i];
		if (!((int)c->help >= 0 && c->help < MSG_MAX))
			fail_msg("%s: help id %d out of range", label(c), (int)c->help);
		assert_non_null(en_text[c->help]);
		if (en_text[c->help][0] == '\0')
			fail_msg("%s: empty help text", label(c));
		assert_string_equal(catalog_text("en", c->help), en_text[c->help]);
		/* help ids are MSG_HELP_*, not some other message */
		assert_memory_equal(catalog_id_name(c->help), "MSG_HELP_", 9);
	}
}

/*
 * Each row, sub-commands included, has a handler of its own (as Redis's
 * subcommands do): a handler never asks which row called it, so the
 * sub-command names live in the table alone.
 */
static void test_every_row_own_handler(void **state)
{
	for (size_t i = 0; i < n_commands; i++)
		for (size_t k = 0; k < i; k++)
			if (commands[i].proc == commands[k].proc) {
				char other[64];
				fail_msg("%s and %s share a handler", label(&commands[i]),
				    command_label(&commands[k], other, sizeof(other)));
			}
}

static void test_help_ids_distinct(void **state)
{
	for (size_t i = 0; i < n_commands; i++)
		for (size_t k = 0; k < i; k++)
			if (commands[i].help == commands[k].help)
				fail_msg("%s and %s share a help text", label(&commands[i]), label(&commands[k]));
}

static void test_usage_starts_with_name_and_sub(void **state)
{
	for (size_t i = 0; i < n_commands; i++) {
		const struct command *c = &commands[i];
		struct usage_words w;

		assert_non_null(c->name);
		assert_true(c->name[0] != '\0');
		assert_non_null(c->usage);
		usage_split(c->usage, &w);
		assert_true(w.n >= 1);
		if (strcmp(w.word[0], c->name) != 0)
			fail_msg("%s: usage \"%s\" does not start with its name", label(c), c->usage);
		if (c->sub != NULL) {
			assert_true(w.n >= 2);
			if (strcmp(w.word[1], c->sub) != 0)
				fail_msg("%s: usage \"%s\" does not continue with its sub-command", label(c), c->usage);
		}
	}
}

/* Words of an example as the parser counts them: blanks split, "..." is one. */
static int example_words(const char *s)
{
	int n = 0;
	bool quoted = false, in_word = false;

	for (; *s; s++) {
		if (*s == '"')
			quoted = !quoted;
		if ((*s == ' ') && !quoted) {
			in_word = false;
		} else if (!in_word) {
			in_word = true;
			n++;
		}
	}
	return n;
}

/* The guide and !help <command> show each row's example: it is the row's
 * command, with as many words as the row accepts; every row has an area,
 * every area a most used row, and a usable() says in .who whom it narrows to. */
static void test_every_row_has_an_area_and_a_runnable_example(void **state)
{
	bool top[AREA_MAX] = { false };

	for (size_t i = 0; i < n_commands; i++) {
		const struct command *c = &commands[i];
		char want[64];
		int words;

		assert_true(c->area < AREA_MAX);
		if (c->top == 1)
			top[c->area] = true;
		if (c->example == NULL)
			fail_msg("%s has no example", label(c));
		command_label(c, want, sizeof(want));
		if (strncmp(c->example, want, strlen(want)) != 0 || (c->example[strlen(want)] != ' '
		    && c->example[strlen(want)] != '\0'))
			fail_msg("%s: example \"%s\" is not this command", label(c), c->example);
		words = example_words(c->example);
		if (!command_arity_ok(c, words))
			fail_msg("%s: example \"%s\" has %d words, the arity is %d", label(c), c->example, words, c->arity);
		if (c->usable != NULL && c->who == NULL)
			fail_msg("%s narrows who may use it but does not say whom (.who)", label(c));
	}
	for (int a = 0; a < AREA_MAX; a++) {
		if (!top[a])
			fail_msg("area %s has no most used row (.top = 1)", command_areas[a].word);
		assert_non_null(command_areas[a].word);
	}
}

static void test_arity_matches_usage(void **state)
{
	int bad = 0;

	for (size_t i = 0; i < n_commands; i++) {
		const struct command *c = &commands[i];
		struct usage_words w;
		int want;

		usage_split(c->usage, &w);
		want = c->arity < 0 ? -c->arity : c->arity;
		assert_true(c->arity != 0);
		if (w.required != want) {
			print_error("%s: arity %d, but usage \"%s\" needs %d words\n",
			            label(c), c->arity, c->usage, w.required);
			bad++;
		}
		/* a fixed arity has nothing optional */
		if (c->arity > 0 && w.optional_any) {
			print_error("%s: fixed arity %d but usage \"%s\" has optional words\n",
			            label(c), c->arity, c->usage);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

static void test_no_duplicate_rows(void **state)
{
	for (size_t i = 0; i < n_commands; i++)
		for (size_t k = 0; k < i; k++) {
			const struct command *a = &commands[i], *b = &commands[k];
			bool same_sub = (a->sub == NULL && b->sub == NULL) ||
			    (a->sub != NULL && b->sub != NULL && strcmp(a->sub, b->sub) == 0);
			if (strcmp(a->name, b->name) == 0 && same_sub)
				fail_msg("duplicate row %s", label(a));
		}
}

static void test_same_name_contiguous(void **state)
{
	for (size_t i = 0; i < n_commands; i++)
		for (size_t k = i + 2; k < n_commands; k++)
			if (strcmp(commands[i].name, commands[k].name) == 0)
				for (size_t m = i + 1; m < k; m++)
					if (strcmp(commands[m].name, commands[i].name) != 0)
						fail_msg("rows of %s are split by %s", commands[i].name, commands[m].name);
}

static void test_index_and_label(void **state)
{
	char buf[64];

	for (size_t i = 0; i < n_commands; i++)
		assert_int_equal(command_index(&commands[i]), i);
	bool seen_sub = false, seen_plain = false;
	for (size_t i = 0; i < n_commands; i++) {
		const struct command *c = &commands[i];
		char want[64];
		snprintf(want, sizeof(want), "%s%s%s", c->name, c->sub ? " " : "", c->sub ? c->sub : "");
		assert_string_equal(command_label(c, buf, sizeof(buf)), want);
		seen_sub |= c->sub != NULL;
		seen_plain |= c->sub == NULL;
	}
	assert_true(seen_sub && seen_plain);
	/* a short buffer is cut, never overrun */
	memset(buf, 'x', sizeof(buf));
	{
		const struct command *c = commands_lookup("staff", "list", &seen_sub);
		assert_non_null(c);
		command_label(c, buf, 4);
		assert_string_equal(buf, "sta");
		assert_int_equal(buf[4], 'x');
	}
}

static void test_lookup_plain(void **state)
{
	bool known = false;
	const struct command *c = commands_lookup("ping", NULL, &known);

	assert_non_null(c);
	assert_true(known);
	assert_string_equal(c->name, "ping");
	assert_null(c->sub);
	/* words after a plain command are not a sub-command */
	known = false;
	assert_ptr_equal(commands_lookup("ping", "extra", &known), c);
	assert_true(known);
	/* every plain row is found as itself */
	for (size_t i = 0; i < n_commands; i++)
		if (commands[i].sub == NULL)
			assert_ptr_equal(commands_lookup(commands[i].name, NULL, &known), &commands[i]);
}

static void test_lookup_sub(void **state)
{
	bool known = false;
	const struct command *c = commands_lookup("staff", "show", &known);

	assert_non_null(c);
	assert_true(known);
	assert_string_equal(c->name, "staff");
	assert_string_equal(c->sub, "show");
	for (size_t i = 0; i < n_commands; i++)
		if (commands[i].sub != NULL)
			assert_ptr_equal(commands_lookup(commands[i].name, commands[i].sub, &known), &commands[i]);
}

static void test_lookup_unknown(void **state)
{
	bool known = true;

	assert_null(commands_lookup("nosuchcommand", NULL, &known));
	assert_false(known);
	known = true;
	assert_null(commands_lookup("nosuchcommand", "list", &known));
	assert_false(known);
	known = true;
	/* names are exact: no prefixes, no case folding */
	assert_null(commands_lookup("pin", NULL, &known));
	assert_false(known);
	assert_null(commands_lookup("PING", NULL, &known));
	assert_false(known);
	assert_null(commands_lookup("", NULL, &known));
	assert_false(known);
	/* a sub-command name is not a command */
	assert_null(commands_lookup("show", NULL, &known));
	assert_false(known);
}

static void test_lookup_unknown_sub(void **state)
{
	bool known = false;

	/* staff has only sub-command rows: an unknown or missing sub finds nothing */
	assert_null(commands_lookup("staff", "bogus", &known));
	assert_true(known);
	known = false;
	assert_null(commands_lookup("staff", NULL, &known));
	assert_true(known);
	known = false;
	assert_null(commands_lookup("staff", "SHOW", &known));
	assert_true(known);
	/* help has a plain row: an unknown "sub" falls back to it */
	known = false;
	const struct command *c = commands_lookup("help", "staff", &known);
	assert_non_null(c);
	assert_true(known);
	assert_string_equal(c->name, "help");
	assert_null(c->sub);
}

/* Does NAME have a row without sub-command (the plain form)? */
static const struct command *plain_row(const char *name)
{
	for (size_t i = 0; i < n_commands; i++)
		if (strcmp(commands[i].name, name) == 0 && commands[i].sub == NULL)
			return &commands[i];
	return NULL;
}

/*
 * A word that is no sub-command of the name: the plain form takes it as an
 * argument (its arity and handler judge it, so a fixed-arity plain form
 * answers with its usage), and a name without a plain form finds no row
 * (the dispatcher names the sub-commands the caller may use).
 */
static void test_word_that_is_no_sub(void **state)
{
	bool known;
	const struct command *c;

	for (size_t i = 0; i < n_commands; i++) {
		if (commands[i].sub == NULL)
			continue;
		known = false;
		assert_ptr_equal(commands_lookup(commands[i].name, "bogus", &known), plain_row(commands[i].name));
		assert_true(known);
		/* sub-command words are matched as typed (the dispatcher lowers them first) */
		char upper[64];
		snprintf(upper, sizeof(upper), "%s", commands[i].sub);
		for (char *p = upper; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		assert_ptr_equal(commands_lookup(commands[i].name, upper, &known), plain_row(commands[i].name));
	}
	/* !plan bogus: the plain form, whose arity 1 answers with the usage, as before the sub-command rows */
	c = commands_lookup("plan", "bogus", &known);
	assert_non_null(c);
	assert_null(c->sub);
	assert_false(command_arity_ok(c, 2));
	assert_string_equal(c->usage, "plan");
	/* !swap bogus: likewise (swap <date> <shift> with <person>) */
	c = commands_lookup("swap", "bogus", &known);
	assert_non_null(c);
	assert_null(c->sub);
	assert_false(command_arity_ok(c, 2));
	/* a sub-command of one name is none of another's */
	c = commands_lookup("plan", "list", &known);
	assert_ptr_equal(c, plain_row("plan"));
	assert_null(commands_lookup("complaint", "list", &known));
	assert_true(known);
	/* the right sub-command with too few words: its own row, whose usage is answered */
	c = commands_lookup("notify", "confirm", &known);
	assert_non_null(c);
	assert_string_equal(c->sub, "confirm");
	assert_false(command_arity_ok(c, 2));
	assert_string_equal(c->usage, "notify confirm <N-n>");
	c = commands_lookup("complaint", "assign", &known);
	assert_non_null(c);
	assert_false(command_arity_ok(c, 3));
	assert_true(command_arity_ok(c, 5));
}

/* !help NAME [SUB] shows the rows command_matches() picks. */
static void test_matches(void **state)
{
	size_t rows_of_staff = 0, rows_of_ping = 0;

	for (size_t i = 0; i < n_commands; i++) {
		const struct command *c = &commands[i];
		/* every row matches itself, and its name alone */
		assert_true(command_matches(c, c->name, c->sub));
		assert_true(command_matches(c, c->name, NULL));
		/* a word that is no sub-command matches no row (a plain row neither) */
		assert_false(command_matches(c, c->name, "bogus"));
		assert_false(command_matches(c, "nosuchcommand", NULL));
		rows_of_staff += command_matches(c, "staff", NULL);
		rows_of_ping += command_matches(c, "ping", NULL);
	}
	assert_int_equal(rows_of_staff, 8);  /* list show add set link unlink remove verify */
	assert_int_equal(rows_of_ping, 1);
	/* exact words: no prefixes, no case folding */
	bool known;
	const struct command *show = commands_lookup("staff", "show", &known);
	assert_false(command_matches(show, "staff", "sho"));
	assert_false(command_matches(show, "staff", "SHOW"));
	assert_false(command_matches(show, "staf", NULL));
	assert_false(command_matches(show, "staff", "list"));
	assert_true(command_matches(show, "staff", "show"));
	/* the plain roster row is not "roster lead" */
	assert_false(command_matches(plain_row("roster"), "roster", "lead"));
	assert_true(command_matches(plain_row("roster"), "roster", NULL));
}

static struct person person(enum role r, enum level l)
{
	struct person p;

	memset(&p, 0, sizeof(p));
	p.role = r;
	p.level = l;
	return p;
}

static void test_allowed_by_role(void **state)
{
	bool known;
	const struct command *ping = commands_lookup("ping", NULL, &known);
	const struct command *show = commands_lookup("staff", "show", &known);
	struct person friend = person(ROLE_FRIEND, LEVEL_NONE);
	struct person agent = person(ROLE_AGENT, LEVEL_SAM);
	struct person vice = person(ROLE_VICE_MINISTER, LEVEL_NONE);
	struct person minister = person(ROLE_MINISTER, LEVEL_NONE);
	struct person webmaster = person(ROLE_WEBMASTER, LEVEL_NONE);

	assert_non_null(ping);
	assert_non_null(show);
	assert_int_equal(show->min_role, ROLE_MINISTER);
	assert_true(command_allowed(ping, &friend));
	assert_true(command_allowed(ping, &webmaster));
	assert_false(command_allowed(show, &friend));
	assert_false(command_allowed(show, &agent));
	assert_false(command_allowed(show, &vice));
	assert_true(command_allowed(show, &minister));
	assert_true(command_allowed(show, &webmaster));
}

static void test_allowed_by_role_every_row(void **state)
{
	for (size_t i = 0; i < n_commands; i++) {
		const struct command *c = &commands[i];
		for (int r = ROLE_FRIEND; r <= ROLE_WEBMASTER; r++) {
			struct person p = person((enum role)r, r == ROLE_AGENT ? LEVEL_SAM : LEVEL_NONE);
			assert_int_equal(command_allowed(c, &p), r >= (int)c->min_role);
		}
	}
}

static void test_allowed_by_level(void **state)
{
	/* no row of the table uses min_level yet: a row of our own */
	struct command c = { .name = "shift", .sub = "take", .min_role = ROLE_AGENT,
	                     .min_level = LEVEL_CCS, .arity = 3, .usage = "shift take <slot>" };
	struct person trn = person(ROLE_AGENT, LEVEL_TRN);
	struct person ccs = person(ROLE_AGENT, LEVEL_CCS);
	struct person sam = person(ROLE_AGENT, LEVEL_SAM);
	struct person none = person(ROLE_AGENT, LEVEL_NONE);
	struct person friend = person(ROLE_FRIEND, LEVEL_SAM);
	struct person vice = person(ROLE_VICE_MINISTER, LEVEL_NONE);
	struct person minister_trn = person(ROLE_MINISTER, LEVEL_TRN);

	assert_false(command_allowed(&c, &trn));
	assert_false(command_allowed(&c, &none));
	assert_true(command_allowed(&c, &ccs));
	assert_true(command_allowed(&c, &sam));
	/* the level does not lift a role */
	assert_false(command_allowed(&c, &friend));
	/* the level is only checked for agents */
	assert_true(command_allowed(&c, &vice));
	assert_true(command_allowed(&c, &minister_trn));
}

static void test_arity_ok(void **state)
{
	bool known;
	const struct command *ping = commands_lookup("ping", NULL, &known);
	const struct command *show = commands_lookup("staff", "show", &known);
	const struct command *set = commands_lookup("staff", "set", &known);
	const struct command *help = commands_lookup("help", NULL, &known);

	assert_int_equal(ping->arity, 1);
	assert_true(command_arity_ok(ping, 1));
	assert_false(command_arity_ok(ping, 0));
	assert_false(command_arity_ok(ping, 2));
	assert_int_equal(show->arity, 3);
	assert_false(command_arity_ok(show, 2));
	assert_true(command_arity_ok(show, 3));
	assert_false(command_arity_ok(show, 4));
	assert_int_equal(set->arity, -5);
	assert_false(command_arity_ok(set, 4));
	assert_true(command_arity_ok(set, 5));
	assert_true(command_arity_ok(set, 6));
	assert_true(command_arity_ok(set, PARSE_MAX_WORDS));
	assert_int_equal(help->arity, -1);
	assert_true(command_arity_ok(help, 1));
	assert_true(command_arity_ok(help, 2));
	assert_false(command_arity_ok(help, 0));
}

/* The rows whose answers carry personal data answer privately; the others where asked. */
static void test_private_rows(void **state)
{
	static const char *const private_rows[][2] = {
		{ "staff", "show" }, { "audit", NULL }, { "leave", NULL }, { "pending", NULL },
		{ "hours", NULL }, { "attendance", NULL }, { "excuse", NULL }, { "contacts", NULL },
		{ "contacts", "set" }, { "complaints", NULL }, { "report", NULL }, { "evaluate", NULL },
		{ "promote", NULL }, { "probation", "apply" }, { "probation", "evaluate" },
		{ "probation", "consult" }, { "training", "log" }, { "internship", "status" },
		{ "internship", "recommend" }, { "calendar", NULL }, { "calendar", "add" },
		{ "calendar", "remove" }, { "internship", NULL }, { "internship", "apply" }, { "internship", "defense" },
	};
	static const char *const public_rows[][2] = {
		{ "ping", NULL }, { "help", NULL }, { "staff", "list" }, { "roster", NULL },
		{ "roster", "add" }, { "duty", NULL }, { "approve", NULL }, { "deny", NULL },
		{ "emergency", NULL }, { "plan", NULL }, { "notify", NULL },
	};
	bool known;

	(void)state;
	for (size_t i = 0; i < sizeof(private_rows) / sizeof(private_rows[0]); i++) {
		const struct command *c = commands_lookup(private_rows[i][0], private_rows[i][1], &known);
		assert_non_null(c);
		if (private_rows[i][1] != NULL)
			assert_string_equal(c->sub, private_rows[i][1]);
		if (!(c->flags & CMD_PRIVATE))
			fail_msg("%s %s should answer privately", private_rows[i][0],
			    private_rows[i][1] ? private_rows[i][1] : "");
	}
	for (size_t i = 0; i < sizeof(public_rows) / sizeof(public_rows[0]); i++) {
		const struct command *c = commands_lookup(public_rows[i][0], public_rows[i][1], &known);
		assert_non_null(c);
		if (c->flags & CMD_PRIVATE)
			fail_msg("%s %s should answer where it was asked", public_rows[i][0],
			    public_rows[i][1] ? public_rows[i][1] : "");
	}
}

static void test_arity_ok_every_row(void **state)
{
	for (size_t i = 0; i < n_commands; i++) {
		const struct command *c = &commands[i];
		int n = c->arity < 0 ? -c->arity : c->arity;
		assert_false(command_arity_ok(c, n - 1));
		assert_true(command_arity_ok(c, n));
		assert_int_equal(command_arity_ok(c, n + 1), c->arity < 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_not_empty),
		cmocka_unit_test(test_private_rows),
		cmocka_unit_test(test_every_row_has_proc),
		cmocka_unit_test(test_every_row_has_help),
		cmocka_unit_test(test_every_row_own_handler),
		cmocka_unit_test(test_help_ids_distinct),
		cmocka_unit_test(test_usage_starts_with_name_and_sub),
		cmocka_unit_test(test_arity_matches_usage),
		cmocka_unit_test(test_no_duplicate_rows),
		cmocka_unit_test(test_same_name_contiguous),
		cmocka_unit_test(test_index_and_label),
		cmocka_unit_test(test_lookup_plain),
		cmocka_unit_test(test_lookup_sub),
		cmocka_unit_test(test_lookup_unknown),
		cmocka_unit_test(test_lookup_unknown_sub),
		cmocka_unit_test(test_word_that_is_no_sub),
		cmocka_unit_test(test_matches),
		cmocka_unit_test(test_allowed_by_role),
		cmocka_unit_test(test_allowed_by_role_every_row),
		cmocka_unit_test(test_allowed_by_level),
		cmocka_unit_test(test_arity_ok),
		cmocka_unit_test(test_arity_ok_every_row),
		cmocka_unit_test(test_every_row_has_an_area_and_a_runnable_example),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
