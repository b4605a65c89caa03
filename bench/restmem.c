/*
 * restmem: a million requests through bot/rest/rest.c against a local keep-alive
 * HTTP/1.1 server, with the client's RSS along the way.  The point: no
 * growth, and few connections.
 *
 * The server is a forked child (one thread, epoll), so its memory is not in
 * the figures.  It answers Discord-style: rate-limit headers on every answer
 * (bucket "bench", never exhausted), and, to take the other paths too, a 500
 * every 997th request and a 429 (retry_after 0.001) every 1009th.
 *
 * The client keeps WINDOW requests outstanding (a new one from each done()).
 * Request i: POST /channels/<i % CHANNELS>/messages with a JSON body, on the
 * channel's queue for odd i and without one for even i; every 100th is a
 * PATCH /channels/<c>/messages/<i> instead, a route of its own that must
 * not stay in memory (10,000 of them over a million).
 *
 *   restmem [-n requests] [-w window] [-c channels]
 *
 * Prints the RSS (/proc/self/statm) and the heap in use (mallinfo2) at 0,
 * 100k, 250k, 500k, 750k and 1M done requests, the rate, and what the server
 * counted: connections accepted, requests (retries included).
 */
#include "bot/lib/log.h"
#include "bot/rest/rest.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- the server (child) ---- */

struct sconn {
	int fd;
	size_t len, out_len, out_off;
	char in[65536];
	char out[65536];
};

static long served, accepted;

static void reply(struct sconn *c)
{
	static const char ok_body[] = "{\"id\":\"1234567890\",\"content\":\"ok\"}";
	static const char err_body[] = "{\"message\":\"500: Internal Server Error\",\"code\":0}";
	static const char rl_body[] = "{\"message\":\"You are being rate limited.\",\"retry_after\":0.001,\"global\":false}";
	const char *body = ok_body;
	int status = 200, n;

	served++;
	if (served % 997 == 0) {
		status = 500;
		body = err_body;
	} else if (served % 1009 == 0) {
		status = 429;
		body = rl_body;
	}
	if (sizeof(c->out) - c->out_len < 512)
		return;         /* the client reads what it asked for; cannot happen */
	n = snprintf(c->out + c->out_len, sizeof(c->out) - c->out_len,
	             "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
	             "X-RateLimit-Limit: 1000000\r\nX-RateLimit-Remaining: 999999\r\n"
	             "X-RateLimit-Reset-After: 1.000\r\nX-RateLimit-Bucket: bench\r\n\r\n%s",
	             status, status == 200 ? "OK" : "Error", strlen(body), body);
	c->out_len += (size_t)n;
}

/* Every whole request in C's input gets its answer queued. */
static void parse(struct sconn *c)
{
	size_t off = 0;

	for (;;) {
		char *end = memmem(c->in + off, c->len - off, "\r\n\r\n", 4), *cl;
		size_t head, clen = 0;
		if (end == NULL)
			break;
		head = (size_t)(end + 4 - (c->in + off));
		*end = '\0';
		if ((cl = strcasestr(c->in + off, "\r\ncontent-length:")) != NULL)
			clen = strtoul(cl + 17, NULL, 10);
		*end = '\r';
		if (c->len - off < head + clen)
			break;
		off += head + clen;
		reply(c);
	}
	memmove(c->in, c->in + off, c->len - off);
	c->len -= off;
}

static int flush_out(int ep, struct sconn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0)
			return -1;
		c->out_off += (size_t)n;
	}
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	{
		struct epoll_event ev = { .events = EPOLLIN | (c->out_len ? EPOLLOUT : 0), .data.ptr = c };
		epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
	}
	return 0;
}

static void server(int lfd, int ctl, int res)
{
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL }, evs[64];

	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	ev.data.ptr = &ctl;
	epoll_ctl(ep, EPOLL_CTL_ADD, ctl, &ev);
	for (;;) {
		int n = epoll_wait(ep, evs, 64, -1);
		for (int i = 0; i < n; i++) {
			struct sconn *c = evs[i].data.ptr;
			if (evs[i].data.ptr == &ctl) {
				char line[128];
				int len = snprintf(line, sizeof(line), "%ld %ld\n", accepted, served);
				if (write(res, line, (size_t)len) < 0)
					_exit(1);
				_exit(0);       /* the client is done */
			}
			if (c == NULL) {
				int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK), one = 1;
				if (fd < 0)
					continue;
				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
				accepted++;
				c = calloc(1, sizeof(*c));
				c->fd = fd;
				ev.events = EPOLLIN;
				ev.data.ptr = c;
				epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
				continue;
			}
			if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
				ssize_t got = read(c->fd, c->in + c->len, sizeof(c->in) - c->len);
				if (got <= 0 && !(got < 0 && errno == EAGAIN)) {
					close(c->fd);
					free(c);
					continue;
				}
				if (got > 0) {
					c->len += (size_t)got;
					parse(c);
				}
			}
			if (flush_out(ep, c) != 0) {
				close(c->fd);
				free(c);
			}
		}
	}
}

/* ---- the client ---- */

