/*
 * test_rest: the REST client against a tiny HTTP/1.1 server on the same uv
 * loop (127.0.0.1, a free port).  The server answers from a script (per
 * path: status, headers, body, how many times; or hold the request, or close
 * the connection) and records every request: method, path, headers, body,
 * the TCP connection it came on and when it arrived.  Times are real
 * (uv_hrtime at the server); the waits are short so the whole runs in a few
 * seconds.  Every test ends with each request's done() called exactly once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include "bot/log.h"
#include "bot/rest.h"

#define MS 1000000ull           /* uv_hrtime is in ns */
#define BACKOFF_MS 20
#define MAX_SEEN 64
#define MAX_SCRIPT 8
#define MAX_CALLS 32

/* ---- the server ---- */

enum how { ANSWER, HOLD, CLOSE };

struct reply {
	const char *path;       /* the request path it answers */
	int status;
	const char *headers;    /* extra lines, each ending in \r\n */
	const char *body;
	int times;              /* requests it answers; -1: every one */
	enum how how;
};

struct seen {
	char method[8];
	char path[128];
	char head[2048];        /* request line and headers, CRLF-terminated */
	char body[1024];
	int conn;               /* 1, 2, … in the order accepted */
	uint64_t at;
};

struct sconn {
	uv_tcp_t tcp;
	struct server *s;
	struct sconn *next;
	int id;
	bool closing;
	size_t len;
	char buf[16384];
};

struct server {
	uv_loop_t *loop;
	uv_tcp_t tcp;
	int port;
	struct reply script[MAX_SCRIPT];
	int n_script;
	struct seen seen[MAX_SEEN];
	int n_seen;
	int accepted;
	struct sconn *conns;
};

struct write_req {
	uv_write_t w;
	char data[4096];
};

static void on_conn_closed(uv_handle_t *h)
{
	struct sconn *c = h->data, **p = &c->s->conns;

	while (*p != c)
		p = &(*p)->next;
	*p = c->next;
	free(c);
}

static void conn_close(struct sconn *c)
{
	if (!c->closing) {
		c->closing = true;
		uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
	}
}

static void on_written(uv_write_t *w, int status)
{
	free(w);
}

static const struct reply *pick(struct server *s, const char *path)
{
	for (int i = 0; i < s->n_script; i++) {
		struct reply *rp = &s->script[i];
		if (rp->times != 0 && strcmp(rp->path, path) == 0) {
			if (rp->times > 0)
				rp->times--;
			return rp;
		}
	}
	return NULL;
}

static void answer(struct sconn *c, const struct seen *sn)
{
	const struct reply *rp = pick(c->s, sn->path);
	const char *body = rp ? rp->body : "{}";
	struct write_req *w;
	uv_buf_t b;
	int n;

	if (rp != NULL && rp->how == HOLD)
		return;
	if (rp != NULL && rp->how == CLOSE) {
		conn_close(c);
		return;
	}
	w = malloc(sizeof(*w));
	assert_non_null(w);
	n = snprintf(w->data, sizeof(w->data),
	             "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n%s\r\n%s",
	             rp ? rp->status : 200, (rp ? rp->status : 200) < 300 ? "OK" : "Not OK", strlen(body),
	             rp ? rp->headers : "", body);
	assert_true(n > 0 && (size_t)n < sizeof(w->data));
	b = uv_buf_init(w->data, (unsigned)n);
	uv_write(&w->w, (uv_stream_t *)&c->tcp, &b, 1, on_written);
}

/* Takes every whole request out of C's buffer. */
static void parse(struct sconn *c)
{
	struct server *s = c->s;

	while (!c->closing) {
		char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
		struct seen *sn = &s->seen[s->n_seen];
		size_t head, clen = 0;
		const char *cl;

		if (end == NULL)
			return;
		head = (size_t)(end + 4 - c->buf);
		assert_true(s->n_seen < MAX_SEEN);
		assert_true(head < sizeof(sn->head));
		memcpy(sn->head, c->buf, head);
		sn->head[head] = '\0';
		if ((cl = strcasestr(sn->head, "\r\ncontent-length:")) != NULL)
			clen = strtoul(cl + 17, NULL, 10);
		if (c->len < head + clen)
			return;
		assert_true(clen < sizeof(sn->body));
		memcpy(sn->body, c->buf + head, clen);
		sn->body[clen] = '\0';
		assert_int_equal(sscanf(sn->head, "%7s %127s", sn->method, sn->path), 2);
		sn->conn = c->id;
		sn->at = uv_hrtime();
		s->n_seen++;
		memmove(c->buf, c->buf + head + clen, c->len - head - clen);
		c->len -= head + clen;
		answer(c, sn);
	}
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct sconn *c = h->data;

	buf->base = c->buf + c->len;
	buf->len = sizeof(c->buf) - c->len;
}

