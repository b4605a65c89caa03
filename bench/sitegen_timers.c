/*
 * sitegen_timers: the timers phase: reminders written straight into Redis
 * (a tiny blocking RESP client), their fire times read from MONITOR.
 */
#include "sitegen.h"

/* ---- a tiny blocking RESP client, for the timers phase ---- */

static int redis_connect(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)opt_redis_port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		die("cannot connect to redis on port %d", opt_redis_port);
	return fd;
}

static void resp_arg(struct buf *b, const char *s, size_t n)
{
	char h[32];
	int hl = snprintf(h, sizeof(h), "$%zu\r\n", n);

	buf_add(b, h, (size_t)hl);
	buf_add(b, s, n);
	buf_add(b, "\r\n", 2);
}

static void write_all(int fd, struct buf *b)
{
	while (b->len) {
		ssize_t n = write(fd, b->p + b->off, b->len);
		if (n <= 0)
			die("redis write: %s", strerror(errno));
		buf_consume(b, (size_t)n);
	}
}

/* Reads one reply line (simple replies only: +, -, :); returns its text. */
static void read_line(int fd, char *line, size_t n)
{
	size_t i = 0;
	char c;

	while (i + 1 < n && read(fd, &c, 1) == 1) {
		if (c == '\n')
			break;
		if (c != '\r')
			line[i++] = c;
	}
	line[i] = '\0';
}

static long long redis_int(int fd, const char *cmd, const char *arg)
{
	struct buf b = { 0 };
	char line[256];

	buf_add(&b, "*2\r\n", 4);
	resp_arg(&b, cmd, strlen(cmd));
	resp_arg(&b, arg, strlen(arg));
	write_all(fd, &b);
	free(b.p);
	read_line(fd, line, sizeof(line));
	if (line[0] != ':')
		die("redis %s: %s", cmd, line);
	return atoll(line + 1);
}

/* ---- timers ---- */

