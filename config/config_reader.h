/*
 * config_reader: reading one setting, for the files of config/ only.  A
 * struct cfg_ctx collects every problem as "file:line: setting: problem"
 * while reading goes on; the cfg_get_*() functions fetch a member of a group,
 * report a wrong type or value against it and return nothing, so the caller
 * keeps its default.  How single values are spelled is config_values.h.
 */
#ifndef DUTYBOT_CONFIG_READER_H
#define DUTYBOT_CONFIG_READER_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;

struct cfg_error {
	unsigned int line;      /* 0: about the file as a whole */
	size_t seq;             /* keeps equal lines in the order found */
	char *text;             /* owned: "file:line: setting: problem\n" */
};

/* One config_load() in progress. */
struct cfg_ctx {
	const char *path;       /* as given to config_load() */
	char *dir;              /* owned; its directory, NULL for the cwd */
	const char *text;       /* the file's text (see int_literal_ok()) */
	struct config *cfg;     /* being filled in */
	struct cfg_error *errs; /* owned, each with its text */
	size_t n_errs, cap_errs;
	bool oom;               /* an allocation failed: the load fails */
	char *warnings;         /* owned until handed to the config: lines that do not fail it */
};

/*
 * A key a group knows; tables of them are sorted by name (bsearch).  For
 * connections, ONLY has a bit CFG_ONLY(type) per platform that uses the key; 0 means
 * every platform, or not a connection.
 */
struct cfg_known_key {
	const char *name;
	unsigned int only;
};
#define CFG_ONLY(t)	(1u << (t))

/* --- errors --- */

/* Add a finished line (owned; NULL means out of memory). */
void cfg_push(struct cfg_ctx *ctx, unsigned int line, char *text);
/* A problem with setting S. */
void cfg_err(struct cfg_ctx *ctx, const config_setting_t *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A problem with KEY of group G, which G lacks: reported on G's line. */
void cfg_err_key(struct cfg_ctx *ctx, const config_setting_t *g, const char *key,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Every problem, sorted by line, one per line, as a malloc'd string. */
char *cfg_errors_join(struct cfg_ctx *ctx);
/* Warns (ctx->warnings) when the secret-holding file PATH is readable by
 * its group or by others. */
void cfg_warn_if_readable(struct cfg_ctx *ctx, const char *path);

/* --- typed access; each reports what is wrong and returns NULL/false --- */

/* *field = strdup(v), freeing the old value. */
void cfg_set_str(struct cfg_ctx *ctx, char **field, const char *v);
void cfg_free_strv(char **v, size_t n);
/* Report members of G not in KEYS, or (TYPE >= 0) not used by that platform. */
void cfg_check_keys(struct cfg_ctx *ctx, const config_setting_t *g,
    const struct cfg_known_key *keys, size_t n, int type);
/* Member KEY of G if present and of TYPE (INT takes INT64, LIST takes ARRAY). */
config_setting_t *cfg_get_typed(struct cfg_ctx *ctx, const config_setting_t *g,
    const char *key, int type);
/* String member KEY of G, its value in *v. */
config_setting_t *cfg_get_str(struct cfg_ctx *ctx, const config_setting_t *g,
    const char *key, const char **v);
/* Like cfg_get_str(), but a missing KEY is reported too. */
config_setting_t *cfg_need_str(struct cfg_ctx *ctx, const config_setting_t *g,
    const char *key, const char **v);
/* Integer member KEY of G in LO..HI into *out; false if absent or bad. */
bool cfg_get_int(struct cfg_ctx *ctx, const config_setting_t *g, const char *key,
    long long lo, long long hi, int *out);
void cfg_get_bool(struct cfg_ctx *ctx, const config_setting_t *g, const char *key,
    bool *out);
/* Duration member KEY of G ("10m"), MIN ms to 3650d, into *out_ms. */
void cfg_get_duration(struct cfg_ctx *ctx, const config_setting_t *g,
    const char *key, int64_t min, int64_t *out_ms);
/* Group member KEY of ROOT, its keys checked against KEYS. */
config_setting_t *cfg_get_group(struct cfg_ctx *ctx, const config_setting_t *root,
    const char *key, const struct cfg_known_key *keys, size_t n);
/* The list of groups KEY of ROOT in *OUT: its length, 0 if absent or bad
 * (a missing or empty list reported if REQUIRED). */
size_t cfg_get_group_list(struct cfg_ctx *ctx, const config_setting_t *root, const char *key,
    bool required, config_setting_t **out);
/* Element I of list L if it is a string / a group. */
const char *cfg_elem_str(struct cfg_ctx *ctx, const config_setting_t *l, int i);
const config_setting_t *cfg_elem_group(struct cfg_ctx *ctx,
    const config_setting_t *l, size_t i);
/* Index of S in NAMES, or -1. */
int cfg_find_name(const char *const *names, size_t n, const char *s);

/*
 * The secret KEY of group G (malloc'd): inline KEY (if allow_inline), the
 * file KEY_file (relative to the config's directory; both set is an error)
 * or, when neither is set and CRED_NAME is not NULL, the systemd credential
 * $CREDENTIALS_DIRECTORY/<cred_name>.<key> if it exists.  NULL when absent
 * (reported if REQUIRED) or bad (reported).
 */
char *cfg_secret(struct cfg_ctx *ctx, const config_setting_t *g, const char *key,
    bool allow_inline, bool required, const char *cred_name);

/* Copies string list L into *V and *N (freeing the old), each element checked by CHECK. */
typedef void cfg_string_check(struct cfg_ctx *ctx, const config_setting_t *e,
    char **v, size_t i);
void cfg_copy_strings(struct cfg_ctx *ctx, const config_setting_t *l, char ***v, size_t *n,
    cfg_string_check *check);

#endif