static void on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
	struct sconn *c = st->data;

	if (n < 0) {
		conn_close(c);
		return;
	}
	c->len += (size_t)n;
	parse(c);
}

static void on_connection(uv_stream_t *l, int status)
{
	struct server *s = l->data;
	struct sconn *c = calloc(1, sizeof(*c));

	assert_int_equal(status, 0);
	assert_non_null(c);
	uv_tcp_init(s->loop, &c->tcp);
	c->tcp.data = c;
	c->s = s;
	c->id = ++s->accepted;
	c->next = s->conns;
	s->conns = c;
	assert_int_equal(uv_accept(l, (uv_stream_t *)&c->tcp), 0);
	uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

static void server_start(struct server *s, uv_loop_t *loop)
{
	struct sockaddr_in a;
	int len = sizeof(a);

	s->loop = loop;
	uv_ip4_addr("127.0.0.1", 0, &a);
	assert_int_equal(uv_tcp_init(loop, &s->tcp), 0);
	s->tcp.data = s;
	assert_int_equal(uv_tcp_bind(&s->tcp, (const struct sockaddr *)&a, 0), 0);
	assert_int_equal(uv_listen((uv_stream_t *)&s->tcp, 16, on_connection), 0);
	assert_int_equal(uv_tcp_getsockname(&s->tcp, (struct sockaddr *)&a, &len), 0);
	s->port = ntohs(a.sin_port);
}

static void server_stop(struct server *s)
{
	for (struct sconn *c = s->conns; c != NULL; c = c->next)
		conn_close(c);
	uv_close((uv_handle_t *)&s->tcp, NULL);
}

static void script(struct server *s, struct reply rp)
{
	assert_true(s->n_script < MAX_SCRIPT);
	s->script[s->n_script++] = rp;
}

/* ---- the fixture ---- */

struct call {
	int calls;
	long status;
	char body[512];
	size_t body_len;
	char error[128];
	bool has_error;
	uint64_t at;
};

struct fx {
	uv_loop_t loop;
	uv_timer_t tick;
	struct server srv;
	struct rest *r;
	char base[64];
	struct call call[MAX_CALLS];
	int n_issued;
	int order[MAX_CALLS];   /* ids in the order done() was called */
	int n_done;
	int chain_left;
};

static struct fx *F;

static void record(void *arg, const struct rest_response *res)
{
	struct call *c = arg;

	c->calls++;
	c->status = res->status;
	assert_non_null(res->body);
	assert_int_equal(strlen(res->body), res->body_len);
	snprintf(c->body, sizeof(c->body), "%s", res->body);
	c->body_len = res->body_len;
	c->has_error = res->error != NULL;
	snprintf(c->error, sizeof(c->error), "%s", res->error ? res->error : "");
	if (res->status != 0)
		assert_null(res->error);
	c->at = uv_hrtime();
	assert_true(F->n_done < MAX_CALLS);
	F->order[F->n_done++] = (int)(c - F->call);
}

static void on_tick(uv_timer_t *t)
{
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	F = f;
	assert_int_equal(uv_loop_init(&f->loop), 0);
	uv_timer_init(&f->loop, &f->tick);
	uv_timer_start(&f->tick, on_tick, 2, 2);        /* so UV_RUN_ONCE always returns */
	server_start(&f->srv, &f->loop);
	snprintf(f->base, sizeof(f->base), "http://127.0.0.1:%d/api", f->srv.port);
	f->r = rest_new(&f->loop, "test", f->base, false);
	assert_non_null(f->r);
	rest_set_backoff(f->r, BACKOFF_MS);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (f->r != NULL)
		rest_free(f->r);
	for (int i = 0; i < f->n_issued; i++)
		assert_int_equal(f->call[i].calls, 1);
	server_stop(&f->srv);
	uv_close((uv_handle_t *)&f->tick, NULL);
	uv_run(&f->loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&f->loop), 0);
	for (int i = 0; i < f->n_issued; i++)
		assert_int_equal(f->call[i].calls, 1);  /* and not again while closing */
	free(f);
	F = NULL;
	return 0;
}