static long total = 1000000, window = 64, channels = 100;
static long issued, completed, not_ok;
static struct rest *rest;
static uint64_t t_start, t_last;
static long n_last;
static const long checkpoints[] = { 100000, 250000, 500000, 750000, 1000000 };
static unsigned next_checkpoint;

static long rss_kb(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
		resident = -1;
	fclose(f);
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Bytes malloc has handed out and not got back: finer than RSS. */
static long heap_kb(void)
{
	return (long)(mallinfo2().uordblks / 1024);
}

static void print_row(long done)
{
	uint64_t now = uv_hrtime();
	double all = (double)(now - t_start) / 1e9, part = (double)(now - t_last) / 1e9;

	printf("%9ld  %8ld  %8ld  %8.1f  %10.0f  %8zu\n", done, rss_kb(), heap_kb(), all,
	       part > 0 ? (double)(done - n_last) / part : 0.0, rest_pending(rest));
	fflush(stdout);
	t_last = now;
	n_last = done;
}

static void issue(void);

static void on_done(void *arg, const struct rest_response *res)
{
	if (res->status != 200)
		not_ok++;
	completed++;
	if (next_checkpoint < sizeof(checkpoints) / sizeof(checkpoints[0]) &&
	    completed == checkpoints[next_checkpoint] * total / 1000000) {
		next_checkpoint++;
		print_row(completed);
	}
	if (issued < total)
		issue();
	else if (completed == total)
		rest_free(rest);
}

static void issue(void)
{
	long i = issued++, ch = i % channels;
	char path[96], queue[32], body[96];

	if (i % 100 == 99) {
		snprintf(path, sizeof(path), "/channels/%ld/messages/%ld", ch, i);
		snprintf(body, sizeof(body), "{\"content\":\"edited %ld\"}", i);
		snprintf(queue, sizeof(queue), "c%ld", ch);
		if (rest_request(rest, "PATCH", path, NULL, queue, NULL, body, on_done, NULL) != 0)
			abort();
		return;
	}
	snprintf(path, sizeof(path), "/channels/%ld/messages", ch);
	snprintf(body, sizeof(body), "{\"content\":\"message %ld\",\"tts\":false}", i);
	snprintf(queue, sizeof(queue), "c%ld", ch);
	if (rest_request(rest, "POST", path, NULL, i % 2 ? queue : NULL, NULL, body, on_done, NULL) != 0)
		abort();
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int lfd, ctl[2], res[2], opt, status;
	long conns = -1, served_n = -1;
	char url[64], line[128];
	uv_loop_t *loop = uv_default_loop();
	pid_t pid;
	ssize_t got;

	while ((opt = getopt(argc, argv, "n:w:c:")) != -1) {
		if (opt == 'n')
			total = atol(optarg);
		else if (opt == 'w')
			window = atol(optarg);
		else if (opt == 'c')
			channels = atol(optarg);
		else {
			fprintf(stderr, "usage: restmem [-n requests] [-w window] [-c channels]\n");
			return 2;
		}
	}
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(lfd, 128) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&a, &alen) != 0 || pipe(ctl) != 0 || pipe(res) != 0) {
		perror("restmem: server socket");
		return 1;
	}
	if ((pid = fork()) == 0) {
		close(ctl[1]);
		close(res[0]);
		server(lfd, ctl[0], res[1]);
	}
	close(lfd);
	close(ctl[0]);
	close(res[1]);

	log_init();
	log_set_level(LOG_LEVEL_WARN);      /* the 500s and 429s are retried at info */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/v10", ntohs(a.sin_port));
	rest = rest_new(loop, "bench", url, false);
	rest_set_auth(rest, "Bot bench-token");
	rest_set_backoff(rest, 1);
	printf("restmem: %ld requests, %ld outstanding, %ld channels, server pid %d\n",
	       total, window, channels, (int)pid);
	printf("%9s  %8s  %8s  %8s  %10s  %8s\n", "requests", "rss_kB", "heap_kB", "time_s", "req/s", "pending");
	t_start = t_last = uv_hrtime();
	print_row(0);
	for (long i = 0; i < window && issued < total; i++)
		issue();
	uv_run(loop, UV_RUN_DEFAULT);       /* ends when rest_free() has closed everything */
	printf("after rest_free: rss_kB %ld, heap_kB %ld\n", rss_kb(), heap_kb());
	printf("total: %ld requests in %.1f s = %.0f req/s; not 200: %ld\n", completed,
	       (double)(uv_hrtime() - t_start) / 1e9, completed / ((double)(uv_hrtime() - t_start) / 1e9), not_ok);

	close(ctl[1]);          /* tells the server to report and exit */
	if ((got = read(res[0], line, sizeof(line) - 1)) > 0) {
		line[got] = '\0';
		sscanf(line, "%ld %ld", &conns, &served_n);
	}
	waitpid(pid, &status, 0);
	printf("server: %ld TCP connections accepted, %ld requests answered (retries included)\n",
	       conns, served_n);
	uv_loop_close(loop);
	return not_ok == 0 && completed == total ? 0 : 1;
}
