/*
 * test_scripts: the embedded Lua scripts (state/embed_scripts.cmake).  Every
 * line of every embedded text - the helpers' prelude and the script - maps
 * back, through state_script_where(), to the very same line of its .lua file
 * (as an error of Redis names it: "user_script:N"), the lines of the wrapper
 * around the script (wrap_once.lua.in) too; an error without a line
 * maps to nothing; every script of the list is embedded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/scripts.h"

/* Line LINE (from 1) of state/scripts/FILE into OUT; false if there is none. */
static bool file_line(const char *file, unsigned line, char *out, size_t n)
{
	const char *src = getenv("SOURCE_DIR");
	char path[1024];
	FILE *f;
	bool found = false;

	snprintf(path, sizeof(path), "%s/state/scripts/%s", src ? src : ".", file);
	f = fopen(path, "r");
	assert_non_null(f);
	for (unsigned i = 1; !found && fgets(out, (int)n, f) != NULL; i++)
		found = i == line;
	fclose(f);
	if (found)
		out[strcspn(out, "\n")] = '\0';
	return found;
}

static void test_every_line_maps_back(void **unused)
{
	size_t checked = 0;

	(void)unused;
	for (unsigned s = 0; s < state_script_count; s++) {
		const struct state_script_source *sc = &state_script_sources[s];
		const char *p = sc->source;
		unsigned line = 1;

		assert_true(sc->n_lines >= 1);
		assert_int_equal(sc->lines[0].from, 1);
		while (*p != '\0') {
			size_t len = strcspn(p, "\n");
			char err[64], where[128], file[64], want[4096], got[4096];
			unsigned at;

			snprintf(err, sizeof(err), "ERR user_script:%u: boom script: x", line);
			state_script_where(sc, err, where, sizeof(where));
			assert_int_equal(sscanf(where, " (at %63[^:]:%u)", file, &at), 2);
			snprintf(got, sizeof(got), "%.*s", (int)len, p);
			if (!file_line(file, at, want, sizeof(want)))
				fail_msg("%s line %u maps to %s:%u, past its end", sc->name, line, file, at);
			if (strcmp(got, want) != 0)
				fail_msg("%s line %u maps to %s:%u: \"%s\" is not \"%s\"", sc->name, line, file, at, got,
				    want);
			checked++;
			p += len + (p[len] == '\n');
			line++;
		}
	}
	assert_true(checked > 1000);
}

static void test_the_script_itself_starts_after_its_prelude(void **unused)
{
	char where[128];

	(void)unused;
	for (unsigned s = 0; s < state_script_count; s++) {
		const struct state_script_source *sc = &state_script_sources[s];
		/* then the wrapper's last lines (wrap_once.lua.in) */
		const struct state_script_line *own = &sc->lines[sc->n_lines - 2];
		char err[64], want[160];

		assert_string_equal(sc->lines[sc->n_lines - 1].file, "wrap_once.lua.in");
		snprintf(err, sizeof(err), "ERR user_script:%u: x", own->from);
		snprintf(want, sizeof(want), " (at %s.lua:1)", sc->name);
		assert_string_equal(state_script_where(sc, err, where, sizeof(where)), want);
	}
}

static void test_errors_without_a_line(void **unused)
{
	const struct state_script_source *sc = &state_script_sources[0];
	char where[128];

	(void)unused;
	assert_string_equal(state_script_where(sc, "ERR Wrong number of args calling Redis command from script",
	    where, sizeof(where)), "");
	assert_string_equal(state_script_where(sc, "ERR user_script:x: y", where, sizeof(where)), "");
	assert_string_equal(state_script_where(sc, NULL, where, sizeof(where)), "");
	/* a compile error names the line further in */
	assert_string_not_equal(state_script_where(sc,
	    "ERR Error compiling script (new function): user_script:2: unexpected symbol", where, sizeof(where)), "");
}

static void test_every_listed_script_is_embedded(void **unused)
{
#define STATE_NAME(id, name) name,
	static const char *const names[] = { STATE_SCRIPTS(STATE_NAME) };
#undef STATE_NAME

	(void)unused;
	assert_int_equal(SCRIPT_MAX, state_script_count);
	for (unsigned i = 0; i < SCRIPT_MAX; i++) {
		bool found = false;
		for (unsigned s = 0; s < state_script_count; s++)
			found |= strcmp(state_script_sources[s].name, names[i]) == 0;
		assert_true(found);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_line_maps_back),
		cmocka_unit_test(test_the_script_itself_starts_after_its_prelude),
		cmocka_unit_test(test_errors_without_a_line),
		cmocka_unit_test(test_every_listed_script_is_embedded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