static void issue_with(struct fx *f, int id, rest_done_fn *done, const char *method, const char *path,
                       const char *route, const char *queue, const char *auth, const char *body)
{
	assert_true(id < MAX_CALLS);
	assert_int_equal(rest_request(f->r, method, path, route, queue, auth, body, done, &f->call[id]), 0);
	if (id >= f->n_issued)
		f->n_issued = id + 1;
}

static void issue(struct fx *f, int id, const char *method, const char *path, const char *route,
                  const char *queue, const char *auth, const char *body)
{
	issue_with(f, id, record, method, path, route, queue, auth, body);
}

static void run_ms(struct fx *f, unsigned ms)
{
	uint64_t end = uv_hrtime() + ms * MS;

	while (uv_hrtime() < end)
		uv_run(&f->loop, UV_RUN_ONCE);
}

static bool wait_done(struct fx *f, int n, unsigned ms)
{
	uint64_t end = uv_hrtime() + ms * MS;

	while (f->n_done < n && uv_hrtime() < end)
		uv_run(&f->loop, UV_RUN_ONCE);
	return f->n_done >= n;
}

static bool wait_seen(struct fx *f, int n, unsigned ms)
{
	uint64_t end = uv_hrtime() + ms * MS;

	while (f->srv.n_seen < n && uv_hrtime() < end)
		uv_run(&f->loop, UV_RUN_ONCE);
	return f->srv.n_seen >= n;
}

/* The Nth (0-based) request the server saw for PATH, or NULL. */
static const struct seen *seen_path(const struct fx *f, const char *path, int nth)
{
	for (int i = 0; i < f->srv.n_seen; i++)
		if (strcmp(f->srv.seen[i].path, path) == 0 && nth-- == 0)
			return &f->srv.seen[i];
	return NULL;
}

static int count_path(const struct fx *f, const char *path)
{
	int n = 0;

	for (int i = 0; i < f->srv.n_seen; i++)
		n += strcmp(f->srv.seen[i].path, path) == 0;
	return n;
}

static int seen_index(const struct fx *f, const struct seen *sn)
{
	return (int)(sn - f->srv.seen);
}

static bool has_header(const struct seen *sn, const char *line)
{
	char want[256];

	snprintf(want, sizeof(want), "\r\n%s\r\n", line);
	return strcasestr(sn->head, want) != NULL;
}

static double gap_ms(uint64_t from, uint64_t to)
{
	double ms = ((double)to - (double)from) / 1e6;

	print_message("gap %.3f ms\n", ms);
	return ms;
}

/* ---- capturing the log (stderr) ---- */

static int saved_stderr = -1;
static FILE *capture_file;

static void capture_start(void)
{
	fflush(stderr);
	capture_file = tmpfile();
	assert_non_null(capture_file);
	saved_stderr = dup(2);
	dup2(fileno(capture_file), 2);
}

static void capture_end(char *buf, size_t size)
{
	size_t n;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	rewind(capture_file);
	n = fread(buf, 1, size - 1, capture_file);
	buf[n] = '\0';
	fclose(capture_file);
	fprintf(stderr, "%s", buf);    /* still shown in the test output */
}

