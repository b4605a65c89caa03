/*
 * config: the daemon's configuration file (libconfig syntax) read into one
 * validated, immutable struct config.  Every string is owned by the struct and
 * freed by config_free(); nothing points into libconfig's memory.  A config
 * either loads completely or not at all: config_load() collects every problem
 * as "file:line: setting: problem" so one run reports all of them.
 */
#ifndef DUTYBOT_CONFIG_H
#define DUTYBOT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum platform_type {
	PLATFORM_SITE,
	PLATFORM_DISCORD,
	PLATFORM_SLACK,
	PLATFORM_MATTERMOST,
	PLATFORM_IRC,
};

/* Ordered: a command names the lowest role that may run it. */
enum role {
	ROLE_FRIEND,
	ROLE_AGENT,
	ROLE_VICE_MINISTER,
	ROLE_MINISTER,
	ROLE_WEBMASTER,
};

/* Ordered: agents' levels, LEVEL_NONE for people who have none. */
enum level {
	LEVEL_NONE,
	LEVEL_TRN,
	LEVEL_CCS,
	LEVEL_PAM,
	LEVEL_SAM,
};

/* The named channels a connection maps to one of its rooms/channel ids. */
enum channel_kind {
	CHANNEL_OPS,
	CHANNEL_ALERTS,
	CHANNEL_TECH,
	CHANNEL_COMPLAINTS,
	CHANNEL_MAX
};

struct config_connection {
	char *name;             /* unique, [a-z0-9_-]{1,32} */
	enum platform_type type;
	char *url;              /* site, mattermost, irc: ws:// or wss:// (site/irc), http(s) (mm) */
	char *api_url;          /* discord, slack: REST base */
	char *actions_url;      /* mattermost: <http.public_url>/mattermost/actions; NULL: no buttons */
	char *token;            /* site, discord, mattermost (from token, token_file or credentials) */
	char *app_token;        /* slack */
	char *bot_token;        /* slack */
	char *nick;             /* irc */
	char *sasl_user;        /* irc, may be NULL */
	char *sasl_password;    /* irc, may be NULL (from sasl_password_file) */
	char *password;         /* irc: the server password (PASS), may be NULL (from password_file) */
	char **join;            /* irc: channels joined besides the mapped ones ("#lobby") */
	size_t n_join;
	char **channel_keys;    /* irc: "<channel> <key>", one per keyed channel */
	size_t n_channel_keys;
	char **irc_masks;       /* irc: the hostmasks of staff identities "<name>:mask:<pattern>", in config order */
	size_t n_irc_masks;
	bool tls_verify;        /* default true */
	int max_send_rate;      /* actions per second, 0 = unpaced; default 20 (site) */
	int max_in_flight;      /* site: actions sent before the first is acked; default 1 (strict order) */
	int max_pending;        /* commands in hand at which reading stops; friends turned away from half; default 256 */
	int max_queued;         /* answers waiting to go out (or in hand) at which friends are turned away; default 1000 */
	char *lang;             /* default language of people on this connection; default "en" */
	char *channel[CHANNEL_MAX]; /* NULL where not mapped */
	char *channel_lang[CHANNEL_MAX]; /* the channel's language; NULL = lang */
	int line;               /* where it was defined, for later messages */
};

struct config_staff {
	char *id;               /* [a-z0-9_.-]{1,32} */
	char *name;             /* full name */
	char *email;
	enum role role;         /* never ROLE_FRIEND */
	enum level level;       /* LEVEL_NONE unless role == ROLE_AGENT (optional for others) */
	char *lang;             /* NULL = the connection's default */
	char **identities;      /* "<connection name>:<platform user id>" */
	size_t n_identities;
	char *probation_start;  /* "YYYY-MM-DD" or NULL */
	int64_t probation_ms;   /* length of the probation, 0 = none */
	int line;
};

struct config_group {
	char *name;             /* a customer group: "vip" */
	enum level min_level;   /* the lowest level that may serve it */
};

struct config_shift {
	char *name;             /* [a-z0-9_-]{1,32} */
	int start_min;          /* minutes after local midnight, 0..1439 */
	int end_min;            /* ditto; end <= start means the shift ends the next day */
	char *standby;          /* staff id or NULL */
	/* label = { de = "Frühschicht"; ... }: the shift as each language says it */
	struct config_label { char *lang, *text; } *labels;
	size_t n_labels;
	int line;
};

struct config {
	char *path;             /* as given to config_load() */
	char *site;             /* default "cc": the Redis namespace */
	char *key_prefix;       /* default "dutybot:" */
	char *command_prefix;   /* default "!" (1..4 chars, no whitespace) */
	char *timezone;         /* default "UTC"; checked against /usr/share/zoneinfo */
	char *default_lang;     /* default "en"; a language of po/LINGUAS */
	char *log_level;        /* "debug", "info" (default), "warn" */
	char *warnings;         /* NULL, or lines ("<file> is readable by others ...\n")
	                         * the caller says; they do not fail the load */

	struct {
		char *host;             /* default "127.0.0.1" (IP literal or "localhost") */
		int port;               /* default 6379 */
		char *unix_socket;      /* NULL unless set; wins over host/port */
		int db;                 /* default 0 */
		char *password;         /* NULL unless password or password_file */
		int64_t timeout_ms;     /* connect/command timeout, default 2000 ("timeout") */
		/* Sentinel mode (instead of host/port/unix_socket): the sentinels
		 * as written, and each split into an address literal and a port */
		char **sentinels;
		char **sentinel_hosts;
		int *sentinel_ports;
		size_t n_sentinels;     /* 0: no sentinels, host/port/unix_socket is the master */
		char *master_name;      /* required with sentinels */
		char *sentinel_password; /* NULL unless sentinel_password or sentinel_password_file */
	} redis;

