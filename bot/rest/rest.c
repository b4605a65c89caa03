/*
 * rest: a request is in exactly one place at a time.
 *
 *   queued     behind the request in front of it in its queue (struct rqueue);
 *   ready      a list in order of creation: the head of every queue and every
 *              request without one, waiting until its limits let it go;
 *   in flight  on a curl easy handle in the multi;
 *   finished   its answer is final; done() is called from the scheduler.
 *
 * One uv timer (sched) runs the scheduler: at once when something changed,
 * else at the earliest moment a ready request may go.  It hands the finished
 * to done() first and then starts what the limits allow, so done() is never
 * called from inside curl nor from rest_request().  A retry goes back to
 * ready, still the head of its queue, so nothing behind it can overtake it.
 *
 * The limits (buckets, route budgets, the global rate, the holds of a 429)
 * are rest_limits.c's: pump() asks it when a request may go, start() and
 * transfer_done() tell it what went out and what came back.  Curl on the uv
 * loop is rest_curl.c's: start() hands it a request's transfer, and
 * transfer_done() hears when it is over.  This file keeps the requests,
 * their queues and retries.
 */
#include "bot/rest/rest.h"
#include "bot/rest/rest_curl.h"
#include "bot/rest/rest_limits.h"
#include "bot/lib/log.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* More than the connections, so a freed connection never idles while a
 * request is ready; few enough that a transfer curl keeps pending for a
 * connection does not spend much of its timeout waiting. */
#define REST_MAX_IN_FLIGHT 16
#define REST_RATE_RETRIES 10    /* 429s after which the 429 is the answer */
#define REST_BACKOFF_MS 500
#define REST_SNIPPET 200
/* uv_now() is whole milliseconds from the start of the loop iteration: the
 * real time may be up to about a millisecond later.  Deadlines and send
 * times count from uv_now() + this, so a wait the server asked for never
 * comes out shorter. */
#define CLOCK_SLACK_MS 1

/* ---- the objects ---- */

struct rqueue {
	struct rest_table_entry e;
	struct req *head, *tail;        /* HEAD is ready, in flight or finished */
};

enum req_state { REQ_QUEUED, REQ_READY, REQ_IN_FLIGHT, REQ_FINISHED };

struct req {
	struct req *prev, *next;        /* in ready, in flight or finished */
	struct req *qnext;              /* behind it in its queue */
	struct rest *r;
	uint64_t seq;
	enum req_state state;
	struct transfer t;              /* method, url, body; the answer */
	const char *path;               /* inside URL */
	struct rest_route *route;
	struct rest_bucket *bucket;          /* the one it is in flight on */
	struct rqueue *queue;
	rest_done_fn *done;
	void *arg;
	int attempts;                   /* answered by a 5xx or a transport error */
	int rate_retries;
	uint64_t not_before;
	long status;
	const char *error;
};

struct list {
	struct req *head, *tail;
	size_t n;
};

struct rest {
	uv_loop_t *loop;
	char *name, *base_url, *auth;
	struct rest_curl *curl;
	uv_timer_t sched;
	uint64_t sched_at;              /* when sched fires; REST_NEVER when stopped */
	struct list ready, in_flight, finished;
	struct rest_limits *limits;
	struct rest_table queues;
	uint64_t next_seq;
	size_t n_reqs;
	unsigned backoff_ms;
	uint32_t rng;
	unsigned handles;               /* sched and the curl side, not closed yet */
	bool closing;
};

/* ---- lists ---- */

static void list_append(struct list *l, struct req *q)
{
	q->next = NULL;
	q->prev = l->tail;
	if (l->tail != NULL)
		l->tail->next = q;
	else
		l->head = q;
	l->tail = q;
	l->n++;
}

static void list_remove(struct list *l, struct req *q)
{
	if (q->prev != NULL)
		q->prev->next = q->next;
	else
		l->head = q->next;
	if (q->next != NULL)
		q->next->prev = q->prev;
	else
		l->tail = q->prev;
	q->prev = q->next = NULL;
	l->n--;
}