static int count_substr(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* ---- the tests ---- */

/* A JSON POST with the default auth, a GET with its own, a body-less PUT:
 * each arrives intact; done() is never called from rest_request(). */
static void test_post_json_auth(void **state)
{
	struct fx *f = *state;
	const char *json = "{\"content\":\"hi \\u00e9 \xc3\xa9\"}";
	const struct seen *post, *get, *put;

	script(&f->srv, (struct reply){ "/api/channels/1/messages", 200, "", "{\"id\":\"42\"}", 1, ANSWER });
	rest_set_auth(f->r, "Bot secret-token");
	issue(f, 0, "POST", "/channels/1/messages", NULL, NULL, NULL, json);
	issue(f, 1, "GET", "/users/@me", NULL, NULL, "Bearer other", NULL);
	issue(f, 2, "PUT", "/channels/1/pins/2", NULL, NULL, NULL, NULL);
	assert_int_equal(f->n_done, 0);
	assert_int_equal(rest_pending(f->r), 3);
	assert_true(wait_done(f, 3, 2000));
	assert_int_equal(rest_pending(f->r), 0);

	assert_non_null(post = seen_path(f, "/api/channels/1/messages", 0));
	assert_string_equal(post->method, "POST");
	assert_true(has_header(post, "Authorization: Bot secret-token"));
	assert_true(has_header(post, "Content-Type: application/json"));
	assert_true(has_header(post, "User-Agent: DiscordBot (https://example.org/dutybot, 0.1) dutybot"));
	assert_string_equal(post->body, json);
	assert_int_equal(f->call[0].status, 200);
	assert_string_equal(f->call[0].body, "{\"id\":\"42\"}");
	assert_int_equal(f->call[0].body_len, 11);
	assert_false(f->call[0].has_error);

	assert_non_null(get = seen_path(f, "/api/users/@me", 0));
	assert_string_equal(get->method, "GET");
	assert_true(has_header(get, "Authorization: Bearer other"));
	assert_null(strstr(get->head, "secret-token"));
	assert_null(strcasestr(get->head, "Content-Type"));
	assert_int_equal(f->call[1].status, 200);

	assert_non_null(put = seen_path(f, "/api/channels/1/pins/2", 0));
	assert_string_equal(put->method, "PUT");
	assert_true(has_header(put, "Content-Length: 0"));
	assert_null(strcasestr(put->head, "Content-Type"));
	assert_true(has_header(put, "Authorization: Bot secret-token"));
}

static void chain(void *arg, const struct rest_response *res)
{
	record(arg, res);
	if (F->chain_left-- > 0)
		issue_with(F, F->n_issued, chain, "GET", "/ka", NULL, NULL, NULL, NULL);
}

/* Sequential requests use one connection; a burst opens at most 4. */
static void test_keepalive(void **state)
{
	struct fx *f = *state;

	f->chain_left = 5;
	issue_with(f, 0, chain, "GET", "/ka", NULL, NULL, NULL, NULL);
	assert_true(wait_done(f, 6, 2000));
	assert_int_equal(f->srv.n_seen, 6);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(f->call[i].status, 200);
		assert_int_equal(f->srv.seen[i].conn, 1);
	}
	assert_int_equal(f->srv.accepted, 1);

	for (int i = 6; i < 18; i++)
		issue(f, i, "GET", i % 2 ? "/burst/a" : "/burst/b", "burst", NULL, NULL, NULL);
	assert_true(wait_done(f, 18, 2000));
	assert_true(f->srv.accepted <= 4);
}

/* Discord's 429: the body's retry_after (0.25 s) is honoured, then it succeeds. */
static void test_429_body_retry_after(void **state)
{
	struct fx *f = *state;
	double gap;

	script(&f->srv, (struct reply){ "/api/r", 429, "",
	       "{\"message\": \"You are being rate limited.\", \"retry_after\": 0.25, \"global\": false}", 1, ANSWER });
	script(&f->srv, (struct reply){ "/api/r", 200, "", "{\"ok\":1}", 1, ANSWER });
	issue(f, 0, "POST", "/r", NULL, NULL, NULL, "{}");
	assert_true(wait_done(f, 1, 3000));
	assert_int_equal(f->call[0].status, 200);
	assert_string_equal(f->call[0].body, "{\"ok\":1}");
	assert_int_equal(f->srv.n_seen, 2);
	gap = gap_ms(f->srv.seen[0].at, f->srv.seen[1].at);
	assert_true(gap >= 250);
	assert_true(gap < 900);         /* the body's value, not the 1 s default */
}

/* Slack's 429: Retry-After (seconds); another route is not held. */
static void test_429_retry_after_header(void **state)
{
	struct fx *f = *state;
	const struct seen *first, *again, *other;

	script(&f->srv, (struct reply){ "/api/chat.postMessage", 429, "Retry-After: 1\r\n",
	       "{\"ok\":false,\"error\":\"ratelimited\"}", 1, ANSWER });
	script(&f->srv, (struct reply){ "/api/chat.postMessage", 200, "", "{\"ok\":true}", 1, ANSWER });
	issue(f, 0, "POST", "/chat.postMessage", "chat.postMessage", NULL, "Bearer xoxb-1", "{\"text\":\"x\"}");
	assert_true(wait_seen(f, 1, 1000));
	run_ms(f, 50);
	issue(f, 1, "POST", "/conversations.info", NULL, NULL, NULL, "{}");
	assert_true(wait_done(f, 2, 3000));
	assert_int_equal(f->call[0].status, 200);
	assert_int_equal(f->call[1].status, 200);
	first = seen_path(f, "/api/chat.postMessage", 0);
	again = seen_path(f, "/api/chat.postMessage", 1);
	other = seen_path(f, "/api/conversations.info", 0);
	assert_non_null(again);
	assert_true(gap_ms(first->at, again->at) >= 1000);
	assert_true(gap_ms(first->at, again->at) < 1800);
	assert_true(gap_ms(first->at, other->at) < 500);
}

