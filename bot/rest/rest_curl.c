/*
 * rest_curl: libcurl's multi interface on the daemon's uv loop, for rest.c.
 * Curl says which sockets to watch (CURLMOPT_SOCKETFUNCTION): each gets a
 * uv_poll_t; curl's one timeout (CURLMOPT_TIMERFUNCTION) is a uv_timer_t;
 * both hand what happened to curl_multi_socket_action() and then collect
 * the finished transfers (curl_multi_info_read()) for rest.c's done().  No
 * blocking call anywhere.  An easy handle is set up afresh for every
 * attempt, from a small pool of idle ones, so connections are reused.
 *
 * Kept apart from rest.c, which decides what goes when and what an answer
 * means, because this is the other idea: how a request gets on the wire.
 */
#include "bot/rest/rest_curl.h"
#include "bot/lib/log.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REST_USER_AGENT "DiscordBot (https://example.org/dutybot, 0.1) dutybot"
#define REST_MAX_HOST_CONNECTIONS 4
#define REST_TIMEOUT_MS 20000
#define REST_CONNECT_TIMEOUT_MS 10000
#define REST_BODY_MAX (8u << 20)
#define REST_IDLE_EASY 8        /* easy handles kept for reuse */

struct sock {
	uv_poll_t poll;
	struct sock *prev, *next;
	struct rest_curl *c;
	curl_socket_t fd;
};

struct rest_curl {
	uv_loop_t *loop;
	const char *name;
	bool tls_verify;
	CURLM *multi;
	uv_timer_t timer;
	rest_curl_done_fn *done;
	void (*closed)(void *arg);
	void *arg;
	CURL *idle[REST_IDLE_EASY];
	unsigned n_idle;
	struct sock *socks;
	unsigned handles;               /* uv handles not closed yet */
	bool closing;
};

/* ---- curl callbacks of one transfer ---- */

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	size_t len = size * n;

	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		char *p;
		while (cap < b->len + len + 1)
			cap *= 2;
		if (cap > REST_BODY_MAX || (p = realloc(b->p, cap)) == NULL)
			return 0;       /* CURLE_WRITE_ERROR: the answer is not retried */
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
	return len;
}


/* ---- starting a transfer ---- */

static CURL *easy_take(struct rest_curl *c)
{
	return c->n_idle > 0 ? c->idle[--c->n_idle] : curl_easy_init();
}

/* Reset as it goes idle: it must not keep pointers into a freed request
 * (error buffer, private, write data). */
static void easy_release(struct rest_curl *c, struct transfer *t)
{
	if (t->easy == NULL)
		return;
	if (c->n_idle < REST_IDLE_EASY && !c->closing) {
		curl_easy_reset(t->easy);
		c->idle[c->n_idle++] = t->easy;
	} else {
		curl_easy_cleanup(t->easy);
	}
	t->easy = NULL;
}

static int set_method(CURL *e, const struct transfer *t)
{
	bool has_body = t->body != NULL || strcmp(t->method, "POST") == 0 ||
	                strcmp(t->method, "PUT") == 0 || strcmp(t->method, "PATCH") == 0;
	CURLcode rc = CURLE_OK;

	if (strcmp(t->method, "GET") == 0 && t->body == NULL)
		return curl_easy_setopt(e, CURLOPT_HTTPGET, 1L) == CURLE_OK ? 0 : -1;
	if (has_body) {
		/* a body-less PUT still says Content-Length: 0 (Discord wants it) */
		rc |= curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)t->body_len);
		rc |= curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->body ? t->body : "");
	}
	if (strcmp(t->method, "POST") != 0)
		rc |= curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, t->method);
	return rc == CURLE_OK ? 0 : -1;
}

static int easy_setup(struct rest_curl *c, struct transfer *t)
{
	CURL *e = t->easy;
	CURLcode rc = CURLE_OK;

	rc |= curl_easy_setopt(e, CURLOPT_URL, t->url);
	rc |= curl_easy_setopt(e, CURLOPT_PRIVATE, t);
	rc |= curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
	rc |= curl_easy_setopt(e, CURLOPT_USERAGENT, REST_USER_AGENT);
	rc |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	rc |= curl_easy_setopt(e, CURLOPT_WRITEDATA, &t->resp);
	rc |= curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, rest_limits_on_header);
	rc |= curl_easy_setopt(e, CURLOPT_HEADERDATA, &t->hdr);
	rc |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
	rc |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	rc |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)REST_TIMEOUT_MS);
	rc |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)REST_CONNECT_TIMEOUT_MS);
	rc |= curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	rc |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, c->tls_verify ? 1L : 0L);
	rc |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, c->tls_verify ? 2L : 0L);
	/* h2 where TLS offers it: one connection multiplexes; http:// stays 1.1 */
	rc |= curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	if (rc != CURLE_OK)
		return -1;
	return set_method(e, t);
}

int rest_curl_start(struct rest_curl *c, struct transfer *t)
{
	t->errbuf[0] = '\0';
	t->resp.len = 0;
	if (t->resp.p != NULL)
		t->resp.p[0] = '\0';
	memset(&t->hdr, 0, sizeof(t->hdr));
	if ((t->easy = easy_take(c)) == NULL || easy_setup(c, t) != 0 ||
	    curl_multi_add_handle(c->multi, t->easy) != CURLM_OK) {
		if (t->easy != NULL)
			curl_easy_cleanup(t->easy);
		t->easy = NULL;
		return -1;
	}
	return 0;
}

struct curl_slist *rest_curl_headers(const char *auth, bool json)
{
	struct curl_slist *h = NULL, *n;
	char *line = NULL;