/* In creation order, so a retry goes back in front of what was made after
 * it; a new request lands at the tail at once. */
static void list_insert_ordered(struct list *l, struct req *q)
{
	struct req *after = l->tail;

	while (after != NULL && after->seq > q->seq)
		after = after->prev;
	if (after == l->tail) {
		list_append(l, q);
		return;
	}
	q->prev = after;
	q->next = after ? after->next : l->head;
	q->next->prev = q;
	if (after != NULL)
		after->next = q;
	else
		l->head = q;
	l->n++;
}

/* ---- small helpers ---- */

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static uint32_t rng_next(struct rest *r)
{
	uint32_t x = r->rng;    /* xorshift32: jitter only, keeps rand() alone */

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return r->rng = x;
}

/* 5xx / transport error number ATTEMPT (1-based): backoff_ms · 2^(attempt-1), ±25%. */
static uint64_t backoff(struct rest *r, int attempt)
{
	uint64_t base = (uint64_t)r->backoff_ms << (attempt - 1 < 16 ? attempt - 1 : 16);

	return base * 3 / 4 + (uint64_t)((double)(base / 2) * (rng_next(r) / 4294967296.0));
}

/* The path fit for a log: Discord puts a webhook's or an interaction's token
 * in the path, and tokens stay out of logs. */
static const char *loggable(const char *path, char *buf, size_t size)
{
	static const char *const secret_after[] = { "/webhooks/", "/interactions/" };

	for (size_t i = 0; i < sizeof(secret_after) / sizeof(secret_after[0]); i++) {
		size_t n = strlen(secret_after[i]);
		const char *id, *token;
		if (strncmp(path, secret_after[i], n) != 0)
			continue;
		id = path + n;
		if ((token = strchr(id, '/')) == NULL)
			return path;
		token++;
		snprintf(buf, size, "%.*s***%s", (int)(token - path), path, token + strcspn(token, "/?"));
		return buf;
	}
	return path;
}

/* ---- requests ---- */

static void req_free(struct rest *r, struct req *q)
{
	if (q->route != NULL)
		rest_limits_route_unref(q->route);
	curl_slist_free_all(q->t.headers);
	free(q->t.resp.p);
	free(q->t.method);
	free(q->t.url);
	free(q->t.body);
	free(q);
	r->n_reqs--;
}

static void sched_at(struct rest *r, uint64_t when);

static void kick(struct rest *r)
{
	sched_at(r, uv_now(r->loop));
}

static void make_ready(struct rest *r, struct req *q)
{
	q->state = REQ_READY;
	list_insert_ordered(&r->ready, q);
	kick(r);
}

static void finish(struct rest *r, struct req *q, long status, const char *error)
{
	q->status = status;
	q->error = status != 0 ? NULL : error;
	q->state = REQ_FINISHED;
	list_append(&r->finished, q);
	kick(r);
}

/* Q's answer is about to be handed out: the next in its queue may go. */
static void queue_advance(struct rest *r, struct req *q)
{
	struct rqueue *qu = q->queue;

	if (qu == NULL)
		return;
	q->queue = NULL;
	if ((qu->head = q->qnext) != NULL) {
		make_ready(r, qu->head);
		return;
	}
	rest_table_del(&r->queues, &qu->e);
	free(qu->e.key);
	free(qu);
}

static void log_snippet(struct rest *r, const struct req *q, long status)
{
	char pbuf[256];
	size_t n = q->t.resp.len < REST_SNIPPET ? q->t.resp.len : REST_SNIPPET;

	log_debug("rest %s: %s %s: %ld: %.*s%s", r->name, q->t.method, loggable(q->path, pbuf, sizeof(pbuf)),
	          status, (int)n, q->t.resp.p ? q->t.resp.p : "", q->t.resp.len > n ? "…" : "");
}

/* Hands Q's answer to its done() and frees Q.  Anything not finished when
 * this runs is being failed by rest_free(). */