static void global_429(struct fx *f, const char *headers, const char *body)
{
	const struct seen *a0, *a1, *b;

	script(&f->srv, (struct reply){ "/api/a", 429, headers, body, 1, ANSWER });
	issue(f, 0, "GET", "/a", NULL, NULL, NULL, NULL);
	assert_true(wait_seen(f, 1, 1000));
	run_ms(f, 50);
	issue(f, 1, "GET", "/b", NULL, NULL, NULL, NULL);
	assert_true(wait_done(f, 2, 3000));
	assert_int_equal(f->call[0].status, 200);
	assert_int_equal(f->call[1].status, 200);
	a0 = seen_path(f, "/api/a", 0);
	a1 = seen_path(f, "/api/a", 1);
	b = seen_path(f, "/api/b", 0);
	assert_non_null(a1);
	assert_non_null(b);
	assert_true(gap_ms(a0->at, a1->at) >= 300);
	assert_true(gap_ms(a0->at, b->at) >= 300);     /* another route held too */
}

static void test_global_429_body(void **state)
{
	global_429(*state, "", "{\"message\":\"You are being rate limited.\",\"retry_after\":0.3,\"global\":true}");
}

static void test_global_429_header(void **state)
{
	global_429(*state, "X-RateLimit-Global: true\r\nX-RateLimit-Scope: global\r\n",
	           "{\"message\":\"You are being rate limited.\",\"retry_after\":0.3}");
}

/* Remaining 0 + Reset-After 0.4: the route waits, another route does not. */
static void test_bucket_exhausted(void **state)
{
	struct fx *f = *state;
	const struct seen *x0, *x1, *y;

	script(&f->srv, (struct reply){ "/api/x", 200, "X-RateLimit-Limit: 1\r\nX-RateLimit-Remaining: 0\r\n"
	       "X-RateLimit-Reset-After: 0.4\r\nX-RateLimit-Bucket: bx\r\n", "{}", 1, ANSWER });
	issue(f, 0, "GET", "/x", NULL, NULL, NULL, NULL);
	assert_true(wait_done(f, 1, 1000));
	issue(f, 1, "GET", "/x", NULL, NULL, NULL, NULL);
	issue(f, 2, "GET", "/y", NULL, NULL, NULL, NULL);
	assert_true(wait_done(f, 3, 2000));
	x0 = seen_path(f, "/api/x", 0);
	x1 = seen_path(f, "/api/x", 1);
	y = seen_path(f, "/api/y", 0);
	assert_true(seen_index(f, y) < seen_index(f, x1));
	assert_true(gap_ms(x0->at, x1->at) >= 400);
	assert_true(gap_ms(x0->at, y->at) < 300);
	assert_int_equal(f->order[1], 2);       /* y answered first */
}

/* Routes that name the same bucket share it; the same bucket on another
 * channel (major parameter) is another bucket. */
static void test_shared_bucket(void **state)
{
	struct fx *f = *state;
	const struct seen *q0, *p1, *c1;

	script(&f->srv, (struct reply){ "/api/p", 200, "X-RateLimit-Limit: 10\r\nX-RateLimit-Remaining: 9\r\n"
	       "X-RateLimit-Reset-After: 5\r\nX-RateLimit-Bucket: sh\r\n", "{}", 1, ANSWER });
	script(&f->srv, (struct reply){ "/api/channels/7/messages", 200, "X-RateLimit-Limit: 10\r\n"
	       "X-RateLimit-Remaining: 5\r\nX-RateLimit-Reset-After: 5\r\nX-RateLimit-Bucket: sh\r\n", "{}", 1, ANSWER });
	script(&f->srv, (struct reply){ "/api/q", 200, "X-RateLimit-Limit: 10\r\nX-RateLimit-Remaining: 0\r\n"
	       "X-RateLimit-Reset-After: 0.3\r\nX-RateLimit-Bucket: sh\r\n", "{}", 1, ANSWER });
	issue(f, 0, "GET", "/p", NULL, NULL, NULL, NULL);
	assert_true(wait_done(f, 1, 1000));
	issue(f, 1, "POST", "/channels/7/messages", NULL, NULL, NULL, "{}");
	assert_true(wait_done(f, 2, 1000));
	issue(f, 2, "GET", "/q", NULL, NULL, NULL, NULL);
	assert_true(wait_done(f, 3, 1000));
	issue(f, 3, "GET", "/p", NULL, NULL, NULL, NULL);
	issue(f, 4, "POST", "/channels/7/messages", NULL, NULL, NULL, "{}");
	assert_true(wait_done(f, 5, 2000));
	q0 = seen_path(f, "/api/q", 0);
	p1 = seen_path(f, "/api/p", 1);
	c1 = seen_path(f, "/api/channels/7/messages", 1);
	assert_true(gap_ms(q0->at, p1->at) >= 300);     /* /p waited for /q's reset */
	assert_true(gap_ms(q0->at, c1->at) < 250);      /* channel 7 did not */
}

