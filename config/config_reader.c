/*
 * config_reader: reading one setting with libconfig.  The module's error
 * collector (every problem becomes "file:line: setting: problem" and reading
 * goes on), typed access to settings that reports a wrong type or range
 * instead of failing, and secrets (inline, *_file or systemd credential).
 * The spelling of the values themselves is config_values.c; config.c and the
 * files of the sections, which know what settings exist, are built on these.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* asprintf, strchrnul */
#endif
#include "config/config.h"
#include "config/config_reader.h"
#include "config/config_values.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DURATION_MAX	(3650 * 24 * 3600 * 1000LL)	/* so now + it cannot overflow */

/* --- collecting errors --------------------------------------------------- */

void
cfg_push(struct cfg_ctx *ctx, unsigned int line, char *text)
{
	struct cfg_error *v;

	if (text == NULL) {
		ctx->oom = true;
		return;
	}
	if (ctx->n_errs == ctx->cap_errs) {
		size_t cap = ctx->cap_errs ? ctx->cap_errs * 2 : 16;

		if ((v = realloc(ctx->errs, cap * sizeof(*v))) == NULL) {
			free(text);
			ctx->oom = true;
			return;
		}
		ctx->errs = v;
		ctx->cap_errs = cap;
	}
	ctx->errs[ctx->n_errs] = (struct cfg_error){ line, ctx->n_errs, text };
	ctx->n_errs++;
}

/* "connections.[0].type": the libconfig path of S. */
static void
setting_path(const config_setting_t *s, char *buf, size_t len)
{
	const config_setting_t *parent = config_setting_parent(s);
	size_t n;

	buf[0] = '\0';
	if (parent == NULL)
		return;
	setting_path(parent, buf, len);
	n = strlen(buf);
	if (config_setting_name(s) != NULL)
		snprintf(buf + n, len - n, "%s%s", n ? "." : "", config_setting_name(s));
	else
		snprintf(buf + n, len - n, "%s[%d]", n ? "." : "",
		    config_setting_index(s));
}

static void
cfg_verr(struct cfg_ctx *ctx, const config_setting_t *s, const char *key,
    const char *fmt, va_list ap)
{
	const char *file = config_setting_source_file(s), *dir = "", *sep = "";
	unsigned int line = config_setting_source_line(s);
	char path[512], *problem, *text;
	size_t n;

	setting_path(s, path, sizeof(path));
	if (key != NULL) {
		n = strlen(path);
		snprintf(path + n, sizeof(path) - n, "%s%s", n ? "." : "", key);
	}
	if (vasprintf(&problem, fmt, ap) < 0) {
		ctx->oom = true;
		return;
	}
	if (file == NULL) {
		file = ctx->path;
	} else if (*file != '/' && ctx->dir != NULL) {
		dir = ctx->dir;         /* an @include, named as written */
		sep = "/";
	}
	if ((line > 0 ?
	    asprintf(&text, "%s%s%s:%u: %s: %s\n", dir, sep, file, line, path, problem) :
	    asprintf(&text, "%s%s%s: %s: %s\n", dir, sep, file, path, problem)) < 0)
		text = NULL;
	free(problem);
	cfg_push(ctx, line, text);
}

/* A problem with setting S. */
void
cfg_err(struct cfg_ctx *ctx, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_verr(ctx, s, NULL, fmt, ap);
	va_end(ap);
}

/* A problem with KEY of group G, which G does not have (on G's line). */
void
cfg_err_key(struct cfg_ctx *ctx, const config_setting_t *g, const char *key,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_verr(ctx, g, key, fmt, ap);
	va_end(ap);
}

static int
cfg_error_cmp(const void *a, const void *b)
{
	const struct cfg_error *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* All problems, by line, as one malloc'd string. */
char *
cfg_errors_join(struct cfg_ctx *ctx)
{
	size_t len = 1;
	char *out, *p;

	if (ctx->oom && asprintf(&out, "%s: out of memory\n", ctx->path) >= 0)
		return out;
	qsort(ctx->errs, ctx->n_errs, sizeof(*ctx->errs), cfg_error_cmp);
	for (size_t i = 0; i < ctx->n_errs; i++)
		len += strlen(ctx->errs[i].text);
	if ((p = out = malloc(len)) == NULL)
		return NULL;
	for (size_t i = 0; i < ctx->n_errs; i++)
		p = stpcpy(p, ctx->errs[i].text);
	*p = '\0';
	return out;
}

/* --- typed access to settings -------------------------------------------- */

void
cfg_set_str(struct cfg_ctx *ctx, char **field, const char *v)
{
	char *copy = strdup(v);

	if (copy == NULL) {
		ctx->oom = true;
		return;
	}
	free(*field);
	*field = copy;
}

static int
key_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct cfg_known_key *)elem)->name);
}

