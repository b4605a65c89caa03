/*
 * site_server: the server side of the site protocol (shared/PROTOCOL-site.md,
 * "dutybot.site.v1") on an lws context that runs on the caller's libuv loop.
 * It owns the site's state: message ids, the message history, sessions and
 * the connected bot(s).  What is typed at the demo's prompt comes in through
 * site_post() and the misbehaviour knobs below; what the bot does goes out
 * through the report.
 *
 * Ordering: every frame, close and drop for a connection goes through that
 * connection's queue, so "mia> hi" followed by "/close 4008 1500" delivers
 * the message and then closes, as typed.
 */
#ifndef DEMO_SITE_SERVER_H
#define DEMO_SITE_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

struct people;
struct person;
struct report;

struct site_options {
	const char *host;       /* IPv4 literal to listen on */
	int port;
	const char *path;       /* the only path a handshake may ask for */
	const char *token;      /* the one accepted token, until site_set_tokens() */
	int heartbeat_ms;       /* sent in hello */
	int max_rate;           /* actions per second per connection */
	unsigned long long first_id;    /* the first message gets m-<first_id> (default 1) */
};

struct site_server;

/*
 * Listen as OPT says on LOOP.  PEOPLE and REPORT are borrowed for the
 * server's lifetime.  NULL on failure, with *ERR a malloc'd reason.
 */
struct site_server *site_server_new(uv_loop_t *loop, const struct site_options *opt,
				    struct people *people, struct report *report, char **err);

/* The port really listened on. */
int site_server_port(const struct site_server *srv);

/*
 * Shutdown, phase 1, from a uv callback: close every websocket with 1001,
 * wait (briefly) for them, then destroy the lws context inside the loop.
 * uv_run() returns once the caller's own handles are closed too.
 */
void site_server_shutdown(struct site_server *srv);

/* Phase 2, after uv_run() returned: free everything. */
void site_server_free(struct site_server *srv);

/* A chat line typed by WHO into ROOM (NULL: a private message to the bot). */
void site_post(struct site_server *srv, const struct person *who, const char *room,
	       const char *text);

/*
 * Misbehaviour, each returning the number of connections it affected (0:
 * no bot connected; the caller says so).  -1 means a bad argument.
 */
int site_drop(struct site_server *srv);
int site_close(struct site_server *srv, int code, const char *reason);
int site_reconnect(struct site_server *srv);
int site_raw(struct site_server *srv, const char *text);
int site_big(struct site_server *srv, size_t bytes, const struct person *who);
int site_dup(struct site_server *srv);
/* Frames queued between these two reach the bot in one TCP segment (/burst). */
void site_burst_begin(struct site_server *srv);
void site_burst_end(struct site_server *srv);

/* Knobs; they affect the site, connected or not. */
void site_set_acks(struct site_server *srv, bool on);
void site_set_ratelimit(struct site_server *srv, int n, int retry_ms);
void site_set_refuse(struct site_server *srv, bool on);
/* The next N actions (of TYPE: send, dm or system; NULL: any) get no answer
 * at all and are not shown (a lost frame). */
void site_set_lose(struct site_server *srv, int n, const char *type);
/* The next N actions are answered with a bad_request error without a ref
 * (as a frame the site cannot read) and are not shown. */
void site_set_garble(struct site_server *srv, int n);
void site_expire(struct site_server *srv);
/* Space-separated list of accepted tokens; -1 if empty. */
int site_set_tokens(struct site_server *srv, const char *tokens);

/*
 * The demo in a browser (site_web.c): a second vhost on the same context
 * serving the page's files from ROOT and its WebSocket on HOST:PORT.  HELLO
 * (JSON text) is the first frame a page gets; ON_LINE gets what the page
 * typed as a console line ("mia@ops> !duty").  -1 with *ERR (malloc'd) when
 * it cannot listen, or lws bound another address than HOST; the server is
 * then shut down as usual.
 */
typedef void (*site_web_line_fn)(void *arg, char *line);
struct site_web_options {
	const char *host;
	int port;
	const char *root;
	const char *hello;
	site_web_line_fn on_line;
	void *arg;
};
int site_web_start(struct site_server *srv, const struct site_web_options *opt, char **err);
/* "127.0.0.1:8081", as the page's socket is bound; NULL without --web. */
const char *site_web_address(const struct site_server *srv);
/* Hands a report event to the pages (those they show). */
struct cJSON;
void site_web_event(struct site_server *srv, const struct cJSON *ev);

/* Connections with an identified session. */
size_t site_ready_count(const struct site_server *srv);

#endif