static void deliver(struct rest *r, struct req *q)
{
	struct rest_response res = { 0, "", 0, "shutting down" };

	if (q->state == REQ_FINISHED) {
		list_remove(&r->finished, q);
		res.status = q->status;
		res.error = q->error;
		if (q->t.resp.p != NULL) {
			res.body = q->t.resp.p;
			res.body_len = q->t.resp.len;
		}
		if (q->status != 0 && (q->status < 200 || q->status > 299))
			log_snippet(r, q, q->status);
	}
	queue_advance(r, q);
	q->done(q->arg, &res);
	req_free(r, q);
}

/* ---- starting a transfer ---- */

static void start(struct rest *r, struct req *q, uint64_t now)
{
	list_remove(&r->ready, q);
	if (rest_curl_start(r->curl, &q->t) != 0) {
		finish(r, q, 0, "out of memory");
		return;
	}
	q->state = REQ_IN_FLIGHT;
	list_append(&r->in_flight, q);
	q->bucket = rest_limits_sent(r->limits, q->route, now + CLOCK_SLACK_MS);
}

/* ---- the scheduler ---- */

static void on_sched(uv_timer_t *t);

static void sched_at(struct rest *r, uint64_t when)
{
	uint64_t now = uv_now(r->loop);

	if (r->closing || when >= r->sched_at)
		return;
	r->sched_at = when;
	uv_timer_start(&r->sched, on_sched, when > now ? when - now : 0, 0);
}

/* When Q may go as far as its own limits go (not the global ones). */
static uint64_t ready_at(const struct req *q, uint64_t now)
{
	return max_u64(q->not_before, rest_limits_route_next(q->route, now));
}

static void pump(struct rest *r)
{
	uint64_t now = uv_now(r->loop), wake = REST_NEVER, hold = rest_limits_global_hold(r->limits);
	struct req *q, *next;

	if (now < hold) {
		sched_at(r, hold);
		return;
	}
	for (q = r->ready.head; q != NULL && r->in_flight.n < REST_MAX_IN_FLIGHT; q = next) {
		uint64_t t;
		next = q->next;
		if ((t = ready_at(q, now)) > now) {
			if (t < wake)
				wake = t;
			continue;
		}
		if ((t = rest_limits_global_next(r->limits)) > now) {
			if (t < wake)
				wake = t;
			break;
		}
		start(r, q, now);
	}
	if (wake != REST_NEVER)
		sched_at(r, wake);
}

static void on_sched(uv_timer_t *t)
{
	struct rest *r = t->data;

	r->sched_at = REST_NEVER;
	while (r->finished.head != NULL && !r->closing)
		deliver(r, r->finished.head);   /* done() may call rest_free() */
	if (!r->closing)
		pump(r);
}

/* ---- an answer ---- */


static void rate_limited(struct rest *r, struct req *q, uint64_t now)
{
	bool global;
	uint64_t ms = rest_limits_429(r->limits, q->route, &q->t.hdr, q->t.resp.p, q->t.resp.len, now, &global);
	char pbuf[256];

	q->not_before = now + ms;
	log_info("rest %s: %s %s: 429%s%s%s, retry %d in %llu ms", r->name, q->t.method,
	         loggable(q->path, pbuf, sizeof(pbuf)), global ? " global" : "",
	         q->t.hdr.scope[0] ? " scope " : "", q->t.hdr.scope, q->rate_retries, (unsigned long long)ms);
	make_ready(r, q);
}

static bool retryable(CURLcode rc)
{
	switch (rc) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_NOT_BUILT_IN:
	case CURLE_OUT_OF_MEMORY:
	case CURLE_WRITE_ERROR:         /* the body was too large: it would be again */
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_BAD_FUNCTION_ARGUMENT:
		return false;
	default:
		return true;
	}
}

