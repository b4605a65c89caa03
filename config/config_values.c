/*
 * config_values: reading one setting.  The module's error collector (every
 * problem becomes "file:line: setting: problem" and reading goes on), typed
 * access to settings that reports a wrong type or range instead of failing,
 * secrets (inline, *_file or systemd credential), and the spelling of single
 * values: the enum name tables, durations ("45s"), clock times ("06:00"),
 * listen addresses, e-mail addresses and time zones.  Each checker rejects
 * anything it does not fully understand: no trailing junk, no silent overflow.
 * config.c, which knows what settings exist, is built on these.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* asprintf, strchrnul */
#endif
#include "config/config.h"
#include "config/config_values.h"
#include "generated/languages.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ZONEINFO_DIR	"/usr/share/zoneinfo/"
#define SECRET_MAX	(64 * 1024)
#define DURATION_MAX	(3650 * 24 * 3600 * 1000LL)	/* so now + it cannot overflow */

/* Kept in step with the enums in config.h. */
static const char *const platform_names[] = {
	[PLATFORM_SITE] = "site",
	[PLATFORM_DISCORD] = "discord",
	[PLATFORM_SLACK] = "slack",
	[PLATFORM_MATTERMOST] = "mattermost",
	[PLATFORM_IRC] = "irc",
};
static const char *const role_names[] = {
	[ROLE_FRIEND] = "friend",
	[ROLE_AGENT] = "agent",
	[ROLE_VICE_MINISTER] = "vice_minister",
	[ROLE_MINISTER] = "minister",
	[ROLE_WEBMASTER] = "webmaster",
};
static const char *const level_names[] = {
	[LEVEL_NONE] = "",
	[LEVEL_TRN] = "TRN",
	[LEVEL_CCS] = "CCS",
	[LEVEL_PAM] = "PAM",
	[LEVEL_SAM] = "SAM",
};
static const char *const channel_names[] = {
	[CHANNEL_OPS] = "ops",
	[CHANNEL_ALERTS] = "alerts",
	[CHANNEL_TECH] = "tech",
	[CHANNEL_COMPLAINTS] = "complaints",
};
static const char *const langs[] = { I18N_LANGUAGES };   /* po/LINGUAS */

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *
name_of(const char *const *names, size_t n, int v)
{
	return v >= 0 && (size_t)v < n ? names[v] : "?";
}

static int
parse_name(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s != NULL && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

const char *
config_platform_name(enum platform_type t)
{
	return name_of(platform_names, NELEM(platform_names), (int)t);
}

const char *
config_role_name(enum role r)
{
	return name_of(role_names, NELEM(role_names), (int)r);
}

const char *
config_level_name(enum level l)
{
	return name_of(level_names, NELEM(level_names), (int)l);
}

const char *
config_channel_name(enum channel_kind c)
{
	return name_of(channel_names, NELEM(channel_names), (int)c);
}

int
config_platform_parse(const char *s)
{
	return parse_name(platform_names, NELEM(platform_names), s);
}

int
config_role_parse(const char *s)
{
	return parse_name(role_names, NELEM(role_names), s);
}

int
config_level_parse(const char *s)
{
	return parse_name(level_names, NELEM(level_names), s);
}

int
config_channel_parse(const char *s)
{
	return parse_name(channel_names, NELEM(channel_names), s);
}

bool
config_lang_valid(const char *lang)
{
	return parse_name(langs, NELEM(langs), lang) >= 0;
}

int64_t
config_parse_duration(const char *s)
{
	static const struct {
		const char *unit;
		int64_t ms;
	} units[] = {
		{ "ms", 1 },
		{ "s", 1000 },
		{ "m", 60 * 1000 },
		{ "h", 60 * 60 * 1000 },
		{ "d", 24 * 60 * 60 * 1000 },
	};
	int64_t n = 0;
	const char *p = s;

	if (s == NULL)
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (INT64_MAX - (*p - '0')) / 10)
			return -1;
		n = n * 10 + (*p - '0');
	}
	if (p == s)
		return -1;
	for (size_t i = 0; i < NELEM(units); i++) {
		if (strcmp(p, units[i].unit) != 0)
			continue;
		if (n > INT64_MAX / units[i].ms)
			return -1;
		return n * units[i].ms;
	}
	return -1;
}

bool
config_name_valid(const char *s, bool allow_dot)
{
	size_t n = strlen(s);

	if (n == 0 || n > 32)
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '_' || *s == '-' || (allow_dot && *s == '.')))
			return false;
	return true;
}

bool
config_word_valid(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return false;
	for (; *s != '\0'; s++)
		if (*s <= ' ' || *s > '~')
			return false;
	return true;
}

static bool
label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-';
}

bool
config_email_valid(const char *s)
{
	const char *at = strchr(s, '@');
	const char *p;
	size_t label = 0, labels = 0;

	if (at == NULL || at == s || strchr(at + 1, '@') != NULL)
		return false;
	for (p = s; p < at; p++)
		if (*p <= ' ' || *p > '~')
			return false;
	for (p = at + 1;; p++) {
		if (*p == '.' || *p == '\0') {
			if (label == 0)
				return false;
			labels++;
			label = 0;
			if (*p == '\0')
				break;
		} else if (label_char(*p)) {
			label++;
		} else {
			return false;
		}
	}
	return labels >= 2;
}

