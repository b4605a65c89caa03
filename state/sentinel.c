/*
 * sentinel: one question at a time, one subscription.
 *
 * Asking: connect to sentinel I, AUTH if set, SENTINEL get-master-addr-by-name;
 * an address answer ends the round (found()), anything else (refused, timed
 * out, an error, "no such master", a name instead of an address) moves on to
 * sentinel I+1; after the last, found(NULL).  A context is forgotten by
 * setting its data to NULL before it is freed, so its late callbacks are
 * ignored, as in state/redis.c.
 *
 * Subscribing: one connection to a sentinel with SUBSCRIBE +switch-master;
 * when it fails the next sentinel is tried after a second.  Every sentinel
 * publishes +switch-master, so any one of them will do.
 */
#include "state/sentinel.h"
#include "state/redis_uv.h"
#include "bot/lib/log.h"

#include <arpa/inet.h>
#include <hiredis/async.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SENTINEL_RESUBSCRIBE_MS 1000

struct sentinel {
	uv_loop_t *loop;
	char **hosts;
	int *ports;
	size_t n;
	char *master_name;
	char *password;
	int64_t timeout_ms;
	sentinel_found_cb *found, *switched;
	void *arg;

	redisAsyncContext *ask_ac;
	size_t ask_idx;
	bool asking;
	int failed_rounds;          /* in a row: the first one's problems are logged, later ones debug */
	uv_timer_t ask_timer;       /* the sentinel asked takes too long */

	redisAsyncContext *sub_ac;
	size_t sub_idx;
	bool sub_ready;             /* subscribed */
	int sub_failures;           /* in a row: only the first is logged */
	uv_timer_t sub_timer;       /* until subscribed, then the pause before the next sentinel */

	bool closing;
	int open_handles;
	void (*closed)(void *);
	void *closed_arg;
};

static void ask_next(struct sentinel *s);
static void sub_connect(struct sentinel *s);
static void on_sub_retry_timer(uv_timer_t *t);

/* A context for sentinel I, attached to the loop; NULL (logged) on failure. */
static redisAsyncContext *open_ctx(struct sentinel *s, size_t i, const char *what)
{
	redisAsyncContext *ac = redisAsyncConnect(s->hosts[i], s->ports[i]);

	if (ac == NULL || ac->err) {
		log_warnx("redis sentinel %s:%d (%s): %s", s->hosts[i], s->ports[i], what,
		    ac ? ac->errstr : "out of memory");
		if (ac != NULL)
			redisAsyncFree(ac);
		return NULL;
	}
	if (redis_uv_attach(ac, s->loop) != 0) {
		redisAsyncFree(ac);
		return NULL;
	}
	ac->data = s;
	return ac;
}

/* Forget AC: no callback of ours acts on it any more. */
static void forget(redisAsyncContext *ac)
{
	ac->data = NULL;
	redisAsyncFree(ac);     /* deferred by hiredis when inside one of its callbacks */
}

/* ---- asking ---- */

static void ask_failed(struct sentinel *s, const char *why)
{
	redisAsyncContext *ac = s->ask_ac;

	if (s->failed_rounds == 0)
		log_warnx("redis sentinel %s:%d: %s", s->hosts[s->ask_idx], s->ports[s->ask_idx], why);
	else
		log_debug("redis sentinel %s:%d: %s", s->hosts[s->ask_idx], s->ports[s->ask_idx], why);
	uv_timer_stop(&s->ask_timer);
	s->ask_ac = NULL;
	if (ac != NULL)
		forget(ac);
	s->ask_idx++;
	ask_next(s);
}

static bool is_address(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

static void on_master_addr(redisAsyncContext *ac, void *r, void *privdata)
{
	struct sentinel *s = ac->data;
	redisReply *reply = r;
	char host[64];
	long port;
	char *end;

	(void)privdata;
	if (s == NULL || s->ask_ac != ac || reply == NULL)
		return;         /* forgotten, or the connection went: on_ask_disconnect moves on */
	if (reply->type == REDIS_REPLY_ERROR) {
		ask_failed(s, reply->str);
		return;
	}
	if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
	    reply->element[0]->type != REDIS_REPLY_STRING || reply->element[1]->type != REDIS_REPLY_STRING) {
		char why[160];
		snprintf(why, sizeof(why), "does not know a master named \"%s\"", s->master_name);
		ask_failed(s, why);
		return;
	}
	snprintf(host, sizeof(host), "%s", reply->element[0]->str);
	port = strtol(reply->element[1]->str, &end, 10);
	if (!is_address(host) || *end != '\0' || port < 1 || port > 65535) {
		/* a name would have to be resolved, which blocks the loop */
		ask_failed(s, "names the master by something other than an IP address and port");
		return;
	}
	uv_timer_stop(&s->ask_timer);
	s->ask_ac = NULL;
	s->asking = false;
	s->failed_rounds = 0;
	forget(ac);
	log_debug("redis sentinel %s:%d: master %s is %s:%ld", s->hosts[s->ask_idx], s->ports[s->ask_idx],
	    s->master_name, host, port);
	s->found(s->arg, host, (int)port);
}