/* A 5xx or a transport error: again after a backoff, or that is the answer. */
static void failed_attempt(struct rest *r, struct req *q, long status, CURLcode rc, uint64_t now)
{
	const char *why = status ? NULL : q->t.errbuf[0] ? q->t.errbuf : curl_easy_strerror(rc);
	char pbuf[256], sbuf[16];

	snprintf(sbuf, sizeof(sbuf), "%ld", status);
	if (++q->attempts < REST_MAX_ATTEMPTS && (status != 0 || retryable(rc))) {
		uint64_t ms = backoff(r, q->attempts);
		if (status != 0)        /* a 503 may say how long */
			ms = max_u64(ms, rest_limits_retry_after(&q->t.hdr));
		log_info("rest %s: %s %s: %s; attempt %d of %d in %llu ms", r->name, q->t.method,
		         loggable(q->path, pbuf, sizeof(pbuf)), why ? why : sbuf, q->attempts + 1,
		         REST_MAX_ATTEMPTS, (unsigned long long)ms);
		q->not_before = now + ms;
		make_ready(r, q);
		return;
	}
	log_warnx("rest %s: %s %s: %s, giving up after %d attempt%s", r->name, q->t.method,
	          loggable(q->path, pbuf, sizeof(pbuf)), why ? why : sbuf, q->attempts, q->attempts == 1 ? "" : "s");
	finish(r, q, status, why);
}

/* rest_curl's done(): T's attempt got STATUS, or no answer and RC. */
static void transfer_done(void *arg, struct transfer *t, long status, CURLcode rc)
{
	struct rest *r = arg;
	struct req *q = (struct req *)(void *)((char *)t - offsetof(struct req, t));
	uint64_t now = uv_now(r->loop) + CLOCK_SLACK_MS;
	char pbuf[256];

	list_remove(&r->in_flight, q);
	rest_limits_returned(r->limits, q->bucket);
	q->bucket = NULL;
	kick(r);                /* the in-flight slot and maybe the bucket are free */
	if (status != 0)
		rest_limits_learn(r->limits, q->route, &q->t.hdr, q->path, now);
	if (status == 429 && ++q->rate_retries <= REST_RATE_RETRIES) {
		rate_limited(r, q, now);
	} else if (status == 0 || (status >= 500 && status <= 599)) {
		failed_attempt(r, q, status, rc, now);
	} else {
		if ((status == 401 || status == 403) && rest_limits_warn_once(q->route)) {
			log_warnx("rest %s: %s %s: %ld %s (not retried; logged once for this route)", r->name,
			          q->t.method, loggable(q->path, pbuf, sizeof(pbuf)), status,
			          status == 401 ? "unauthorized: is the token right?" : "forbidden: missing permission?");
		}
		finish(r, q, status, NULL);
	}
}

/* ---- the API ---- */

struct rest *rest_new(uv_loop_t *loop, const char *name, const char *base_url, bool tls_verify)
{
	struct rest *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->loop = loop;
	r->backoff_ms = REST_BACKOFF_MS;
	r->sched_at = REST_NEVER;
	r->rng = (uint32_t)uv_hrtime() | 1;
	r->name = strdup(name);
	r->base_url = strdup(base_url);
	/* a slash at the end would double the one every path starts with */
	if (r->base_url != NULL && r->base_url[0] != '\0' && r->base_url[strlen(r->base_url) - 1] == '/')
		r->base_url[strlen(r->base_url) - 1] = '\0';
	if (r->name == NULL || r->base_url == NULL || (r->limits = rest_limits_new(loop)) == NULL ||
	    (r->curl = rest_curl_new(loop, r->name, tls_verify, transfer_done, r)) == NULL) {
		rest_limits_free(r->limits);
		free(r->name);
		free(r->base_url);
		free(r);
		return NULL;
	}
	uv_timer_init(loop, &r->sched);
	r->sched.data = r;
	r->handles = 2;
	return r;
}

void rest_set_auth(struct rest *r, const char *authorization)
{
	free(r->auth);
	r->auth = authorization ? strdup(authorization) : NULL;
}

void rest_global_limit(struct rest *r, int per_second)
{
	if (rest_limits_global(r->limits, per_second) != 0)
		log_warnx("rest %s: out of memory: no global limit", r->name);
}

void rest_route_limit(struct rest *r, const char *route, int per_minute)
{
	if (rest_limits_route_budget(r->limits, route, per_minute) != 0)
		log_warnx("rest %s: out of memory: no limit on %s", r->name, route);
}

void rest_set_backoff(struct rest *r, unsigned first_ms)
{
	r->backoff_ms = first_ms ? first_ms : 1;
}