static void test_500_then_200(void **state)
{
	struct fx *f = *state;

	script(&f->srv, (struct reply){ "/api/s", 500, "", "{\"message\":\"oops\"}", 1, ANSWER });
	issue(f, 0, "POST", "/s", NULL, NULL, NULL, "{\"a\":1}");
	assert_true(wait_done(f, 1, 2000));
	assert_int_equal(f->call[0].status, 200);
	assert_int_equal(f->srv.n_seen, 2);
	assert_string_equal(f->srv.seen[1].body, "{\"a\":1}");
	assert_true(gap_ms(f->srv.seen[0].at, f->srv.seen[1].at) >= BACKOFF_MS * 3 / 4);
}

/* 500 every time: REST_MAX_ATTEMPTS attempts with doubling waits, then 500. */
static void test_500_forever(void **state)
{
	struct fx *f = *state;

	script(&f->srv, (struct reply){ "/api/f", 503, "", "{\"message\":\"boom\"}", -1, ANSWER });
	issue(f, 0, "GET", "/f", NULL, NULL, NULL, NULL);
	assert_true(wait_done(f, 1, 3000));
	assert_int_equal(f->call[0].status, 503);
	assert_string_equal(f->call[0].body, "{\"message\":\"boom\"}");
	assert_false(f->call[0].has_error);
	assert_int_equal(f->srv.n_seen, REST_MAX_ATTEMPTS);
	for (int i = 1; i < REST_MAX_ATTEMPTS; i++)
		assert_true(gap_ms(f->srv.seen[i - 1].at, f->srv.seen[i].at) >= 0.75 * (BACKOFF_MS << (i - 1)));
	run_ms(f, 200);
	assert_int_equal(f->srv.n_seen, REST_MAX_ATTEMPTS);
}

/* 401/403: no retry, logged once per route without the token; 404: no retry,
 * its body in the debug log. */
static void test_auth_errors_not_retried(void **state)
{
	struct fx *f = *state;
	char log[8192];

	script(&f->srv, (struct reply){ "/api/secret", 401, "", "{\"message\":\"401: Unauthorized\"}", -1, ANSWER });
	script(&f->srv, (struct reply){ "/api/webhooks/5/tok-abc/messages", 403, "", "{}", -1, ANSWER });
	script(&f->srv, (struct reply){ "/api/missing", 404, "", "{\"message\":\"Unknown Channel\"}", 1, ANSWER });
	rest_set_auth(f->r, "Bot secret-token");
	log_set_level(LOG_LEVEL_DEBUG);
	capture_start();
	issue(f, 0, "GET", "/secret", NULL, "s", NULL, NULL);
	issue(f, 1, "GET", "/secret", NULL, "s", NULL, NULL);
	issue(f, 2, "POST", "/webhooks/5/tok-abc/messages", NULL, NULL, NULL, "{}");
	issue(f, 3, "GET", "/missing", NULL, NULL, NULL, NULL);
	wait_done(f, 4, 2000);
	capture_end(log, sizeof(log));
	log_set_level(LOG_LEVEL_INFO);
	assert_int_equal(f->n_done, 4);
	assert_int_equal(f->call[0].status, 401);
	assert_int_equal(f->call[1].status, 401);
	assert_int_equal(f->call[2].status, 403);
	assert_int_equal(f->call[3].status, 404);
	assert_int_equal(count_path(f, "/api/secret"), 2);
	assert_int_equal(count_path(f, "/api/webhooks/5/tok-abc/messages"), 1);
	assert_int_equal(count_path(f, "/api/missing"), 1);
	assert_int_equal(count_substr(log, "warning: rest test: GET /secret: 401"), 1);
	assert_int_equal(count_substr(log, "warning: rest test: POST /webhooks/5/***/messages: 403"), 1);
	assert_null(strstr(log, "secret-token"));
	assert_null(strstr(log, "tok-abc"));
	assert_non_null(strstr(log, "debug: rest test: GET /missing: 404: {\"message\":\"Unknown Channel\"}"));
}

/* The first of a queue gets a 429: the second (another route) waits for it;
 * another queue goes meanwhile. */
