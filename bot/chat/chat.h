/*
 * chat: what a handler sees and may do.  A request is one accepted command:
 * who sent it (resolved to a staff record or a chat friend), where, and the
 * parsed words.  A handler answers with reply()/refuse() (texts from the
 * catalog in the caller's language), makes at most one state call, and ends
 * with request_done().  Handlers never see a platform's frames.
 */
#ifndef DUTYBOT_CHAT_H
#define DUTYBOT_CHAT_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "bot/i18n/catalog.h"
#include "bot/chat/parse.h"
#include "bot/platform/outbox.h"
#include "bot/durable/timers.h"

struct dutybot;
struct conn;
struct request;
struct state;
struct command;

#define PERSON_ID_MAX 40
#define PERSON_NAME_MAX 128

struct person {
	char id[PERSON_ID_MAX];         /* staff id; "" for a chat friend */
	char name[PERSON_NAME_MAX];     /* full name (staff) or display name (friend) */
	enum role role;
	enum level level;
	char lang[4];
	char identity[200];             /* "<connection>:<platform user id>" */
};

enum result { RESULT_OK, RESULT_REFUSED, RESULT_USAGE, RESULT_ERROR, RESULT_UNAVAILABLE, RESULT_MAX };

/* The daemon's side of every request (bot/request_host.c has the one there
 * is): where a request's answers go, what its end does (count the result,
 * wake the engines after a write, give the request back), and what a handler
 * may read of the daemon.  The chat API below calls it; handlers never do. */
struct chat_host {
	void (*queue)(struct request *req, enum out_kind kind, const char *target, const char *text,
	    const char *origin_room, const char *origin_user);
	void (*end)(struct request *req);
	const struct config *(*config)(const struct request *req);
	struct state *(*state)(const struct request *req);
	struct timers *(*timers)(const struct request *req);
};

/* One allocation: the struct, then room, user_id, msg_id, click and text
 * (bot/dispatch.c); only click_answer and text_rewritten have their own. */
struct request {
	const struct chat_host *host;   /* the daemon's side (below); never a handler's business */
	struct dutybot *bot;            /* the daemon's, opaque to this layer and the handlers */
	struct conn *conn;              /* where it came from; outlives every request (freed after Redis closed) */
	char *room;                     /* NULL when it came privately */
	char *user_id;                  /* platform user id of the caller */
	char *msg_id;                   /* platform message id, may be NULL */
	char *text;                     /* the line without prefix, trimmed */
	char *text_rewritten;           /* text when mentions rewrote it (own allocation), else NULL */
	bool pooled;                    /* of the ordinary size, reusable (bot/request_pool.c) */
	char *click;                    /* a button click's handle (chat_event.click), else NULL */
	char *click_answer;             /* what a click's command answered, for click_done */
	int64_t received_ms;
	const struct command *command;
	struct person caller;
	enum result result;
	bool guarded;                   /* the abuse guard let it through already (bot/dispatch.c) */
	bool guard_dropped;             /* ...or dropped it: only the notice waits for the caller's language */
	bool private_answer;            /* its command is CMD_PRIVATE: every reply goes to the caller privately */
	bool private_told;              /* the room was told the answer went privately */
	bool unprefixed;                /* a private line without the command prefix */
	char data_person[64];           /* what a handler keeps across its state call (an id, a date...) */
	char data_when[64];             /* ...a time or a second id, */
	int data_word;                  /* ...a word index */
	struct parsed cmd;
};

/* "Mia Keller [CCS]": every name the bot prints carries the level shortcode.
 * The one place it is formatted in C (state/scripts/_1lib.lua's staff_name()
 * is the one in Lua); LEVEL "" or NULL: the name alone. */
const char *display_name(const char *name, const char *level, char *buf, size_t n);
const char *person_display(const struct person *p, char *buf, size_t n);
/* Catalog name of a role in LANG. */
const char *role_display(enum role r, const char *lang);

/* Answer where the command came from (room or private). */
#define reply(req, id, ...) \
	reply_kv((req), (id), (const char *const[]){ NULL, ##__VA_ARGS__ } + 1, \
	    sizeof((const char *const[]){ NULL, ##__VA_ARGS__ }) / sizeof(char *) - 1)
/* Answer privately, whatever the origin. */
#define reply_private(req, id, ...) \
	reply_private_kv((req), (id), (const char *const[]){ NULL, ##__VA_ARGS__ } + 1, \
	    sizeof((const char *const[]){ NULL, ##__VA_ARGS__ }) / sizeof(char *) - 1)
/* Answer and mark the request refused (permission, validation, conflict). */
#define refuse(req, id, ...) \
	refuse_kv((req), (id), (const char *const[]){ NULL, ##__VA_ARGS__ } + 1, \
	    sizeof((const char *const[]){ NULL, ##__VA_ARGS__ }) / sizeof(char *) - 1)

void reply_kv(struct request *req, enum msg_id id, const char *const *kv, size_t nkv);
void reply_private_kv(struct request *req, enum msg_id id, const char *const *kv, size_t nkv);
void refuse_kv(struct request *req, enum msg_id id, const char *const *kv, size_t nkv);
void reply_text(struct request *req, const char *text);
void reply_private_text(struct request *req, const char *text);
/* The usage line of the request's command, marked RESULT_USAGE. */
void reply_usage(struct request *req);
/* A failed state call: "store unavailable" or an internal error, marked so. */
void reply_state_error(struct request *req, const char *err);
/* Formats ID in the caller's language into BUF (for building lists). */
const char *request_msg(const struct request *req, char *buf, size_t n, enum msg_id id, const char *const *kv, size_t nkv);
/* BUF must be an array (its size is taken): a pointer fails to compile. */
#define MSG(req, buf, id, ...) \
	request_msg((req), (buf), sizeof(buf) + 0 * sizeof(struct { \
	    _Static_assert(!__builtin_types_compatible_p(__typeof__(buf), __typeof__(&(buf)[0])), \
	        "MSG needs an array"); int dummy; }), (id), (const char *const[]){ NULL, ##__VA_ARGS__ } + 1, \
	    sizeof((const char *const[]){ NULL, ##__VA_ARGS__ }) / sizeof(char *) - 1)

/* The same into a buffer of N bytes. */
#define MSGN(req, buf, n, id, ...) \
	request_msg((req), (buf), (n), (id), (const char *const[]){ NULL, ##__VA_ARGS__ } + 1, \
	    sizeof((const char *const[]){ NULL, ##__VA_ARGS__ }) / sizeof(char *) - 1)

/* Ends the request: counts its result and frees it.  Exactly once. */
void request_done(struct request *req);

/* The daemon's current config (valid until the handler returns). */
const struct config *request_config(const struct request *req);
/* The state store of the daemon. */
struct state *request_state(const struct request *req);
/* Was it typed in the connection's channel K (ops, alerts...)? */
bool request_in_channel(const struct request *req, enum channel_kind k);
/* The name of the connection it came from ("site", "discord-ops"...). */
const char *request_conn_name(const struct request *req);
/* Current time (the daemon's one clock). */
int64_t request_now(const struct request *req);
/* What a timer kind gets, for work a handler starts in the background (it
 * may outlive the request): timers_run() logs it and wakes up after it. */
struct timer_ctx request_timer_ctx(const struct request *req);

#endif