/* A refused password, said as the sentinel says it (the next command's NOAUTH would hide why). */
static void on_ask_auth(redisAsyncContext *ac, void *r, void *privdata)
{
	struct sentinel *s = ac->data;
	redisReply *reply = r;

	(void)privdata;
	if (s != NULL && s->ask_ac == ac && reply != NULL && reply->type == REDIS_REPLY_ERROR)
		ask_failed(s, reply->str);
}

static void on_ask_connect(const redisAsyncContext *ac, int status)
{
	struct sentinel *s = ac->data;

	if (s == NULL || s->ask_ac != ac)
		return;
	if (status != REDIS_OK) {
		s->ask_ac = NULL;       /* hiredis frees it after this callback */
		ask_failed(s, ac->errstr);
		return;
	}
	if (s->password != NULL)
		redisAsyncCommand(s->ask_ac, on_ask_auth, NULL, "AUTH %s", s->password);
	redisAsyncCommand(s->ask_ac, on_master_addr, NULL, "SENTINEL get-master-addr-by-name %s", s->master_name);
}

static void on_ask_disconnect(const redisAsyncContext *ac, int status)
{
	struct sentinel *s = ac->data;

	(void)status;
	if (s == NULL || s->ask_ac != ac)
		return;
	s->ask_ac = NULL;       /* being freed by hiredis */
	ask_failed(s, "closed the connection before answering");
}

static void on_ask_timer(uv_timer_t *t)
{
	struct sentinel *s = t->data;

	if (s->ask_ac != NULL)
		ask_failed(s, "no answer in time");
}

static void ask_next(struct sentinel *s)
{
	while (s->ask_idx < s->n) {
		redisAsyncContext *ac = open_ctx(s, s->ask_idx, "asking for the master");

		if (ac != NULL) {
			redisAsyncSetConnectCallback(ac, on_ask_connect);
			redisAsyncSetDisconnectCallback(ac, on_ask_disconnect);
			s->ask_ac = ac;
			uv_timer_start(&s->ask_timer, on_ask_timer, (uint64_t)s->timeout_ms, 0);
			return;
		}
		s->ask_idx++;
	}
	s->asking = false;
	s->failed_rounds++;
	s->found(s->arg, NULL, 0);
}

void sentinel_ask(struct sentinel *s)
{
	sentinel_cancel(s);
	if (s->closing)
		return;
	s->asking = true;
	s->ask_idx = 0;
	ask_next(s);
}

void sentinel_cancel(struct sentinel *s)
{
	redisAsyncContext *ac = s->ask_ac;

	uv_timer_stop(&s->ask_timer);
	s->ask_ac = NULL;
	s->asking = false;
	if (ac != NULL)
		forget(ac);
}

/* ---- the +switch-master subscription ---- */

static void sub_retry(struct sentinel *s, const char *why)
{
	if (s->closing)
		return;
	if (s->sub_failures++ == 0)
		log_warnx("redis sentinel %s:%d: cannot watch for failovers: %s; trying the next sentinel",
		    s->hosts[s->sub_idx], s->ports[s->sub_idx], why);
	s->sub_idx = (s->sub_idx + 1) % s->n;
	s->sub_ready = false;
	uv_timer_start(&s->sub_timer, on_sub_retry_timer, SENTINEL_RESUBSCRIBE_MS, 0);
}

static void on_sub_retry_timer(uv_timer_t *t)
{
	sub_connect(t->data);
}

static void on_switch(redisAsyncContext *ac, void *r, void *privdata)
{
	struct sentinel *s = ac->data;
	redisReply *reply = r;
	char name[128], old_host[64], old_port[8], host[64];
	int port;

	(void)privdata;
	if (s == NULL || s->sub_ac != ac || reply == NULL)
		return;
	if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3 || reply->element[0]->type != REDIS_REPLY_STRING)
		return;
	if (strcmp(reply->element[0]->str, "subscribe") == 0) {
		if (!s->sub_ready)
			log_info("redis sentinel %s:%d: watching for failovers", s->hosts[s->sub_idx], s->ports[s->sub_idx]);
		uv_timer_stop(&s->sub_timer);
		s->sub_ready = true;
		s->sub_failures = 0;
		return;
	}
	if (strcmp(reply->element[0]->str, "message") != 0 || reply->element[2]->type != REDIS_REPLY_STRING)
		return;
	/* "<master name> <old ip> <old port> <new ip> <new port>" */
	if (sscanf(reply->element[2]->str, "%127s %63s %7s %63s %d", name, old_host, old_port, host, &port) != 5 ||
	    strcmp(name, s->master_name) != 0)
		return;
	if (!is_address(host) || port < 1 || port > 65535) {
		log_warnx("redis sentinel: +switch-master names %s:%d, not an address: asking instead", host, port);
		s->switched(s->arg, NULL, 0);
		return;
	}
	log_info("redis sentinel: failover of %s: %s:%s -> %s:%d", name, old_host, old_port, host, port);
	s->switched(s->arg, host, port);
}

