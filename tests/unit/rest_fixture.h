/*
 * rest_fixture.h: what the REST client tests (test_rest.c, test_rest_limits.c)
 * share: a tiny HTTP/1.1 server on the same uv loop (127.0.0.1, a free port)
 * that answers from a script (per path: status, headers, body, how many
 * times; or hold the request, or close the connection) and records every
 * request (method, path, headers, body, the TCP connection it came on and
 * when it arrived); the fixture that issues requests and records each
 * done(); and capturing the log.  One test program includes it once (after
 * cmocka.h), so its statics are that program's own.
 */
#ifndef DUTYBOT_TEST_REST_FIXTURE_H
#define DUTYBOT_TEST_REST_FIXTURE_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include "bot/lib/log.h"
#include "bot/rest/rest.h"

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

static inline void on_conn_closed(uv_handle_t *h)
{
	struct sconn *c = h->data, **p = &c->s->conns;

	while (*p != c)
		p = &(*p)->next;
	*p = c->next;
	free(c);
}

static inline void conn_close(struct sconn *c)
{
	if (!c->closing) {
		c->closing = true;
		uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
	}
}

static inline void on_written(uv_write_t *w, int status)
{
	free(w);
}

static inline const struct reply *pick(struct server *s, const char *path)
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

static inline void answer(struct sconn *c, const struct seen *sn)
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
static inline void parse(struct sconn *c)
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

static inline void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct sconn *c = h->data;

	buf->base = c->buf + c->len;
	buf->len = sizeof(c->buf) - c->len;
}

static inline void on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
	struct sconn *c = st->data;

	if (n < 0) {
		conn_close(c);
		return;
	}
	c->len += (size_t)n;
	parse(c);
}

static inline void on_connection(uv_stream_t *l, int status)
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

static inline void server_start(struct server *s, uv_loop_t *loop)
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

static inline void server_stop(struct server *s)
{
	for (struct sconn *c = s->conns; c != NULL; c = c->next)
		conn_close(c);
	uv_close((uv_handle_t *)&s->tcp, NULL);
}

static inline void script(struct server *s, struct reply rp)
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

static inline void record(void *arg, const struct rest_response *res)
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

static inline void on_tick(uv_timer_t *t)
{
}

static inline int setup(void **state)
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

static inline int teardown(void **state)
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

static inline void issue_with(struct fx *f, int id, rest_done_fn *done, const char *method, const char *path,
                       const char *route, const char *queue, const char *auth, const char *body)
{
	assert_true(id < MAX_CALLS);
	assert_int_equal(rest_request(f->r, method, path, route, queue, auth, body, done, &f->call[id]), 0);
	if (id >= f->n_issued)
		f->n_issued = id + 1;
}

static inline void issue(struct fx *f, int id, const char *method, const char *path, const char *route,
                  const char *queue, const char *auth, const char *body)
{
	issue_with(f, id, record, method, path, route, queue, auth, body);
}

static inline void run_ms(struct fx *f, unsigned ms)
{
	uint64_t end = uv_hrtime() + ms * MS;

	while (uv_hrtime() < end)
		uv_run(&f->loop, UV_RUN_ONCE);
}

static inline bool wait_done(struct fx *f, int n, unsigned ms)
{
	uint64_t end = uv_hrtime() + ms * MS;

	while (f->n_done < n && uv_hrtime() < end)
		uv_run(&f->loop, UV_RUN_ONCE);
	return f->n_done >= n;
}

static inline bool wait_seen(struct fx *f, int n, unsigned ms)
{
	uint64_t end = uv_hrtime() + ms * MS;

	while (f->srv.n_seen < n && uv_hrtime() < end)
		uv_run(&f->loop, UV_RUN_ONCE);
	return f->srv.n_seen >= n;
}

/* The Nth (0-based) request the server saw for PATH, or NULL. */
static inline const struct seen *seen_path(const struct fx *f, const char *path, int nth)
{
	for (int i = 0; i < f->srv.n_seen; i++)
		if (strcmp(f->srv.seen[i].path, path) == 0 && nth-- == 0)
			return &f->srv.seen[i];
	return NULL;
}

static inline int count_path(const struct fx *f, const char *path)
{
	int n = 0;

	for (int i = 0; i < f->srv.n_seen; i++)
		n += strcmp(f->srv.seen[i].path, path) == 0;
	return n;
}

static inline int seen_index(const struct fx *f, const struct seen *sn)
{
	return (int)(sn - f->srv.seen);
}

static inline bool has_header(const struct seen *sn, const char *line)
{
	char want[256];

	snprintf(want, sizeof(want), "\r\n%s\r\n", line);
	return strcasestr(sn->head, want) != NULL;
}

static inline double gap_ms(uint64_t from, uint64_t to)
{
	double ms = ((double)to - (double)from) / 1e6;

	print_message("gap %.3f ms\n", ms);
	return ms;
}

/* ---- capturing the log (stderr) ---- */

static int saved_stderr = -1;
static FILE *capture_file;

static inline void capture_start(void)
{
	fflush(stderr);
	capture_file = tmpfile();
	assert_non_null(capture_file);
	saved_stderr = dup(2);
	dup2(fileno(capture_file), 2);
}

static inline void capture_end(char *buf, size_t size)
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

static inline int count_substr(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

#endif
