/*
 * config_values: how single values of the config are spelled.  Pure checks:
 * they know nothing of libconfig (config_reader.h reports what they reject);
 * the enum name tables and config_parse_duration() are in config.h.
 */
#ifndef DUTYBOT_CONFIG_VALUES_H
#define DUTYBOT_CONFIG_VALUES_H

#include <stdbool.h>
#include <stddef.h>

/* [a-z0-9_-]{1,32}; with allow_dot '.' is allowed too (staff ids). */
bool config_name_valid(const char *s, bool allow_dot);
/* local@domain.tld: no spaces, one '@', a dotted domain of [A-Za-z0-9-] labels. */
bool config_email_valid(const char *s);
/* "HH:MM", 00:00..23:59 -> minutes after midnight; -1 on anything else. */
int config_parse_clock(const char *s);
/* Decimal 1..65535 and nothing else; -1 otherwise. */
int config_parse_port(const char *s);
/* "a.b.c.d:port" or "[v6]:port" -> *host (malloc'd, no brackets), *port; 0,
 * -1 (malformed) or -2 (the host is not an address literal of that form). */
int config_parse_listen(const char *s, char **host, int *port);
/* "UTC", or a regular file under /usr/share/zoneinfo ("Europe/Berlin"). */
bool config_timezone_valid(const char *tz);
/* An IPv4 or IPv6 literal, or "localhost". */
bool config_host_valid(const char *host);
/* S starts with one of the NULL-terminated SCHEMES and has more after it. */
bool config_url_valid(const char *s, const char *const *schemes);
/* Printable ASCII, no whitespace, 1..max characters. */
bool config_word_valid(const char *s, size_t max);
/* An IRC hostmask pattern: nick!user@host, each part non-empty, printable,
 * no blank, comma or second '!'/'@' ('*' and '?' are wildcards). */
bool config_irc_mask_valid(const char *s);
/* An IRC channel name: # or & and 1 to 49 more bytes, no blank, comma or control. */
bool config_irc_channel_valid(const char *s);
/*
 * Read a secret file whole, trailing "\n"/"\r\n" stripped, into *out (malloc'd).
 * Returns NULL on success, or what went wrong (strerror(errno), "file is empty").
 */
const char *config_read_secret(const char *path, char **out);

#endif