/* Every member of G must be in KEYS and, if TYPE >= 0, used by that platform. */
void
cfg_check_keys(struct cfg_ctx *ctx, const config_setting_t *g,
    const struct cfg_known_key *keys, size_t n, int type)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const struct cfg_known_key *k;

		k = bsearch(config_setting_name(s), keys, n, sizeof(*keys), key_cmp);
		if (k == NULL)
			cfg_err(ctx, s, "unknown setting");
		else if (type >= 0 && k->only != 0 && !(k->only & CFG_ONLY(type)))
			cfg_err(ctx, s, "not used by %s connections",
			    config_platform_name((enum platform_type)type));
	}
}

static const char *
type_noun(int type)
{
	switch (type) {
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_INT:
		return "an integer";
	case CONFIG_TYPE_BOOL:
		return "a boolean (true or false)";
	case CONFIG_TYPE_GROUP:
		return "a group { ... }";
	default:
		return "a list ( ... )";
	}
}

/* Member KEY of G if it exists and has TYPE (INT takes INT64, LIST ARRAY). */
config_setting_t *
cfg_get_typed(struct cfg_ctx *ctx, const config_setting_t *g, const char *key, int type)
{
	config_setting_t *s = config_setting_get_member(g, key);
	int t;

	if (s == NULL)
		return NULL;
	t = config_setting_type(s);
	if (t == type || (type == CONFIG_TYPE_INT && t == CONFIG_TYPE_INT64) ||
	    (type == CONFIG_TYPE_LIST && t == CONFIG_TYPE_ARRAY))
		return s;
	cfg_err(ctx, s, "must be %s", type_noun(type));
	return NULL;
}

/* String member KEY of G, its value in *v; NULL if absent or not a string. */
config_setting_t *
cfg_get_str(struct cfg_ctx *ctx, const config_setting_t *g, const char *key,
    const char **v)
{
	config_setting_t *s = cfg_get_typed(ctx, g, key, CONFIG_TYPE_STRING);

	*v = s != NULL ? config_setting_get_string(s) : NULL;
	return s;
}

/* Like cfg_get_str(), but reports a missing KEY. */
config_setting_t *
cfg_need_str(struct cfg_ctx *ctx, const config_setting_t *g, const char *key,
    const char **v)
{
	config_setting_t *s = cfg_get_str(ctx, g, key, v);

	if (s == NULL && config_setting_get_member(g, key) == NULL)
		cfg_err_key(ctx, g, key, "missing required setting");
	return s;
}

/*
 * libconfig 1.5 reads an integer literal with atoi(): "port = 4294973831;"
 * arrives as 6535.  So find the literal on the setting's line and compare.
 */
static bool
int_literal_ok(const struct cfg_ctx *ctx, const config_setting_t *s)
{
	const char *name = config_setting_name(s), *p = ctx->text, *eol, *q;
	size_t n;

	if (p == NULL || name == NULL || config_setting_source_file(s) != NULL)
		return true;
	for (unsigned int l = 1; l < config_setting_source_line(s) && p; l++)
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	if (p == NULL)
		return true;
	eol = strchrnul(p, '\n');
	n = strlen(name);
	for (q = p; (q = strstr(q, name)) != NULL && q < eol; q += n) {
		const char *v = q + n;
		char *end;
		long long x;
		int base = 10;

		if (q > p && (isalnum((unsigned char)q[-1]) || q[-1] == '_'))
			continue;
		v += strspn(v, " \t");
		if (*v != '=' && *v != ':')
			continue;
		v += 1 + strspn(v + 1, " \t");
		if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
			base = 16;
		errno = 0;
		x = strtoll(v, &end, base);
		if (end == v)
			continue;
		return errno == 0 && x == config_setting_get_int64(s);
	}
	return true;
}