static void test_queue_order_with_429(void **state)
{
	struct fx *f = *state;
	const struct seen *n0, *n0b, *n1, *n2;

	script(&f->srv, (struct reply){ "/api/channels/9/messages", 429, "",
	       "{\"message\":\"slow\",\"retry_after\":0.2,\"global\":false}", 1, ANSWER });
	issue(f, 0, "POST", "/channels/9/messages", NULL, "chan9", NULL, "{\"n\":0}");
	issue(f, 1, "PATCH", "/channels/9/messages/5", NULL, "chan9", NULL, "{\"n\":1}");
	issue(f, 2, "POST", "/channels/8/messages", NULL, "chan8", NULL, "{\"n\":2}");
	assert_true(wait_done(f, 3, 2000));
	n0 = seen_path(f, "/api/channels/9/messages", 0);
	n0b = seen_path(f, "/api/channels/9/messages", 1);
	n1 = seen_path(f, "/api/channels/9/messages/5", 0);
	n2 = seen_path(f, "/api/channels/8/messages", 0);
	assert_non_null(n0b);
	assert_string_equal(n1->method, "PATCH");
	assert_true(seen_index(f, n1) > seen_index(f, n0b));   /* not overtaken */
	assert_true(seen_index(f, n2) < seen_index(f, n0b));   /* chan8 did not wait */
	assert_true(gap_ms(n0->at, n0b->at) >= 200);
	assert_int_equal(f->order[0], 2);
	assert_int_equal(f->order[1], 0);
	assert_int_equal(f->order[2], 1);
	for (int i = 0; i < 3; i++)
		assert_int_equal(f->call[i].status, 200);
}

/* 3 per minute on a route: the 4th and 5th wait (another route does not),
 * and rest_free() fails them. */
static void test_route_limit(void **state)
{
	struct fx *f = *state;

	rest_route_limit(f->r, "GET /tier", 3);
	issue(f, 0, "GET", "/tier?i=0", NULL, NULL, NULL, NULL);        /* the default route drops the query */
	issue(f, 1, "GET", "/tier?i=1", NULL, NULL, NULL, NULL);
	issue(f, 2, "GET", "/tier?i=2", NULL, NULL, NULL, NULL);
	issue(f, 3, "GET", "/tier?i=3", NULL, NULL, NULL, NULL);
	issue(f, 4, "GET", "/other", "GET /tier", NULL, NULL, NULL);    /* named route */
	assert_true(wait_done(f, 3, 1000));
	issue(f, 5, "GET", "/free", NULL, NULL, NULL, NULL);
	assert_true(wait_done(f, 4, 1000));
	run_ms(f, 300);
	assert_int_equal(f->srv.n_seen, 4);
	assert_non_null(seen_path(f, "/api/free", 0));
	assert_int_equal(rest_pending(f->r), 2);
	rest_free(f->r);
	f->r = NULL;
	assert_int_equal(f->n_done, 6);
	assert_int_equal(f->call[3].status, 0);
	assert_string_equal(f->call[3].error, "shutting down");
	assert_int_equal(f->call[4].status, 0);
	assert_string_equal(f->call[4].error, "shutting down");
}

/* 4 per second over all routes: the 5th goes a second after the 1st. */
static void test_global_limit(void **state)
{
	struct fx *f = *state;
	char path[16];

	rest_global_limit(f->r, 4);
	for (int i = 0; i < 6; i++) {
		snprintf(path, sizeof(path), "/g%d", i);
		issue(f, i, "GET", path, NULL, NULL, NULL, NULL);
	}
	assert_true(wait_done(f, 6, 3000));
	assert_int_equal(f->srv.n_seen, 6);
	assert_true(gap_ms(f->srv.seen[0].at, f->srv.seen[3].at) < 300);
	/* the window counts from when a request is handed to curl; the first
	 * one reached the server after connecting, the 5th on a kept-alive
	 * connection: a few ms of tolerance */
	assert_true(gap_ms(f->srv.seen[0].at, f->srv.seen[4].at) >= 995);
}

/* Pending in every state (in flight, waiting on a bucket probe, queued behind
 * one in flight): each done() once with "shutting down". */