static int req_fill(struct rest *r, struct req *q, const char *method, const char *path,
                    const char *auth, const char *json_body)
{
	size_t base = strlen(r->base_url), len = base + strlen(path) + 1;

	if ((q->t.method = strdup(method)) == NULL || (q->t.url = malloc(len)) == NULL)
		return -1;
	snprintf(q->t.url, len, "%s%s", r->base_url, path);
	q->path = q->t.url + base;
	if (json_body != NULL) {
		if ((q->t.body = strdup(json_body)) == NULL)
			return -1;
		q->t.body_len = strlen(json_body);
	}
	q->t.headers = rest_curl_headers(auth ? auth : r->auth, json_body != NULL);
	return q->t.headers == NULL ? -1 : 0;
}


/* Q goes behind the last of QUEUE, or is its head and ready at once. */
static int enqueue(struct rest *r, struct req *q, const char *queue)
{
	struct rqueue *qu;

	if (queue == NULL) {
		make_ready(r, q);
		return 0;
	}
	if ((qu = (struct rqueue *)rest_table_find(&r->queues, queue)) != NULL) {
		q->state = REQ_QUEUED;
		q->queue = qu;
		qu->tail->qnext = q;
		qu->tail = q;
		return 0;
	}
	if ((qu = calloc(1, sizeof(*qu))) == NULL || (qu->e.key = strdup(queue)) == NULL ||
	    rest_table_add(&r->queues, &qu->e) != 0) {
		if (qu != NULL)
			free(qu->e.key);
		free(qu);
		return -1;
	}
	qu->head = qu->tail = q;
	q->queue = qu;
	make_ready(r, q);
	return 0;
}

int rest_request(struct rest *r, const char *method, const char *path, const char *route,
                 const char *queue, const char *auth, const char *json_body,
                 rest_done_fn *done, void *arg)
{
	struct req *q;

	if (r->closing || (q = calloc(1, sizeof(*q))) == NULL)
		return -1;
	q->r = r;
	q->done = done;
	q->arg = arg;
	q->seq = ++r->next_seq;
	r->n_reqs++;
	if (req_fill(r, q, method, path, auth, json_body) != 0 ||
	    (q->route = rest_limits_route_ref(r->limits, route, method, path)) == NULL) {
		req_free(r, q);
		return -1;
	}
	if (enqueue(r, q, queue) != 0) {
		req_free(r, q);
		return -1;
	}
	return 0;
}

size_t rest_pending(const struct rest *r)
{
	return r->n_reqs;
}

static void release(struct rest *r)
{
	rest_limits_free(r->limits);
	free(r->queues.slot);
	free(r->name);
	free(r->base_url);
	free(r->auth);
	free(r);
}

/* Sched is closed (on_handle_closed()), or the curl side (rest_curl_free()). */
static void on_closed(void *arg)
{
	struct rest *r = arg;

	if (--r->handles == 0 && r->closing)
		release(r);
}

static void on_handle_closed(uv_handle_t *h)
{
	on_closed(h->data);
}

void rest_free(struct rest *r)
{
	struct req *q;

	if (r == NULL || r->closing)
		return;
	r->closing = true;
	uv_timer_stop(&r->sched);
	rest_curl_stop(r->curl);
	while ((q = r->in_flight.head) != NULL) {
		rest_curl_cancel(r->curl, &q->t);
		list_remove(&r->in_flight, q);
		rest_limits_returned(r->limits, q->bucket);
		q->bucket = NULL;
		q->state = REQ_READY;   /* failed below, in its order */
		list_insert_ordered(&r->ready, q);
	}
	/* The finished have their real answer; the rest, and whatever their
	 * queues let go after them, fail. */
	while ((q = r->finished.head) != NULL)
		deliver(r, q);
	while ((q = r->ready.head) != NULL) {
		list_remove(&r->ready, q);
		deliver(r, q);
	}
	rest_curl_free(r->curl, on_closed);
	r->curl = NULL;
	uv_close((uv_handle_t *)&r->sched, on_handle_closed);
}