	struct {
		char *listen_host;      /* NULL = no HTTP endpoint ("listen = \"\"") */
		int listen_port;        /* default listen "127.0.0.1:9462" */
		char *public_url;       /* NULL, or how a chat server reaches the listener (no trailing /) */
	} http;

	struct {
		/* Per person: chat friends over theirs are dropped (told once a flood);
		 * staff over theirs wait, in order, in a queue of at most staff_queue. */
		struct config_limit {
			int per_minute;
			int burst;
		} friends, staff;          /* default 20/5 ("friend"), 120/30 ("staff") */
		int staff_queue;           /* default 200 ("staff.queue") */
		int64_t dedupe_ttl_ms;     /* default 24h ("dedupe_ttl") */
	} limits;

	struct {
		int64_t late_grace_ms;     /* default 10m */
		int64_t late_window_ms;    /* default 30d */
		int64_t leave_notice_ms;   /* default 24h */
		int64_t checkin_opens_ms;  /* default 30m */
		int64_t reminder_ms;       /* default 30m ("reminder") */
		int64_t close_before_ms;   /* default 30m: the lead is asked for the close this long before the end */
		int64_t handover_ack_ms;   /* default 30m ("handover_ack"): after the next shift's start */
		int min_weekly_hours;      /* default 30 */
	} policy;

	struct {
		int64_t ack_timeout_ms;    /* default 5m */
		int repeat;                /* default 2 */
		int pages_per_minute;      /* per person, in any minute; default 3 */
		char **chain;              /* default shift_lead, duty_minister, ministers, webmasters */
		size_t n_chain;
	} escalation;

	struct {
		char *tag;                 /* default "[System]" */
		int max_length;            /* default 500 */
		char **link_hosts;         /* default none */
		size_t n_link_hosts;
	} notify;

	struct {
		char **promotion_windows;  /* "MM-DD..MM-DD" in-cycle windows; default none */
		size_t n_promotion_windows;
		int64_t probation_apply_window_ms;  /* default 14d before the end */
		int64_t calendar_reminder_ms;       /* default 15m */
		int training_hours;                 /* an intern's training, default 40 */
		int talks;                          /* talks with the designated person, default 2 */
	} careers;

	struct {
		int64_t stuck_after_ms;    /* a step waiting longer is reported to the webmasters; default 48h */
	} approvals;

	struct {
		/* A timer fired, or a due timer or outbox entry waiting, longer
		 * after its time than this is overdue: /healthz says degraded and
		 * the alerts channel is told once; default 5m */
		int64_t overdue_after_ms;
		int64_t interval_ms;       /* how often the auditor looks; default 1m */
		char *ping_url;            /* GET each interval while all is well; NULL = none */
	} healthcheck;

	struct {
		int capacity[LEVEL_SAM + 1];  /* open complaints per agent by level; default 2 4 6 8 */
		int64_t sla_ms[4];            /* first response: urgent high normal low; 5m 15m 1h 4h */
		int per_friend_hour;          /* complaints+suggestions a friend files per hour; default 5 */
		int daily_report_min;         /* end-of-day report, minutes after midnight; -1 none; default 22:00 */
		int weights[5];               /* evaluation: attendance lateness complaints response ratings; 1 each */
	} complaints;

	struct config_group *groups;    /* default vip, xxl, storyline -> PAM */
	size_t n_groups;

	struct config_connection *connections;  /* at least one */
	size_t n_connections;
	struct config_staff *staff;
	size_t n_staff;
	struct config_shift *shifts;
	size_t n_shifts;
};

/*
 * Read and validate PATH.  On success returns the config and sets *errors to
 * NULL.  On failure returns NULL and sets *errors to a malloc'd string of one
 * problem per line ("dutybot.cfg:14: connections.[0].type: unknown platform
 * \"discrod\""); the caller frees it.
 */
struct config *config_load(const char *path, char **errors);
void config_free(struct config *cfg);

/* Lookups; NULL when absent. */
const struct config_connection *config_connection(const struct config *cfg, const char *name);
const struct config_staff *config_staff_by_id(const struct config *cfg, const char *id);
/* The staff member IDENTITY ("<connection>:<user id>") belongs to, as the
 * config says: who a caller is while the state store is down. */
const struct config_staff *config_staff_by_identity(const struct config *cfg, const char *identity);

/* "30s", "10m", "2h", "30d", "500ms" -> milliseconds; -1 on any junk. */
int64_t config_parse_duration(const char *s);

/* Names for enums ("site", "webmaster", "CCS", "ops"); parse returns -1 if unknown. */
const char *config_platform_name(enum platform_type t);
const char *config_role_name(enum role r);
const char *config_level_name(enum level l);     /* "" for LEVEL_NONE */
const char *config_channel_name(enum channel_kind c);
int config_platform_parse(const char *s);
int config_role_parse(const char *s);
int config_level_parse(const char *s);
int config_channel_parse(const char *s);
bool config_lang_valid(const char *lang);       /* en or po/LINGUAS */

#endif