/* Integer member KEY of G in LO..HI into *out; false if absent or bad. */
bool
cfg_get_int(struct cfg_ctx *ctx, const config_setting_t *g, const char *key,
    long long lo, long long hi, int *out)
{
	config_setting_t *s = cfg_get_typed(ctx, g, key, CONFIG_TYPE_INT);
	long long v;

	if (s == NULL)
		return false;
	v = config_setting_get_int64(s);
	if (!int_literal_ok(ctx, s) || v < lo || v > hi) {
		cfg_err(ctx, s, "must be between %lld and %lld", lo, hi);
		return false;
	}
	*out = (int)v;
	return true;
}

void
cfg_get_bool(struct cfg_ctx *ctx, const config_setting_t *g, const char *key, bool *out)
{
	config_setting_t *s = cfg_get_typed(ctx, g, key, CONFIG_TYPE_BOOL);

	if (s != NULL)
		*out = config_setting_get_bool(s) != 0;
}

/* Duration member KEY of G, MIN ms to 3650d, into *out_ms. */
void
cfg_get_duration(struct cfg_ctx *ctx, const config_setting_t *g, const char *key,
    int64_t min, int64_t *out_ms)
{
	const config_setting_t *s;
	const char *v;
	int64_t ms;

	if ((s = cfg_get_str(ctx, g, key, &v)) == NULL)
		return;
	if ((ms = config_parse_duration(v)) < 0)
		cfg_err(ctx, s, "bad duration \"%s\" (want a number and a unit: "
		    "ms, s, m, h or d)", v);
	else if (ms < min && min <= 1)
		cfg_err(ctx, s, "must be more than zero");
	else if (ms < min)
		cfg_err(ctx, s, "must be at least %lld%s", (long long)(min % 1000 ? min : min / 1000), min % 1000 ? "ms" : "s");
	else if (ms > DURATION_MAX)
		cfg_err(ctx, s, "must be at most 3650d");
	else
		*out_ms = ms;
}

/* Group member KEY of ROOT, with only the keys in KEYS; NULL if absent or bad. */
config_setting_t *
cfg_get_group(struct cfg_ctx *ctx, const config_setting_t *root, const char *key,
    const struct cfg_known_key *keys, size_t n)
{
	config_setting_t *g = cfg_get_typed(ctx, root, key, CONFIG_TYPE_GROUP);

	if (g != NULL && keys != NULL)
		cfg_check_keys(ctx, g, keys, n, -1);
	return g;
}

/* Element I of list L if it is a string, else reported and NULL. */
const char *
cfg_elem_str(struct cfg_ctx *ctx, const config_setting_t *l, int i)
{
	const config_setting_t *e = config_setting_get_elem(l, (unsigned)i);

	if (config_setting_type(e) != CONFIG_TYPE_STRING) {
		cfg_err(ctx, e, "must be a string");
		return NULL;
	}
	return config_setting_get_string(e);
}