int
config_parse_clock(const char *s)
{
	int h, m;

	if (strlen(s) != 5 || s[2] != ':')
		return -1;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 23 || m > 59)
		return -1;
	return h * 60 + m;
}

int
config_parse_port(const char *s)
{
	int port = 0;

	if (*s == '\0' || strlen(s) > 5)
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		port = port * 10 + (*s - '0');
	}
	return port >= 1 && port <= 65535 ? port : -1;
}

int
config_parse_listen(const char *s, char **host, int *port)
{
	const char *h = s, *colon;
	size_t hlen;
	int p;

	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || close[1] != ':')
			return -1;
		h = s + 1;
		hlen = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strchr(s, ':');
		if (colon == NULL || strchr(colon + 1, ':') != NULL)
			return -1;
		hlen = (size_t)(colon - s);
	}
	if (hlen == 0 || (p = config_parse_port(colon + 1)) < 0)
		return -1;
	for (size_t i = 0; i < hlen; i++)
		if (h[i] <= ' ' || h[i] > '~' || h[i] == '[' || h[i] == ']')
			return -1;
	if ((*host = strndup(h, hlen)) == NULL)
		return -1;
	{
		/* an address literal of the family the form says: lws binds a name
		 * ("localhost") nowhere, and resolving it would block the loop */
		unsigned char addr[sizeof(struct in6_addr)];
		if (inet_pton(*s == '[' ? AF_INET6 : AF_INET, *host, addr) != 1) {
			free(*host);
			*host = NULL;
			return -2;
		}
	}
	*port = p;
	return 0;
}

bool
config_timezone_valid(const char *tz)
{
	char path[PATH_MAX];
	struct stat st;

	if (strcmp(tz, "UTC") == 0)
		return true;
	if (*tz == '\0' || *tz == '/' || strstr(tz, "..") != NULL)
		return false;
	for (const char *p = tz; *p != '\0'; p++)
		if (*p <= ' ' || *p > '~')
			return false;
	if (snprintf(path, sizeof(path), ZONEINFO_DIR "%s", tz) >= (int)sizeof(path))
		return false;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool
config_host_valid(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return strcmp(host, "localhost") == 0 ||
	    inet_pton(AF_INET, host, buf) == 1 ||
	    inet_pton(AF_INET6, host, buf) == 1;
}

bool
config_url_valid(const char *s, const char *const *schemes)
{
	for (; *schemes != NULL; schemes++) {
		size_t n = strlen(*schemes);

		if (strncmp(s, *schemes, n) == 0 && s[n] != '\0' &&
		    config_word_valid(s, 4096))
			return true;
	}
	return false;
}

const char *
config_read_secret(const char *path, char **out)
{
	char *buf, *shrunk;
	size_t len = 0;
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return strerror(errno);
	if ((buf = malloc(SECRET_MAX + 1)) == NULL) {
		close(fd);
		return strerror(ENOMEM);
	}
	while (len <= SECRET_MAX &&
	    (r = read(fd, buf + len, SECRET_MAX + 1 - len)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int saved = errno;

			free(buf);
			close(fd);
			return strerror(saved);
		}
		len += (size_t)r;
	}
	close(fd);
	if (len > SECRET_MAX) {
		free(buf);
		return "file is larger than 64 KiB";
	}
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	buf[len] = '\0';
	if (len == 0 || memchr(buf, '\0', len) != NULL) {
		free(buf);
		return len == 0 ? "file is empty" : "file contains a NUL byte";
	}
	shrunk = realloc(buf, len + 1);
	*out = shrunk != NULL ? shrunk : buf;
	return NULL;
}

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
	return strcmp(key, ((const struct known_key *)elem)->name);
}

/* Every member of G must be in KEYS and, if TYPE >= 0, used by that platform. */
void
cfg_check_keys(struct cfg_ctx *ctx, const config_setting_t *g,
    const struct known_key *keys, size_t n, int type)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const struct known_key *k;

		k = bsearch(config_setting_name(s), keys, n, sizeof(*keys), key_cmp);
		if (k == NULL)
			cfg_err(ctx, s, "unknown setting");
		else if (type >= 0 && k->only != 0 && !(k->only & P(type)))
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
	else if (ms < min)
		cfg_err(ctx, s, "must be more than zero");
	else if (ms > DURATION_MAX)
		cfg_err(ctx, s, "must be at most 3650d");
	else
		*out_ms = ms;
}

/* Group member KEY of ROOT, with only the keys in KEYS; NULL if absent or bad. */
config_setting_t *
cfg_get_group(struct cfg_ctx *ctx, const config_setting_t *root, const char *key,
    const struct known_key *keys, size_t n)
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
copy_strings(struct cfg_ctx *ctx, const config_setting_t *l, char ***v, size_t *n,
    string_check *check)
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