/* days since 1970-01-01 -> y-m-d (H. Hinnant's civil_from_days) */
static void civil(long z, int *y, unsigned *m, unsigned *d)
{
	long era, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	yoe = z - era * 146097;
	yoe = (yoe - yoe / 1460 + yoe / 36524 - yoe / 146096) / 365;
	doy = (z - era * 146097) - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

#define TIMER_DAY0 47482L               /* 2100-01-01 */

static int64_t *t_due_us, *t_fired_us;
static uint32_t *t_fire_count;
static uint64_t t_fired, t_dup, t_claims;
static struct buf mon;

static long member_index(const char *p)
{
	/* "remind|YYYY-MM-DD|s": days since 2100-01-01 */
	int y, mo, d;
	long a, yy, mm, days;

	if (sscanf(p, "remind|%d-%d-%d|", &y, &mo, &d) != 3)
		return -1;
	/* days_from_civil */
	a = (14 - mo) / 12;
	yy = y + 4800 - a;
	mm = mo + 12 * a - 3;
	days = d + (153 * mm + 2) / 5 + 365 * yy + yy / 4 - yy / 100 + yy / 400 - 32045 - 2440588;
	days -= TIMER_DAY0;
	return days >= 0 && days < opt_timers_n ? days : -1;
}

/* MONITOR lines: +1763800000.123456 [0 lua] "ZREM" "<prefix>timers" "remind|2100-01-01|s" */
static void monitor_read(void)
{
	char zrem[160];
	int zl = snprintf(zrem, sizeof(zrem), "[0 lua] \"ZREM\" \"%stimers\" \"", opt_prefix);

	for (;;) {
		ssize_t n;
		buf_reserve(&mon, 65536);
		n = read(mon_fd, buf_tail(&mon), 65536);
		if (n <= 0)
			break;
		mon.len += (size_t)n;
	}
	for (;;) {
		char *s = (char *)mon.p + mon.off, *e = memchr(s, '\n', mon.len), *q;
		if (e == NULL)
			break;
		*e = '\0';
		if (s[0] == '+' && (q = strstr(s, "[0 lua]")) != NULL) {
			if (strncmp(q, zrem, (size_t)zl) == 0) {
				long i = member_index(q + zl);
				if (i >= 0) {
					int64_t us = strtoll(s + 1, NULL, 10) * 1000000LL;
					char *dot = strchr(s, '.');
					if (dot != NULL)
						us += strtoll(dot + 1, NULL, 10);
					if (t_fire_count[i]++ == 0) {
						t_fired_us[i] = us;
						t_fired++;
					} else {
						t_dup++;
					}
				}
			} else if (strstr(q, "\"ZRANGEBYSCORE\"") != NULL) {
				t_claims++;
			}
		}
		buf_consume(&mon, (size_t)(e + 1 - s));
	}
}

void phase_timers(void)
{
	int cfd = redis_connect();
	struct epoll_event e = { .events = EPOLLIN };
	struct buf b = { 0 };
	long rss0, rss1;
	int64_t start_ms, t0;
	int64_t *late;
	size_t nl = 0;
	char key[200], line[256];
	long long left, base;

	say("timers: %d reminders due over %.0f s...\n", opt_timers_n, opt_timers_spread_s);
	t_due_us = calloc((size_t)opt_timers_n, sizeof(int64_t));
	t_fired_us = calloc((size_t)opt_timers_n, sizeof(int64_t));
	t_fire_count = calloc((size_t)opt_timers_n, sizeof(uint32_t));
	late = calloc((size_t)opt_timers_n, sizeof(int64_t));
	/* MONITOR first, so no firing is missed */
	mon_fd = redis_connect();
	buf_add(&b, "*1\r\n$7\r\nMONITOR\r\n", 17);
	write_all(mon_fd, &b);
	read_line(mon_fd, line, sizeof(line));
	if (strcmp(line, "+OK") != 0)
		die("MONITOR: %s", line);
	fcntl(mon_fd, F_SETFL, fcntl(mon_fd, F_GETFL) | O_NONBLOCK);
	e.data.fd = mon_fd;
	epoll_ctl(ep, EPOLL_CTL_ADD, mon_fd, &e);
	on_monitor = monitor_read;

	settle(0.5);
	rss0 = proc_status(child, "VmRSS");
	snprintf(key, sizeof(key), "%stimers", opt_prefix);
	base = redis_int(cfd, "ZCARD", key);     /* the daemon's own (the week close) */
	start_ms = wall_ms() + 5000;
	for (int i = 0; i < opt_timers_n;) {
		int n = opt_timers_n - i < 1000 ? opt_timers_n - i : 1000;
		char h[32];
		int hl = snprintf(h, sizeof(h), "*%d\r\n", 2 + 2 * n);
		buf_add(&b, h, (size_t)hl);
		resp_arg(&b, "ZADD", 4);
		resp_arg(&b, key, strlen(key));
		for (int k = 0; k < n; k++, i++) {
			int y;
			unsigned mo, d;
			char score[32], member[64];
			int64_t due = start_ms + (int64_t)((double)i * opt_timers_spread_s * 1000.0 / opt_timers_n);
			int sl = snprintf(score, sizeof(score), "%" PRId64, due), ml;
			civil(TIMER_DAY0 + i, &y, &mo, &d);
			ml = snprintf(member, sizeof(member), "remind|%04d-%02u-%02u|s", y, mo, d);
			t_due_us[i] = due * 1000;
			resp_arg(&b, score, (size_t)sl);
			resp_arg(&b, member, (size_t)ml);
		}
	}
	write_all(cfd, &b);
	for (int i = 0; i < (opt_timers_n + 999) / 1000; i++) {
		read_line(cfd, line, sizeof(line));
		if (line[0] != ':')
			die("ZADD: %s", line);
	}
	say("  inserted; first due in %.1f s\n", (double)(start_ms - wall_ms()) / 1e3);
	t0 = now_ns();
	while (t_fired < (uint64_t)opt_timers_n &&
	    wall_ms() < start_ms + (int64_t)(opt_timers_spread_s * 1000) + 60000)
		pump(20);
	settle(1.0);
	monitor_read();
	left = redis_int(cfd, "ZCARD", key) - base;
	rss1 = proc_status(child, "VmRSS");
	for (int i = 0; i < opt_timers_n; i++)
		if (t_fire_count[i])
			late[nl++] = t_fired_us[i] - t_due_us[i];
	qsort(late, nl, sizeof(*late), cmp_i64);
	result("timers_n", "%d", opt_timers_n);
	result("timers_fired", "%" PRIu64, t_fired);
	result("timers_fired_twice", "%" PRIu64, t_dup);
	result("timers_left_in_set", "%lld", left);
	result("timers_claim_calls", "%" PRIu64, t_claims);
	result("timers_late_p50_ms", "%.1f", pct(late, nl, 50) / 1e3);
	result("timers_late_p90_ms", "%.1f", pct(late, nl, 90) / 1e3);
	result("timers_late_p99_ms", "%.1f", pct(late, nl, 99) / 1e3);
	result("timers_late_p999_ms", "%.1f", pct(late, nl, 99.9) / 1e3);
	result("timers_late_max_ms", "%.1f", nl ? (double)late[nl - 1] / 1e3 : NAN);
	result("timers_rss_before_kb", "%ld", rss0);
	result("timers_rss_after_kb", "%ld", rss1);
	say("  fired %" PRIu64 "/%d (twice: %" PRIu64 ", left %lld) in %.1f s; lateness p50 %.1f p99 %.1f "
	    "max %.1f ms; RSS %ld -> %ld kB\n", t_fired, opt_timers_n, t_dup, left, (double)(now_ns() - t0) / 1e9,
	    pct(late, nl, 50) / 1e3, pct(late, nl, 99) / 1e3, nl ? (double)late[nl - 1] / 1e3 : NAN, rss0, rss1);
	{
		/* how many fired before their due time (should be none) */
		size_t early = 0;
		for (size_t i = 0; i < nl; i++)
			if (late[i] < 0)
				early++;
		result("timers_early", "%zu", early);
	}
	epoll_ctl(ep, EPOLL_CTL_DEL, mon_fd, NULL);
	close(mon_fd);
	mon_fd = -1;
	close(cfd);
	free(b.p);
}