static void test_free_pending(void **state)
{
	struct fx *f = *state;

	script(&f->srv, (struct reply){ "/api/hold", 0, "", "", -1, HOLD });
	issue(f, 0, "GET", "/hold", "a", NULL, NULL, NULL);
	issue(f, 1, "GET", "/hold", "b", "q", NULL, NULL);
	issue(f, 2, "POST", "/x", NULL, "q", NULL, "{}");
	issue(f, 3, "GET", "/hold", "a", NULL, NULL, NULL);     /* behind a's probe */
	assert_true(wait_seen(f, 2, 1000));
	run_ms(f, 50);
	assert_int_equal(f->srv.n_seen, 2);
	assert_int_equal(f->n_done, 0);
	assert_int_equal(rest_pending(f->r), 4);
	rest_free(f->r);
	f->r = NULL;
	assert_int_equal(f->n_done, 4);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(f->call[i].status, 0);
		assert_string_equal(f->call[i].error, "shutting down");
		assert_string_equal(f->call[i].body, "");
	}
	assert_true(f->order[0] == 1 || f->order[1] == 1);
	for (int i = 0; i < 4; i++)
		if (f->order[i] == 2)
			for (int j = i; j < 4; j++)
				assert_int_not_equal(f->order[j], 1);   /* 2 failed after 1, its queue order */
}

static void free_in_done(void *arg, const struct rest_response *res)
{
	record(arg, res);
	rest_free(F->r);
	F->r = NULL;
}

/* rest_free() from inside a done(): the others still get theirs, once. */
static void test_free_inside_done(void **state)
{
	struct fx *f = *state;

	script(&f->srv, (struct reply){ "/api/hold", 0, "", "", -1, HOLD });
	issue(f, 0, "GET", "/hold", NULL, NULL, NULL, NULL);
	issue_with(f, 1, free_in_done, "GET", "/quick", NULL, NULL, NULL, NULL);
	issue(f, 2, "GET", "/later", NULL, "q", NULL, NULL);
	issue(f, 3, "GET", "/later2", NULL, "q", NULL, NULL);
	assert_true(wait_done(f, 4, 2000));
	assert_null(f->r);
	assert_int_equal(f->call[1].status, 200);
	assert_int_equal(f->call[0].status, 0);
	assert_string_equal(f->call[0].error, "shutting down");
}

/* Nothing listens: retried with backoff, then the transport error. */
static void test_connection_refused(void **state)
{
	struct fx *f = *state;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	uint64_t t0;
	char url[64];

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);              /* a port nobody listens on */
	rest_free(f->r);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", ntohs(a.sin_port));
	f->r = rest_new(&f->loop, "test", url, true);
	rest_set_backoff(f->r, BACKOFF_MS);
	t0 = uv_hrtime();
	issue(f, 0, "GET", "/x", NULL, NULL, NULL, NULL);
	assert_true(wait_done(f, 1, 3000));
	assert_int_equal(f->call[0].status, 0);
	assert_true(f->call[0].has_error);
	assert_true(strlen(f->call[0].error) > 0);
	assert_true(gap_ms(t0, f->call[0].at) >= 0.75 * BACKOFF_MS * 15);   /* 20+40+80+160 ms */
}

/* The server closes without answering: REST_MAX_ATTEMPTS connections, then the error. */
static void test_closed_without_answer(void **state)
{
	struct fx *f = *state;

	script(&f->srv, (struct reply){ "/api/drop", 0, "", "", -1, CLOSE });
	issue(f, 0, "POST", "/drop", NULL, NULL, NULL, "{}");
	assert_true(wait_done(f, 1, 3000));
	assert_int_equal(f->call[0].status, 0);
	assert_true(f->call[0].has_error);
	assert_int_equal(f->srv.n_seen, REST_MAX_ATTEMPTS);
	assert_int_equal(f->srv.accepted, REST_MAX_ATTEMPTS);
}

/* A persistent 429 ends after the rate-limit retries, with the 429. */
static void test_429_forever_ends(void **state)
{
	struct fx *f = *state;

	script(&f->srv, (struct reply){ "/api/z", 429, "", "{\"retry_after\":0.001}", -1, ANSWER });
	issue(f, 0, "GET", "/z", NULL, NULL, NULL, NULL);
	assert_true(wait_done(f, 1, 3000));
	assert_int_equal(f->call[0].status, 429);
	assert_int_equal(f->srv.n_seen, 11);    /* the first + 10 rate-limit retries */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_post_json_auth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keepalive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_429_body_retry_after, setup, teardown),
		cmocka_unit_test_setup_teardown(test_429_retry_after_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_global_429_body, setup, teardown),
		cmocka_unit_test_setup_teardown(test_global_429_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bucket_exhausted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_bucket, setup, teardown),
		cmocka_unit_test_setup_teardown(test_500_then_200, setup, teardown),
		cmocka_unit_test_setup_teardown(test_500_forever, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auth_errors_not_retried, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_order_with_429, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_global_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_inside_done, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connection_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_closed_without_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_429_forever_ends, setup, teardown),
	};

	return cmocka_run_group_tests_name("rest", tests, NULL, NULL);
}