	if (auth != NULL && *auth != '\0') {
		size_t len = strlen("Authorization: ") + strlen(auth) + 1;
		if ((line = malloc(len)) == NULL)
			return NULL;
		snprintf(line, len, "Authorization: %s", auth);
		h = curl_slist_append(h, line);
		free(line);
		if (h == NULL)
			return NULL;
	}
	/* no "Expect: 100-continue" round trip; no form type on an empty POST */
	if ((n = curl_slist_append(h, "Expect:")) == NULL ||
	    (n = curl_slist_append(n, json ? "Content-Type: application/json" : "Content-Type:")) == NULL) {
		curl_slist_free_all(h);
		return NULL;
	}
	return n;
}

/* ---- a transfer is over ---- */

static void check_done(struct rest_curl *c)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(c->multi, &left)) != NULL) {
		CURLcode rc = m->data.result;   /* M is gone once the handle is removed */
		char *p = NULL;
		struct transfer *t;
		long status = 0;
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &p);
		t = (struct transfer *)p;
		if (rc == CURLE_OK)
			curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
		curl_multi_remove_handle(c->multi, t->easy);
		easy_release(c, t);
		c->done(c->arg, t, status, rc);
	}
}

/* ---- curl on libuv ---- */

static void on_handle_closed(uv_handle_t *h);

static void on_poll(uv_poll_t *h, int status, int events)
{
	struct sock *s = h->data;
	int flags = 0, running;

	if (status < 0)
		flags = CURL_CSELECT_ERR;
	if (events & UV_READABLE)
		flags |= CURL_CSELECT_IN;
	if (events & UV_WRITABLE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(s->c->multi, s->fd, flags, &running);
	check_done(s->c);
}

static void sock_close(struct rest_curl *c, struct sock *s)
{
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		c->socks = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	uv_poll_stop(&s->poll);
	uv_close((uv_handle_t *)&s->poll, on_handle_closed);
}

static struct sock *sock_new(struct rest_curl *c, curl_socket_t fd)
{
	struct sock *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	if (uv_poll_init_socket(c->loop, &s->poll, fd) != 0) {
		free(s);
		return NULL;
	}
	s->poll.data = s;
	s->c = c;
	s->fd = fd;
	s->next = c->socks;
	if (s->next != NULL)
		s->next->prev = s;
	c->socks = s;
	c->handles++;
	return s;
}

/* Curl says which of its sockets to watch for what (CURLMOPT_SOCKETFUNCTION). */
static int on_curl_socket(CURL *e, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct rest_curl *c = userp;
	struct sock *s = socketp;
	int events = 0;

	if (what == CURL_POLL_REMOVE) {
		if (s != NULL)
			sock_close(c, s);
		return 0;
	}
	if (s == NULL) {
		if ((s = sock_new(c, fd)) == NULL) {
			log_warnx("rest %s: cannot watch a socket", c->name);
			return -1;
		}
		curl_multi_assign(c->multi, fd, s);
	}
	if (what & CURL_POLL_IN)
		events |= UV_READABLE;
	if (what & CURL_POLL_OUT)
		events |= UV_WRITABLE;
	uv_poll_start(&s->poll, events, on_poll);
	return 0;
}

static void on_curl_timeout(uv_timer_t *t)
{
	struct rest_curl *c = t->data;
	int running;

	curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(c);
}

/* Curl's one timeout (CURLMOPT_TIMERFUNCTION); 0 means "soon", not "now". */
static int on_curl_timer(CURLM *m, long timeout_ms, void *userp)
{
	struct rest_curl *c = userp;

	if (c->closing)
		return 0;
	if (timeout_ms < 0)
		uv_timer_stop(&c->timer);
	else
		uv_timer_start(&c->timer, on_curl_timeout, (uint64_t)timeout_ms, 0);
	return 0;
}

/* ---- the multi ---- */

struct rest_curl *rest_curl_new(uv_loop_t *loop, const char *name, bool tls_verify,
                                rest_curl_done_fn *done, void *arg)
{
	struct rest_curl *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	if (curl_lib_load() != 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		free(c);
		return NULL;
	}
	if ((c->multi = curl_multi_init()) == NULL) {
		free(c);
		curl_global_cleanup();
		return NULL;
	}
	c->loop = loop;
	c->name = name;
	c->tls_verify = tls_verify;
	c->done = done;
	c->arg = arg;
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
	curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)REST_MAX_HOST_CONNECTIONS);
	curl_multi_setopt(c->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	uv_timer_init(loop, &c->timer);
	c->timer.data = c;
	c->handles = 1;
	return c;
}

void rest_curl_stop(struct rest_curl *c)
{
	c->closing = true;
	uv_timer_stop(&c->timer);
}

void rest_curl_cancel(struct rest_curl *c, struct transfer *t)
{
	curl_multi_remove_handle(c->multi, t->easy);
	easy_release(c, t);
}

static void on_handle_closed(uv_handle_t *h)
{
	struct rest_curl *c;
	void (*closed)(void *arg);
	void *arg;

	if (h->type == UV_POLL) {
		struct sock *s = h->data;
		c = s->c;
		free(s);
	} else {
		c = h->data;
	}
	if (--c->handles != 0 || !c->closing)
		return;
	closed = c->closed;
	arg = c->arg;
	free(c);
	curl_global_cleanup();
	closed(arg);
}

void rest_curl_free(struct rest_curl *c, void (*closed)(void *arg))
{
	c->closed = closed;
	while (c->n_idle > 0)
		curl_easy_cleanup(c->idle[--c->n_idle]);
	curl_multi_cleanup(c->multi);   /* may still tell on_curl_socket to let go */
	c->multi = NULL;
	while (c->socks != NULL)
		sock_close(c, c->socks);
	uv_close((uv_handle_t *)&c->timer, on_handle_closed);
}
