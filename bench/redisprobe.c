/*
 * redisprobe: the latency floor Redis sets for one command of the daemon.
 * It sends the daemon's own begin_batch.lua for one command (EVALSHA, the
 * round trip every command makes first; alone in its batch when commands come
 * one at a time) to a Redis, one at a time (N calls) and then open-loop at
 * RATE per second for SECONDS, and prints the round-trip percentiles as
 * "R <key> <value>" lines like sitegen.  Raw RESP on a blocking socket.
 *
 *   redisprobe PORT SHA PREFIX N RATE SECONDS
 */
#include "ws.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/timerfd.h>

static int fd;
static struct buf out, in;

static void arg(const char *s, size_t n)
{
	char h[32];
	int hl = snprintf(h, sizeof(h), "$%zu\r\n", n);

	buf_add(&out, h, (size_t)hl);
	buf_add(&out, s, n);
	buf_add(&out, "\r\n", 2);
}

/* EVALSHA sha 1 <prefix>ident <prefix> 86400000 probe probe-<i> site:u<1 + i % 1000> 0 */
static void add_call(const char *sha, const char *prefix, uint64_t i)
{
	char id[64], index[256], ident[32];
	int kl = snprintf(id, sizeof(id), "probe-%" PRIu64, i);
	int xl = snprintf(index, sizeof(index), "%sident", prefix);
	int il = snprintf(ident, sizeof(ident), "site:u%" PRIu64, 1 + i % 1000);

	buf_add(&out, "*10\r\n", 5);
	arg("EVALSHA", 7);
	arg(sha, strlen(sha));
	arg("1", 1);
	arg(index, (size_t)xl);
	arg(prefix, strlen(prefix));
	arg("86400000", 8);
	arg("probe", 5);
	arg(id, (size_t)kl);
	arg(ident, (size_t)il);
	arg("0", 1);
}

/* Skips one complete RESP reply at P; returns its end or NULL if incomplete. */
static const unsigned char *skip_reply(const unsigned char *p, const unsigned char *end)
{
	const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
	long n;

	if (nl == NULL)
		return NULL;
	switch (*p) {
	case '+': case '-': case ':':
		return nl + 1;
	case '$':
		n = strtol((const char *)p + 1, NULL, 10);
		if (n < 0)
			return nl + 1;
		return end - (nl + 1) >= n + 2 ? nl + 1 + n + 2 : NULL;
	case '*':
		n = strtol((const char *)p + 1, NULL, 10);
		p = nl + 1;
		for (long i = 0; i < n; i++)
			if ((p = skip_reply(p, end)) == NULL)
				return NULL;
		return p;
	default:
		fprintf(stderr, "redisprobe: bad reply\n");
		exit(1);
	}
}

/* Reads replies that are complete; returns how many. */
static int read_replies(void)
{
	int got = 0;
	ssize_t n;

	buf_reserve(&in, 65536);
	n = recv(fd, buf_tail(&in), 65536, MSG_DONTWAIT);
	if (n > 0)
		in.len += (size_t)n;
	for (;;) {
		const unsigned char *p = in.p + in.off, *e;
		if (in.len == 0 || (e = skip_reply(p, p + in.len)) == NULL)
			break;
		if (*p == '-') {
			fprintf(stderr, "redisprobe: %.*s\n", (int)(e - p), p);
			exit(1);
		}
		buf_consume(&in, (size_t)(e - p));
		got++;
	}
	return got;
}

static int cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *name, int64_t *l, size_t n)
{
	qsort(l, n, sizeof(*l), cmp);
#define P(q) (n ? (double)l[(size_t)ceil((q) / 100.0 * (double)n) - 1] / 1e3 : NAN)
	printf("R %s_n %zu\nR %s_p50_us %.0f\nR %s_p99_us %.0f\nR %s_p999_us %.0f\nR %s_max_us %.0f\n",
	    name, n, name, P(50), name, P(99), name, P(99.9), name, n ? (double)l[n - 1] / 1e3 : NAN);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	const char *sha, *prefix;
	int rate, port;
	long n;
	double secs;
	int64_t *lat, *sent;
	uint64_t seq = 0, total, done;

	if (argc != 7) {
		fprintf(stderr, "usage: redisprobe PORT SHA PREFIX N RATE SECONDS\n");
		return 2;
	}
	port = atoi(argv[1]);
	sha = argv[2];
	prefix = argv[3];
	n = atol(argv[4]);
	rate = atoi(argv[5]);
	secs = atof(argv[6]);
	if ((fd = loopback_connect(port)) < 0)
		return 1;
	total = (uint64_t)(secs * rate);
	lat = calloc((size_t)(n > (long)total ? n : (long)total) + 1, sizeof(*lat));
	sent = calloc(total + 1, sizeof(*sent));

	/* one at a time */
	for (long i = 0; i < n; i++) {
		int64_t t0 = now_ns();
		add_call(sha, prefix, seq++);
		buf_flush(&out, fd);
		while (read_replies() == 0) {
			struct pollfd p = { fd, POLLIN, 0 };
			poll(&p, 1, 1000);
		}
		lat[i] = now_ns() - t0;
	}
	report("probe_serial", lat, (size_t)n);

	/* open loop at RATE/s: replies come back in order on one connection */
	{
		int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
		struct itimerspec its = { { 0, 1000000000L / rate }, { 0, 1000000000L / rate } };
		uint64_t queued = 0;
		int64_t end;

		done = 0;
		timerfd_settime(tfd, 0, &its, NULL);
		end = now_ns() + (int64_t)((secs + 10) * 1e9);
		while (done < total && now_ns() < end) {
			struct pollfd p[2] = { { tfd, POLLIN, 0 }, { fd, POLLIN, 0 } };
			poll(p, 2, 100);
			if (p[0].revents & POLLIN) {
				uint64_t x;
				if (read(tfd, &x, sizeof(x)) == sizeof(x)) {
					for (uint64_t k = 0; k < x && queued < total; k++) {
						add_call(sha, prefix, seq++);
						queued++;
					}
					buf_flush(&out, fd);
					for (uint64_t s = done; s < queued; s++)
						if (sent[s] == 0)
							sent[s] = now_ns();
				}
			}
			if (p[1].revents & POLLIN) {
				int got = read_replies();
				int64_t t = now_ns();
				for (int k = 0; k < got; k++, done++)
					lat[done] = t - sent[done];
			}
		}
		report("probe_paced", lat, (size_t)done);
	}
	return 0;
}
