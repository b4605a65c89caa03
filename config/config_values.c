/*
 * config_values: the spelling of single values, with no libconfig in sight:
 * the enum name tables, durations ("45s"), clock times ("06:00"), names,
 * listen addresses, e-mail addresses, time zones and secret files.  Each
 * checker rejects anything it does not fully understand: no trailing junk, no
 * silent overflow.  config_reader.c reports what they reject against the
 * setting it came from.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* O_CLOEXEC on older C libraries */
#endif
#include "config/config.h"
#include "config/config_values.h"
#include "generated/languages.h"
#include "bot/lib/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ZONEINFO_DIR	"/usr/share/zoneinfo/"
#define SECRET_MAX	(64 * 1024)

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

bool
config_irc_mask_valid(const char *s)
{
	const char *bang = strchr(s, '!'), *at = strchr(s, '@');

	if (bang == NULL || at == NULL || bang == s || at < bang + 2 || at[1] == '\0' ||
	    strchr(bang + 1, '!') != NULL || strchr(at + 1, '@') != NULL || strlen(s) > 200)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f || *s == ',')
			return false;
	return true;
}

bool
config_irc_channel_valid(const char *s)
{
	size_t len = strlen(s);

	if ((s[0] != '#' && s[0] != '&') || len < 2 || len > 50)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == ',' || *s == 0x7f)
			return false;
	return true;
}