/* hiredis drops an error reply to SUBSCRIBE (no callback): a refused AUTH is caught here. */
static void on_sub_auth(redisAsyncContext *ac, void *r, void *privdata)
{
	struct sentinel *s = ac->data;
	redisReply *reply = r;

	(void)privdata;
	if (s == NULL || s->sub_ac != ac || reply == NULL || reply->type != REDIS_REPLY_ERROR)
		return;
	uv_timer_stop(&s->sub_timer);
	s->sub_ac = NULL;
	forget(ac);
	sub_retry(s, reply->str);
}

static void on_sub_connect(const redisAsyncContext *ac, int status)
{
	struct sentinel *s = ac->data;

	if (s == NULL || s->sub_ac != ac)
		return;
	if (status != REDIS_OK) {
		uv_timer_stop(&s->sub_timer);
		s->sub_ac = NULL;
		sub_retry(s, ac->errstr);
		return;
	}
	/* the timer runs on until the subscription is confirmed */
	if (s->password != NULL)
		redisAsyncCommand(s->sub_ac, on_sub_auth, NULL, "AUTH %s", s->password);
	redisAsyncCommand(s->sub_ac, on_switch, NULL, "SUBSCRIBE +switch-master");
}

static void on_sub_disconnect(const redisAsyncContext *ac, int status)
{
	struct sentinel *s = ac->data;

	(void)status;
	if (s == NULL || s->sub_ac != ac)
		return;
	s->sub_ac = NULL;
	uv_timer_stop(&s->sub_timer);
	sub_retry(s, s->sub_ready ? "the connection was lost" : "closed before subscribing");
}

static void on_sub_timeout(uv_timer_t *t)
{
	struct sentinel *s = t->data;
	redisAsyncContext *ac = s->sub_ac;

	s->sub_ac = NULL;
	if (ac != NULL)
		forget(ac);
	sub_retry(s, "no subscription in time");
}

static void sub_connect(struct sentinel *s)
{
	redisAsyncContext *ac;

	if (s->closing)
		return;
	if ((ac = open_ctx(s, s->sub_idx, "watching for failovers")) == NULL) {
		sub_retry(s, "cannot open a connection");
		return;
	}
	redisAsyncSetConnectCallback(ac, on_sub_connect);
	redisAsyncSetDisconnectCallback(ac, on_sub_disconnect);
	s->sub_ac = ac;
	uv_timer_start(&s->sub_timer, on_sub_timeout, (uint64_t)s->timeout_ms, 0);
}

void sentinel_start(struct sentinel *s)
{
	sub_connect(s);
}

/* ---- life cycle ---- */

struct sentinel *sentinel_new(uv_loop_t *loop, const struct sentinel_options *opt,
                              sentinel_found_cb *found, sentinel_found_cb *switched, void *arg)
{
	struct sentinel *s = calloc(1, sizeof(*s));

	if (s == NULL || opt->n == 0)
		goto fail;
	s->loop = loop;
	s->n = opt->n;
	s->hosts = calloc(opt->n, sizeof(char *));
	s->ports = calloc(opt->n, sizeof(int));
	s->master_name = strdup(opt->master_name);
	s->password = opt->password ? strdup(opt->password) : NULL;
	if (s->hosts == NULL || s->ports == NULL || s->master_name == NULL ||
	    (opt->password != NULL && s->password == NULL))
		goto fail;
	for (size_t i = 0; i < opt->n; i++) {
		if ((s->hosts[i] = strdup(opt->hosts[i])) == NULL)
			goto fail;
		s->ports[i] = opt->ports[i];
	}
	s->timeout_ms = opt->timeout_ms > 0 ? opt->timeout_ms : 2000;
	s->found = found;
	s->switched = switched;
	s->arg = arg;
	uv_timer_init(loop, &s->ask_timer);
	uv_timer_init(loop, &s->sub_timer);
	s->ask_timer.data = s->sub_timer.data = s;
	return s;
fail:
	sentinel_free(s);
	return NULL;
}

static void on_timer_closed(uv_handle_t *h)
{
	struct sentinel *s = h->data;

	if (--s->open_handles == 0 && s->closed != NULL)
		s->closed(s->closed_arg);
}

void sentinel_close(struct sentinel *s, void (*done)(void *arg), void *arg)
{
	redisAsyncContext *ac = s->sub_ac;

	s->closing = true;
	s->closed = done;
	s->closed_arg = arg;
	sentinel_cancel(s);
	s->sub_ac = NULL;
	if (ac != NULL)
		forget(ac);
	s->open_handles = 2;
	uv_close((uv_handle_t *)&s->ask_timer, on_timer_closed);
	uv_close((uv_handle_t *)&s->sub_timer, on_timer_closed);
}

void sentinel_free(struct sentinel *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; s->hosts != NULL && i < s->n; i++)
		free(s->hosts[i]);
	free(s->hosts);
	free(s->ports);
	free(s->master_name);
	free(s->password);
	free(s);
}