int
cfg_find_name(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

/*
 * A secret every local user can read is a secret shared: said at every
 * start and by --check-config, but not an error, so a running setup does
 * not stop working over it.  One line per file, in the order read.  Group
 * read is not warned about: root:dutybot 0640 is how the README's install
 * gives the file to the service's user and no one else.
 */
void
cfg_warn_if_readable(struct cfg_ctx *ctx, const char *path)
{
	struct stat st;
	char *line, *joined;

	if (stat(path, &st) < 0 || (st.st_mode & S_IROTH) == 0)
		return;
	if (asprintf(&line, "%s is readable by others (mode %04o): chmod 600 it\n", path,
	    (unsigned int)(st.st_mode & 07777)) < 0) {
		ctx->oom = true;
		return;
	}
	if (ctx->warnings == NULL) {
		ctx->warnings = line;
		return;
	}
	if (asprintf(&joined, "%s%s", ctx->warnings, line) < 0)
		ctx->oom = true;
	else {
		free(ctx->warnings);
		ctx->warnings = joined;
	}
	free(line);
}

/*
 * The secret KEY of group G: inline (KEY, if allow_inline), from KEY_file
 * (relative to the config's directory) or, when neither is set and
 * CRED_NAME is given, the systemd credential "<cred_name>.<key>" in
 * $CREDENTIALS_DIRECTORY.  NULL when absent (reported if REQUIRED) or bad.
 */
char *
cfg_secret(struct cfg_ctx *ctx, const config_setting_t *g, const char *key,
    bool allow_inline, bool required, const char *cred_name)
{
	const config_setting_t *in = NULL, *file;
	const char *v = NULL, *fv, *dir, *problem;
	char file_key[32], path[PATH_MAX], *secret = NULL;

	snprintf(file_key, sizeof(file_key), "%s_file", key);
	if (allow_inline)
		in = cfg_get_str(ctx, g, key, &v);
	file = cfg_get_str(ctx, g, file_key, &fv);
	if (in != NULL && file != NULL) {
		cfg_err(ctx, file, "cannot be used together with %s", key);
		return NULL;
	}
	if (in != NULL) {
		if (*v == '\0')
			cfg_err(ctx, in, "must not be empty");
		else
			cfg_set_str(ctx, &secret, v);
		return secret;
	}
	if (file != NULL) {
		if (*fv != '/' && ctx->dir != NULL)
			snprintf(path, sizeof(path), "%s/%s", ctx->dir, fv);
		else
			snprintf(path, sizeof(path), "%s", fv);
		if ((problem = config_read_secret(path, &secret)) != NULL)
			cfg_err(ctx, file, "cannot read \"%s\": %s", path, problem);
		else
			cfg_warn_if_readable(ctx, path);
		return secret;
	}
	/* Either might exist with the wrong type (reported by cfg_get_str()). */
	if (config_setting_get_member(g, key) != NULL ||
	    config_setting_get_member(g, file_key) != NULL)
		return NULL;
	dir = getenv("CREDENTIALS_DIRECTORY");
	if (cred_name != NULL && dir != NULL && *dir != '\0') {
		snprintf(path, sizeof(path), "%s/%s.%s", dir, cred_name, key);
		if (access(path, F_OK) == 0) {
			if ((problem = config_read_secret(path, &secret)) != NULL)
				cfg_err_key(ctx, g, key, "cannot read credential "
				    "\"%s\": %s", path, problem);
			else
				cfg_warn_if_readable(ctx, path);
			return secret;
		}
	}
	if (!required)
		return NULL;
	if (allow_inline && cred_name != NULL)
		cfg_err_key(ctx, g, key, "missing required setting (or %s, or "
		    "credential \"%s.%s\")", file_key, cred_name, key);
	else if (cred_name != NULL)
		cfg_err_key(ctx, g, file_key, "missing required setting (or "
		    "credential \"%s.%s\")", cred_name, key);
	else
		cfg_err_key(ctx, g, allow_inline ? key : file_key,
		    "missing required setting");
	return NULL;
}

/* Element I of list L if it is a group, else reported and NULL. */
const config_setting_t *
cfg_elem_group(struct cfg_ctx *ctx, const config_setting_t *l, size_t i)
{
	const config_setting_t *e = config_setting_get_elem(l, (unsigned)i);

	if (config_setting_type(e) == CONFIG_TYPE_GROUP)
		return e;
	cfg_err(ctx, e, "must be a group { ... }");
	return NULL;
}

void
cfg_free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}


/* The strings of list L, each checked by CHECK, replace (*v, *n). */
void
cfg_copy_strings(struct cfg_ctx *ctx, const config_setting_t *l, char ***v, size_t *n,
    cfg_string_check *check)
{
	size_t len = (size_t)config_setting_length(l);
	char **out = calloc(len ? len : 1, sizeof(*out));

	if (out == NULL) {
		ctx->oom = true;
		return;
	}
	for (size_t i = 0; i < len; i++) {
		const char *s = cfg_elem_str(ctx, l, (int)i);

		if (s != NULL)
			cfg_set_str(ctx, &out[i], s);
		if (out[i] != NULL)
			check(ctx, config_setting_get_elem(l, (unsigned)i), out, i);
	}
	cfg_free_strv(*v, *n);
	*v = out;
	*n = len;
}

/* The list of groups KEY of ROOT in *out: its length, 0 if absent or bad. */
size_t
cfg_get_group_list(struct cfg_ctx *ctx, const config_setting_t *root, const char *key,
    bool required, config_setting_t **out)
{
	config_setting_t *l = cfg_get_typed(ctx, root, key, CONFIG_TYPE_LIST);

	*out = l;
	if (l == NULL) {
		if (required && config_setting_get_member(root, key) == NULL)
			cfg_err_key(ctx, root, key, "missing required setting");
		return 0;
	}
	if (required && config_setting_length(l) == 0)
		cfg_err(ctx, l, "must not be empty");
	return (size_t)config_setting_length(l);
}
