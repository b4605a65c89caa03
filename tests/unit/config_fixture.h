/*
 * config_fixture.h: what the config tests (test_config.c,
 * test_config_errors.c) share: a fresh temporary directory per test, a
 * configuration text written into it and loaded, and the check of the exact
 * "file:line: setting: problem" lines.  One test program includes it once
 * (after cmocka.h), so its statics are that program's own.
 */
#ifndef DUTYBOT_TEST_CONFIG_FIXTURE_H
#define DUTYBOT_TEST_CONFIG_FIXTURE_H

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

static inline int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline int
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

static inline int
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
static inline void
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
static inline struct config *
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
static inline void
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

#endif
