/*
 * sitegen: the site server of the site protocol (shared/PROTOCOL-site.md) as
 * a load generator.  It listens, starts the client under test (the argv
 * after "--": the real dutybot, or bench/rawclient or bench/lwsclient for
 * the ceilings), waits for it to connect and identify, and runs the phases
 * named by --phases in order.  Every figure is printed as a line
 *   R <key> <value>
 * on stdout (bench/run.sh turns them into the table); progress goes to stderr.
 *
 * One thread, epoll, one connection.  Frames are built with memcpy, never a
 * printf per frame; actions from the client are acked as soon as they are
 * read.  A command carries its sequence number in its room ("q<seq>"): the
 * reply goes to that room, so every reply is matched to its command whatever
 * the order, and its latency is exact (send() of the command to the read of
 * the reply, CLOCK_MONOTONIC).
 */
#include "ws.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#define HIGH_WATER (256 * 1024)
#define RING (1u << 20)
#define USERS 1000              /* staff (ministers) u1..u1000, friends u1001..u2000 */
#define MAX_LAT (4u << 20)

/* ---- options ---- */

static int opt_port;
static const char *opt_phases = "chatter,ping";
static int opt_redis_port;
static pid_t opt_redis_pid;
static int opt_metrics_port;
static const char *opt_prefix = "dutybot:{bench}:";
static double opt_burst_s = 5.0;
static double opt_chatter_s = 5.0;
static int opt_window = 1024;
static int opt_serial_n = 5000;
static double opt_paced_s = 15.0;
static int opt_paced_rate = 1000;
static long opt_mem_events = 1000000;
static int opt_timers_n = 100000;
static double opt_timers_spread_s = 30.0;
static double opt_idle_s = 60.0;
static bool opt_verbose;

/* ---- the connection ---- */

struct peer {
	int fd;
	bool upgraded;
	struct buf in, out;
	struct buf frag;                /* a fragmented message being assembled */
	int frag_op;
};

static struct peer P = { .fd = -1 };
static int ep, lfd, mon_fd = -1;
static pid_t child;
static bool ready;
static int connects;
static uint64_t next_id = 1;            /* site message ids "m-<n>" (acks take one too) */
static uint64_t cmd_seq;                /* command sequence numbers, in the room "q<seq>" */
static int64_t *sent_at;                /* ring by seq: when the command was written */
static uint64_t *end_off;               /* ring by seq: its end in the stream of bytes ever queued */
static uint64_t total_sent;             /* bytes ever handed to the kernel */
static uint64_t stamp_from;             /* first seq not yet stamped */

/* what came back */
static uint64_t replies, replies_bad, other_sends, dms, heartbeats, actions, done_replies;
static char bad_sample[240];
static const char *expect = "";         /* substring every reply of the phase must have */
static int64_t last_reply_ns;
static int64_t *lat;                    /* ns */
static int64_t *lat_at;                 /* when its command was sent (for SITEGEN_LAT_DUMP) */
static size_t nlat;
static bool record_lat;

static void out_flush(void);
static void note_end(uint64_t seq);

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
}

static void result(const char *key, const char *fmt, ...)
{
	va_list ap;

	printf("R %s ", key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "sitegen: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	if (child > 0)
		kill(child, SIGKILL);
	exit(1);
}

/* ---- /proc ---- */

static int64_t proc_cpu_ns(pid_t pid)
{
	char path[64], line[512];
	DIR *d;
	struct dirent *e;
	int64_t sum = 0;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if ((d = opendir(path)) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		FILE *f;
		if (e->d_name[0] == '.')
			continue;
		snprintf(line, sizeof(line), "%s/%s/schedstat", path, e->d_name);
		if ((f = fopen(line, "r")) != NULL) {
			long long ns;
			if (fscanf(f, "%lld", &ns) == 1)
				sum += ns;
			fclose(f);
		}
	}
	closedir(d);
	return sum;
}

static long proc_status(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t n = strlen(field);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, field, n) == 0 && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* utime + stime in clock ticks, from /proc/PID/stat */
static long long proc_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut = 0, st = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	/* fields after ")": state(3) ... utime(14) stime(15) */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1;
	return (long long)(ut + st);
}

/* CPU time the whole machine was busy (all CPUs, /proc/stat), ns */
static int64_t machine_busy_ns(void)
{
	unsigned long long v[10] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	long hz = sysconf(_SC_CLK_TCK);

	if (f == NULL)
		return 0;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
	    &v[6], &v[7]) != 8)
		v[0] = v[1] = v[2] = v[5] = v[6] = v[7] = 0;
	fclose(f);
	/* user nice system irq softirq steal: everything but idle and iowait */
	return (int64_t)((v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) * (1000000000ULL / (unsigned long long)hz));
}

struct usage {
	int64_t t, child_cpu, redis_cpu, self_cpu, machine;
};

static struct usage usage_now(void)
{
	struct usage u = { now_ns(), proc_cpu_ns(child), proc_cpu_ns(opt_redis_pid), proc_cpu_ns(getpid()),
		machine_busy_ns() };

	return u;
}

/* "<name>_cpu_<who>" = % of one core over the interval */
static void report_usage(const char *name, struct usage a)
{
	struct usage b = usage_now();
	double dt = (double)(b.t - a.t);
	char key[96];

	snprintf(key, sizeof(key), "%s_cpu_daemon", name);
	result(key, "%.0f", 100.0 * (double)(b.child_cpu - a.child_cpu) / dt);
	if (opt_redis_pid > 0) {
		snprintf(key, sizeof(key), "%s_cpu_redis", name);
		result(key, "%.0f", 100.0 * (double)(b.redis_cpu - a.redis_cpu) / dt);
	}
	snprintf(key, sizeof(key), "%s_cpu_gen", name);
	result(key, "%.0f", 100.0 * (double)(b.self_cpu - a.self_cpu) / dt);
	/* what the rest of the machine (kernel softirqs, other processes) used meanwhile */
	snprintf(key, sizeof(key), "%s_cpu_other", name);
	result(key, "%.0f", 100.0 * (double)((b.machine - a.machine) - (b.child_cpu - a.child_cpu) -
	    (b.redis_cpu - a.redis_cpu) - (b.self_cpu - a.self_cpu)) / dt);
}

/* ---- frames out ---- */

static const char *const chatter_texts[] = {
	"hi all",
	"good morning everyone, coffee is ready in the kitchen",
	"has anyone seen the ticket about the broken login page? users keep asking in the lobby",
	"lol",
	"the queue is long today, we might need one more person on the late shift if it keeps up like this",
	"ok thanks",
	"I'll take the next one",
	"can someone check whether the mail server answers again? the last three reports all bounced and the "
	    "customer is getting impatient, she has written four times since this morning",
};
#define N_CHATTER (sizeof(chatter_texts) / sizeof(chatter_texts[0]))

/* {"type":"message","id":"m-N","room":ROOM,"user":{"id":"uU","name":"User U","bot":false},
 *  "text":TEXT,"ts":TS,"dm":false} */
static void add_message(unsigned user, const char *room, size_t room_len, const char *text, size_t text_len,
                        int64_t ts)
{
	char f[1024], *d = f;

	if (text_len > 600)
		text_len = 600;
	d = put_str(d, "{\"type\":\"message\",\"id\":\"m-");
	d = put_u64(d, next_id++);
	d = put_str(d, "\",\"room\":\"");
	memcpy(d, room, room_len);
	d += room_len;
	d = put_str(d, "\",\"user\":{\"id\":\"u");
	d = put_u64(d, user);
	d = put_str(d, "\",\"name\":\"User ");
	d = put_u64(d, user);
	d = put_str(d, "\",\"bot\":false},\"text\":\"");
	memcpy(d, text, text_len);
	d += text_len;
	d = put_str(d, "\",\"ts\":");
	d = put_u64(d, (uint64_t)ts);
	d = put_str(d, ",\"dm\":false}");
	ws_add_frame(&P.out, WS_TEXT, f, (size_t)(d - f));
}

static void add_chatter(uint64_t i, int64_t ts)
{
	const char *t = chatter_texts[i % N_CHATTER];

	add_message((unsigned)(1 + i % 5000), "lobby", 5, t, strlen(t), ts);
}

enum kind { K_PING, K_WHOAMI, K_SET, K_LANG, K_MAX };
static const char *const kind_names[] = { "ping", "whoami", "set", "lang" };
/* what each reply must contain (the en catalog) */
static const char *const kind_expect[] = { "pong", "staff id", "is now", "Language set to en|Sprache auf de" };

/* One command of KIND, in room q<seq>; returns seq. */
static uint64_t add_command(enum kind k)
{
	uint64_t seq = cmd_seq++;
	unsigned user = (unsigned)(1 + seq % USERS);
	char room[32], text[128], *d;

	d = room;
	*d++ = 'q';
	d = put_u64(d, seq);
	switch (k) {
	case K_PING:
		strcpy(text, "!ping");
		break;
	case K_WHOAMI:
		strcpy(text, "!whoami");
		break;
	case K_SET:
		/* minister b<user> renames agent t<user>: a new value every time */
		snprintf(text, sizeof(text), "!staff set t%u name Bench %" PRIu64, user, seq);
		break;
	case K_LANG:
		/* friend u<1000+user> alternates de/en: HSET + PEXPIRE + audit XADD each time */
		user += USERS;
		strcpy(text, (seq / USERS) % 2 ? "!lang en" : "!lang de");
		break;
	default:
		break;
	}
	add_message(user, room, (size_t)(d - room), text, strlen(text), wall_ms());
	sent_at[seq % RING] = 0;        /* set at the write; see out_flush */
	note_end(seq);
	return seq;
}

/* ---- frames in ---- */

static void send_ctl(const char *json)
{
	ws_add_frame(&P.out, WS_TEXT, json, strlen(json));
}

/* EXP: alternatives separated by '|' */
static bool matches(const char *text, size_t tlen, const char *exp)
{
	for (;;) {
		const char *bar = strchr(exp, '|');
		size_t n = bar ? (size_t)(bar - exp) : strlen(exp);
		if (memmem(text, tlen, exp, n) != NULL)
			return true;
		if (bar == NULL)
			return false;
		exp = bar + 1;
	}
}

static void on_reply(uint64_t seq, const char *text, size_t tlen)
{
	int64_t t = now_ns();

	replies++;
	last_reply_ns = t;
	if (*expect && !matches(text, tlen, expect)) {
		if (replies_bad++ == 0)
			snprintf(bad_sample, sizeof(bad_sample), "%.*s", (int)(tlen > 200 ? 200 : tlen), text);
	}
	if (record_lat && nlat < MAX_LAT && sent_at[seq % RING] > 0) {
		lat_at[nlat] = sent_at[seq % RING];
		lat[nlat++] = t - sent_at[seq % RING];
	}
}

static void on_text(const char *p, size_t n)
{
	size_t tl, rl, vl;
	const char *type = json_str(p, n, "type", &tl), *ref, *room, *text;

	if (type == NULL)
		return;
	if (tl == 8 && memcmp(type, "identify", 8) == 0) {
		send_ctl("{\"type\":\"ready\",\"session\":\"s-bench\",\"user\":{\"id\":\"b0\",\"name\":\"dutybot\"},"
		    "\"resumed\":false}");
		ready = true;
		return;
	}
	if (tl == 9 && memcmp(type, "heartbeat", 9) == 0) {
		heartbeats++;
		send_ctl("{\"type\":\"heartbeat_ack\"}");
		return;
	}
	if ((ref = json_str(p, n, "ref", &rl)) == NULL)
		return;
	/* every action is acked at once */
	{
		char a[128], *d = a;
		d = put_str(d, "{\"type\":\"ack\",\"ref\":\"");
		memcpy(d, ref, rl < 40 ? rl : 40);
		d += rl < 40 ? rl : 40;
		d = put_str(d, "\",\"id\":\"m-");
		d = put_u64(d, next_id++);
		d = put_str(d, "\"}");
		ws_add_frame(&P.out, WS_TEXT, a, (size_t)(d - a));
	}
	actions++;
	text = json_str(p, n, "text", &vl);
	if (text == NULL)
		text = "", vl = 0;
	if (tl == 4 && memcmp(type, "send", 4) == 0 && (room = json_str(p, n, "room", &rl)) != NULL) {
		if (rl > 1 && room[0] == 'q') {
			on_reply(strtoull(room + 1, NULL, 10), text, vl);
			return;
		}
		if (rl == 4 && memcmp(room, "done", 4) == 0) {
			done_replies++;
			last_reply_ns = now_ns();
			return;
		}
		other_sends++;
		if (opt_verbose)
			say("  (send to %.*s: %.*s)\n", (int)rl, room, (int)(vl > 120 ? 120 : vl), text);
		return;
	}
	dms++;
	if (dms <= 3)
		say("  (unexpected %.*s: %.*s)\n", (int)tl, type, (int)(vl > 160 ? 160 : vl), text);
}

static void close_peer(const char *why)
{
	if (P.fd < 0)
		return;
	say("sitegen: connection closed: %s\n", why);
	epoll_ctl(ep, EPOLL_CTL_DEL, P.fd, NULL);
	close(P.fd);
	P.fd = -1;
	P.upgraded = false;
	ready = false;
	P.in.len = P.in.off = 0;
	total_sent += P.out.len;        /* lost with the connection */
	P.out.len = P.out.off = 0;
	P.frag.len = P.frag.off = 0;
}

static void handshake(void)
{
	char head[4096], accept[29], resp[512];
	unsigned char *end = memmem(P.in.p + P.in.off, P.in.len, "\r\n\r\n", 4);
	size_t hlen, klen = 0, plen = 0;
	const char *key, *proto;

	if (end == NULL)
		return;
	hlen = (size_t)(end + 4 - (P.in.p + P.in.off));
	if (hlen >= sizeof(head))
		return close_peer("handshake too long");
	memcpy(head, P.in.p + P.in.off, hlen);
	head[hlen] = '\0';
	buf_consume(&P.in, hlen);
	key = http_header(head, "Sec-WebSocket-Key", &klen);
	proto = http_header(head, "Sec-WebSocket-Protocol", &plen);
	if (strncmp(head, "GET /bot", 8) != 0 || key == NULL)
		return close_peer("not a websocket request for /bot");
	if (proto == NULL || memmem(proto, plen, "dutybot.site.v1", 15) == NULL)
		return close_peer("subprotocol dutybot.site.v1 not offered");
	ws_accept_key(key, klen, accept);
	snprintf(resp, sizeof(resp), "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\nSec-WebSocket-Protocol: dutybot.site.v1\r\n\r\n",
	    accept);
	buf_add(&P.out, resp, strlen(resp));
	P.upgraded = true;
	send_ctl("{\"type\":\"hello\",\"heartbeat_ms\":30000}");
}

static void parse_in(void)
{
	if (!P.upgraded) {
		handshake();
		if (!P.upgraded)
			return;
	}
	while (P.fd >= 0 && P.in.len > 0) {
		struct ws_frame f;
		long n = ws_parse(P.in.p + P.in.off, P.in.len, &f);
		if (n == 0)
			break;
		if (n < 0)
			return close_peer("malformed frame");
		if (f.opcode == WS_TEXT || f.opcode == WS_CONT) {
			if (f.opcode == WS_TEXT && f.fin) {
				on_text((const char *)f.payload, f.len);
			} else {
				buf_add(&P.frag, f.payload, f.len);
				if (f.fin) {
					on_text((const char *)P.frag.p + P.frag.off, P.frag.len);
					P.frag.len = P.frag.off = 0;
				}
			}
		} else if (f.opcode == WS_PING) {
			ws_add_frame(&P.out, WS_PONG, f.payload, f.len);
		} else if (f.opcode == WS_CLOSE) {
			buf_consume(&P.in, (size_t)n);
			ws_add_frame(&P.out, WS_CLOSE, f.payload, f.len > 125 ? 125 : f.len);
			buf_flush(&P.out, P.fd);
			return close_peer("client sent close");
		}
		buf_consume(&P.in, (size_t)n);
	}
}

static void read_peer(void)
{
	for (int i = 0; i < 16; i++) {
		ssize_t n;
		buf_reserve(&P.in, 256 * 1024);
		n = recv(P.fd, buf_tail(&P.in), 256 * 1024, 0);
		if (n > 0) {
			P.in.len += (size_t)n;
			if (n < 256 * 1024)
				break;
			continue;
		}
		if (n == 0)
			return close_peer("eof");
		if (errno == EAGAIN || errno == EINTR)
			break;
		return close_peer(strerror(errno));
	}
	parse_in();
}

/* A command counts as sent when the write() that takes its last byte returns:
 * END_OFF[seq] is its end in the stream of bytes ever queued. */

static void note_end(uint64_t seq)
{
	end_off[seq % RING] = total_sent + P.out.len;
}

static void out_flush(void)
{
	size_t before;

	if (P.fd < 0)
		return;
	before = P.out.len;
	if (buf_flush(&P.out, P.fd) < 0)
		return close_peer(strerror(errno));
	total_sent += before - P.out.len;
	if (stamp_from < cmd_seq && end_off[stamp_from % RING] <= total_sent) {
		int64_t t = now_ns();
		while (stamp_from < cmd_seq && end_off[stamp_from % RING] <= total_sent)
			sent_at[stamp_from++ % RING] = t;
	}
}

static bool out_want;

static void watch_out(void)
{
	bool want = P.fd >= 0 && P.out.len > 0;

	if (P.fd >= 0 && want != out_want) {
		struct epoll_event e = { .events = EPOLLIN | (want ? EPOLLOUT : 0), .data.fd = P.fd };
		epoll_ctl(ep, EPOLL_CTL_MOD, P.fd, &e);
		out_want = want;
	}
}

static void accept_peer(void)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), one = 1;
	struct epoll_event e = { .events = EPOLLIN };

	if (fd < 0)
		return;
	if (P.fd >= 0) {
		say("sitegen: a second connection: refusing it\n");
		close(fd);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	P.fd = fd;
	P.upgraded = false;
	out_want = false;
	e.data.fd = fd;
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
	connects++;
}

static void (*on_monitor)(void);
static int timer_fd = -1;
static uint64_t timer_ticks;

/* One turn: wait up to TIMEOUT_MS for anything, handle it, flush.  A
 * negative timeout is for producers: wait (up to -TIMEOUT_MS) only while
 * the socket does not take what is queued, else just look. */
static void pump(int timeout_ms)
{
	struct epoll_event ev[8];
	int n;

	out_flush();
	watch_out();
	if (timeout_ms < 0)
		timeout_ms = P.out.len > 0 ? -timeout_ms : 0;
	n = epoll_wait(ep, ev, 8, timeout_ms);
	for (int i = 0; i < n; i++) {
		int fd = ev[i].data.fd;
		if (fd == lfd)
			accept_peer();
		else if (fd == timer_fd) {
			uint64_t x;
			if (read(timer_fd, &x, sizeof(x)) == sizeof(x))
				timer_ticks += x;
		} else if (fd == mon_fd) {
			if (on_monitor)
				on_monitor();
		} else if (fd == P.fd) {
			if (ev[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
				read_peer();
			if (P.fd >= 0 && (ev[i].events & EPOLLOUT))
				out_flush();
		}
	}
	out_flush();
}

static void wait_ready(double seconds)
{
	int64_t end = now_ns() + (int64_t)(seconds * 1e9);

	while (!ready && now_ns() < end)
		pump(50);
	if (!ready)
		die("the client did not connect and identify within %.0f s", seconds);
}

static void settle(double seconds)
{
	int64_t end = now_ns() + (int64_t)(seconds * 1e9);

	while (now_ns() < end)
		pump(20);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static double pct(int64_t *v, size_t n, double p)
{
	size_t i;

	if (n == 0)
		return NAN;
	i = (size_t)ceil(p / 100.0 * (double)n);
	if (i > 0)
		i--;
	if (i >= n)
		i = n - 1;
	return (double)v[i];
}

static void phase_reset(const char *exp)
{
	replies = replies_bad = 0;
	bad_sample[0] = '\0';
	expect = exp;
	nlat = 0;
	record_lat = false;
}

static void check_bad(const char *name)
{
	char key[64];

	snprintf(key, sizeof(key), "%s_bad_replies", name);
	result(key, "%" PRIu64, replies_bad);
	if (replies_bad)
		say("  %s: %" PRIu64 " replies without \"%s\", e.g. \"%s\"\n", name, replies_bad, expect, bad_sample);
}

/* ---- phases ---- */

/* Chatter for CHATTER_S seconds as fast as the client reads, then one !ping
 * whose answer proves every line before it was read. */
static void phase_chatter(const char *name)
{
	struct usage u0;
	int64_t t0, stop, ts = wall_ms();
	uint64_t lines = 0;
	uint64_t done0 = done_replies;
	char key[64];

	say("%s: chatter for %.0f s...\n", name, opt_chatter_s);
	phase_reset("");
	u0 = usage_now();
	t0 = now_ns();
	stop = t0 + (int64_t)(opt_chatter_s * 1e9);
	while (P.fd >= 0) {
		int64_t t = now_ns();
		if (t >= stop)
			break;
		if ((lines & 1023) == 0)
			ts = wall_ms();
		while (P.out.len < HIGH_WATER) {
			add_chatter(lines++, ts);
			if ((lines & 255) == 0 && now_ns() >= stop)
				break;
		}
		pump(-100);
	}
	add_message(1, "done", 4, "!ping", 5, wall_ms());
	while (P.fd >= 0 && done_replies == done0 && now_ns() < stop + 120 * 1000000000LL)
		pump(100);
	if (done_replies == done0)
		die("%s: no answer to the final !ping", name);
	{
		double s = (double)(last_reply_ns - t0) / 1e9;
		snprintf(key, sizeof(key), "%s_lines", name);
		result(key, "%" PRIu64, lines);
		snprintf(key, sizeof(key), "%s_rate", name);
		result(key, "%.0f", (double)lines / s);
		say("  %" PRIu64 " lines in %.2f s: %.0f lines/s\n", lines, s, (double)lines / s);
	}
	report_usage(name, u0);
}

/* Commands of KIND for BURST_S seconds, at most WINDOW unanswered. */
static void phase_burst(const char *name, enum kind k)
{
	struct usage u0;
	int64_t t0, stop;
	uint64_t sent = 0;
	char key[64];

	say("%s: !%s burst for %.0f s (window %d)...\n", name, kind_names[k], opt_burst_s, opt_window);
	phase_reset(kind_expect[k]);
	u0 = usage_now();
	t0 = now_ns();
	stop = t0 + (int64_t)(opt_burst_s * 1e9);
	while (P.fd >= 0) {
		int64_t t = now_ns();
		if (t >= stop && replies >= sent)
			break;
		if (t >= stop + 60 * 1000000000LL)
			die("%s: %" PRIu64 " of %" PRIu64 " replies after 60 s", name, replies, sent);
		while (t < stop && sent - replies < (uint64_t)opt_window && P.out.len < HIGH_WATER) {
			add_command(k);
			sent++;
		}
		pump(t < stop && sent - replies < (uint64_t)opt_window ? -100 : 10);
	}
	{
		double s = (double)(last_reply_ns - t0) / 1e9;
		snprintf(key, sizeof(key), "%s_n", name);
		result(key, "%" PRIu64, sent);
		snprintf(key, sizeof(key), "%s_rate", name);
		result(key, "%.0f", (double)replies / s);
		say("  %" PRIu64 " commands in %.2f s: %.0f/s\n", replies, s, (double)replies / s);
	}
	check_bad(name);
	report_usage(name, u0);
}

static void report_lat(const char *name)
{
	char key[64];

	if (getenv("SITEGEN_LAT_DUMP") != NULL) {
		/* "<send time, CLOCK_MONOTONIC s> <latency us>" per sample (perf record -k mono) */
		char path[512];
		FILE *f;
		snprintf(path, sizeof(path), "%s.%s", getenv("SITEGEN_LAT_DUMP"), name);
		if ((f = fopen(path, "w")) != NULL) {
			for (size_t i = 0; i < nlat; i++)
				fprintf(f, "%.6f %.1f\n", (double)lat_at[i] / 1e9, (double)lat[i] / 1e3);
			fclose(f);
		}
	}
	qsort(lat, nlat, sizeof(*lat), cmp_i64);
	snprintf(key, sizeof(key), "%s_n", name);
	result(key, "%zu", nlat);
	snprintf(key, sizeof(key), "%s_p50_us", name);
	result(key, "%.0f", pct(lat, nlat, 50) / 1e3);
	snprintf(key, sizeof(key), "%s_p99_us", name);
	result(key, "%.0f", pct(lat, nlat, 99) / 1e3);
	snprintf(key, sizeof(key), "%s_p999_us", name);
	result(key, "%.0f", pct(lat, nlat, 99.9) / 1e3);
	snprintf(key, sizeof(key), "%s_max_us", name);
	result(key, "%.0f", nlat ? (double)lat[nlat - 1] / 1e3 : NAN);
	say("  %zu samples: p50 %.0f us, p99 %.0f us, p99.9 %.0f us, max %.0f us\n", nlat,
	    pct(lat, nlat, 50) / 1e3, pct(lat, nlat, 99) / 1e3, pct(lat, nlat, 99.9) / 1e3,
	    nlat ? (double)lat[nlat - 1] / 1e3 : NAN);
}

/* One command at a time: send, wait for the answer, next. */
static void phase_serial(const char *name, enum kind k)
{
	struct usage u0;

	say("%s: %d x !%s, one at a time...\n", name, opt_serial_n, kind_names[k]);
	phase_reset(kind_expect[k]);
	record_lat = true;
	u0 = usage_now();
	for (int i = 0; i < opt_serial_n && P.fd >= 0; i++) {
		uint64_t want = replies + 1;
		int64_t end = now_ns() + 10 * 1000000000LL;
		add_command(k);
		out_flush();
		while (replies < want && now_ns() < end)
			pump(10);
		if (replies < want)
			die("%s: no answer within 10 s", name);
	}
	report_lat(name);
	check_bad(name);
	report_usage(name, u0);
}

/* An open loop: RATE commands per second whatever the answers do. */
static void phase_paced(const char *name, enum kind k)
{
	struct usage u0;
	struct itimerspec its = { { 0, 1000000000L / opt_paced_rate }, { 0, 1000000000L / opt_paced_rate } };
	struct epoll_event e = { .events = EPOLLIN };
	uint64_t sent = 0, total = (uint64_t)(opt_paced_s * opt_paced_rate);
	int64_t end;

	say("%s: !%s at %d/s for %.0f s...\n", name, kind_names[k], opt_paced_rate, opt_paced_s);
	phase_reset(kind_expect[k]);
	record_lat = true;
	timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	e.data.fd = timer_fd;
	epoll_ctl(ep, EPOLL_CTL_ADD, timer_fd, &e);
	timer_ticks = 0;
	timerfd_settime(timer_fd, 0, &its, NULL);
	u0 = usage_now();
	while (P.fd >= 0 && sent < total) {
		pump(100);
		while (sent < timer_ticks && sent < total) {
			add_command(k);
			sent++;
		}
		out_flush();
	}
	close(timer_fd);
	timer_fd = -1;
	end = now_ns() + 10 * 1000000000LL;
	while (replies < sent && now_ns() < end)
		pump(10);
	if (replies < sent)
		say("  %s: %" PRIu64 " of %" PRIu64 " answered\n", name, replies, sent);
	report_lat(name);
	check_bad(name);
	report_usage(name, u0);
}

/* Events: 3 chatter lines then 1 command (ping, whoami, set, lang in turn),
 * at most 512 commands unanswered; RSS after each million. */
static void phase_memory(void)
{
	long rss0 = proc_status(child, "VmRSS");
	uint64_t ev = 0, cmds = 0;
	int64_t t0 = now_ns(), ts = wall_ms();
	char key[64];

	say("memory: 2 x %ld events (3 chatter : 1 command)...\n", opt_mem_events);
	phase_reset("");
	result("mem_rss_start_kb", "%ld", rss0);
	for (int m = 1; m <= 2; m++) {
		uint64_t goal = (uint64_t)opt_mem_events * (uint64_t)m;
		while (P.fd >= 0 && (ev < goal || replies < cmds)) {
			while (ev < goal && cmds - replies < 512 && P.out.len < HIGH_WATER) {
				if (ev % 4 == 3) {
					add_command((enum kind)((ev / 4) % K_MAX));
					cmds++;
				} else {
					if ((ev & 1023) == 0)
						ts = wall_ms();
					add_chatter(ev, ts);
				}
				ev++;
			}
			pump(ev < goal && cmds - replies < 512 ? -100 : 10);
			if (now_ns() - t0 > 600 * 1000000000LL)
				die("memory: stuck at %" PRIu64 " events, %" PRIu64 "/%" PRIu64 " replies", ev, replies, cmds);
		}
		settle(2.5);    /* past the daemon's 2 s housekeeping, which gives freed memory back */
		snprintf(key, sizeof(key), "mem_rss_%dm_kb", m);
		result(key, "%ld", proc_status(child, "VmRSS"));
		say("  %" PRIu64 " events (%" PRIu64 " commands) in %.1f s, RSS %ld kB\n", ev, cmds,
		    (double)(now_ns() - t0) / 1e9, proc_status(child, "VmRSS"));
	}
	result("mem_commands", "%" PRIu64, cmds);
	result("mem_events", "%" PRIu64, ev);
	result("mem_bad_replies", "%" PRIu64, replies_bad);
}

static void phase_idle(void)
{
	int64_t c0 = proc_cpu_ns(child), t0 = now_ns(), m0 = machine_busy_ns();
	long long k0 = proc_ticks(child);
	long v0 = proc_status(child, "voluntary_ctxt_switches");
	int64_t end = t0 + (int64_t)(opt_idle_s * 1e9);

	say("idle: %.0f s...\n", opt_idle_s);
	while (now_ns() < end)
		pump(200);
	{
		double dt = (double)(now_ns() - t0);
		int64_t c1 = proc_cpu_ns(child);
		long long k1 = proc_ticks(child);
		long v1 = proc_status(child, "voluntary_ctxt_switches");
		result("idle_seconds", "%.0f", dt / 1e9);
		result("idle_cpu_ms", "%.1f", (double)(c1 - c0) / 1e6);
		result("idle_cpu_pct", "%.4f", 100.0 * (double)(c1 - c0) / dt);
		result("idle_ticks", "%lld", k1 - k0);
		result("idle_wakeups_per_s", "%.1f", (double)(v1 - v0) / (dt / 1e9));
		result("idle_heartbeats", "%" PRIu64, heartbeats);
		result("idle_machine_busy_pct", "%.1f", 100.0 * (double)(machine_busy_ns() - m0) / dt);
		say("  %.1f ms of CPU in %.0f s (%.4f %%), %.1f wakeups/s\n", (double)(c1 - c0) / 1e6, dt / 1e9,
		    100.0 * (double)(c1 - c0) / dt, (double)(v1 - v0) / (dt / 1e9));
	}
	result("rss_end_kb", "%ld", proc_status(child, "VmRSS"));
}

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

static void phase_timers(void)
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

/* ---- /metrics ---- */

static void fetch_metrics(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)opt_metrics_port) };
	int fd;
	struct buf b = { 0 };
	const char req[] = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
	struct timeval tv = { 3, 0 };
	unsigned long long ok = 0, notok = 0, v;
	char *line, *save = NULL;

	if (opt_metrics_port <= 0)
		return;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || write(fd, req, sizeof(req) - 1) < 0) {
		close(fd);
		return;
	}
	for (;;) {
		ssize_t n;
		const char *cl, *hend;
		buf_reserve(&b, 65536);
		n = read(fd, buf_tail(&b), 65536);
		if (n <= 0)
			break;
		b.len += (size_t)n;
		/* HTTP/1.0: the server closes; stop early once Content-Length bytes are in */
		buf_add(&b, "", 1);
		b.len--;
		hend = strstr((char *)b.p, "\r\n\r\n");
		cl = strcasestr((char *)b.p, "content-length:");
		if (hend && cl && cl < hend && b.len >= (size_t)(hend + 4 - (char *)b.p) + strtoul(cl + 15, NULL, 10))
			break;
	}
	close(fd);
	buf_add(&b, "", 1);
	for (line = strtok_r((char *)b.p, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strrchr(line, ' ');
		if (line[0] == '#' || sp == NULL)
			continue;
		v = strtoull(sp + 1, NULL, 10);
		if (strncmp(line, "dutybot_commands_total{", 23) == 0) {
			if (strstr(line, "result=\"ok\""))
				ok += v;
			else
				notok += v;
		} else if (strncmp(line, "dutybot_throttled_total ", 24) == 0) {
			result("metrics_throttled", "%llu", v);
		} else if (strncmp(line, "dutybot_begin_batches_total ", 28) == 0) {
			result("metrics_begin_batches", "%llu", v);
		} else if (strncmp(line, "dutybot_duplicates_total ", 25) == 0) {
			result("metrics_duplicates", "%llu", v);
		} else if (strncmp(line, "dutybot_redis_errors_total ", 27) == 0) {
			result("metrics_redis_errors", "%llu", v);
		} else if (strncmp(line, "dutybot_reconnects_total{", 25) == 0) {
			result("metrics_reconnects", "%llu", v);
		} else if (strncmp(line, "dutybot_events_in_total{", 24) == 0) {
			result("metrics_events_in", "%llu", v);
		}
	}
	result("metrics_commands_ok", "%llu", ok);
	result("metrics_commands_not_ok", "%llu", notok);
	free(b.p);
}

/* ---- main ---- */

static void usage(void)
{
	fprintf(stderr, "usage: sitegen --port N [--phases a,b,...] [options] -- client argv...\n"
	    "phases: start memory chatter ping whoami set lang serial serial_set paced paced_set timers idle\n");
	exit(2);
}

static void listen_on(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct epoll_event e = { .events = EPOLLIN };
	int one = 1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(lfd, 16) != 0)
		die("cannot listen on 127.0.0.1:%d: %s", port, strerror(errno));
	e.data.fd = lfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &e);
}

static void stop_child(void)
{
	int status = 0;
	int64_t end = now_ns() + 10 * 1000000000LL;

	if (child <= 0)
		return;
	kill(child, SIGTERM);
	/* keep serving: the daemon drains, then closes with a close frame */
	while (now_ns() < end) {
		pid_t r = waitpid(child, &status, WNOHANG);
		if (r == child) {
			result("client_exit", "%d", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
			child = 0;
			return;
		}
		pump(20);
	}
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	result("client_exit", "killed");
	child = 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' }, { "phases", required_argument, NULL, 'P' },
		{ "redis-port", required_argument, NULL, 'r' }, { "redis-pid", required_argument, NULL, 'R' },
		{ "metrics-port", required_argument, NULL, 'm' }, { "prefix", required_argument, NULL, 'x' },
		{ "burst", required_argument, NULL, 'b' }, { "chatter", required_argument, NULL, 'c' },
		{ "window", required_argument, NULL, 'w' }, { "serial", required_argument, NULL, 's' },
		{ "paced", required_argument, NULL, 'd' }, { "rate", required_argument, NULL, 'q' },
		{ "events", required_argument, NULL, 'e' }, { "timers", required_argument, NULL, 't' },
		{ "spread", required_argument, NULL, 'S' }, { "idle", required_argument, NULL, 'i' },
		{ "verbose", no_argument, NULL, 'v' }, { NULL, 0, NULL, 0 },
	};
	int c;
	char phases[512], *ph, *save = NULL;

	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': opt_port = atoi(optarg); break;
		case 'P': opt_phases = optarg; break;
		case 'r': opt_redis_port = atoi(optarg); break;
		case 'R': opt_redis_pid = atoi(optarg); break;
		case 'm': opt_metrics_port = atoi(optarg); break;
		case 'x': opt_prefix = optarg; break;
		case 'b': opt_burst_s = atof(optarg); break;
		case 'c': opt_chatter_s = atof(optarg); break;
		case 'w': opt_window = atoi(optarg); break;
		case 's': opt_serial_n = atoi(optarg); break;
		case 'd': opt_paced_s = atof(optarg); break;
		case 'q': opt_paced_rate = atoi(optarg); break;
		case 'e': opt_mem_events = atol(optarg); break;
		case 't': opt_timers_n = atoi(optarg); break;
		case 'S': opt_timers_spread_s = atof(optarg); break;
		case 'i': opt_idle_s = atof(optarg); break;
		case 'v': opt_verbose = true; break;
		default: usage();
		}
	}
	if (opt_port <= 0 || optind >= argc)
		usage();
	signal(SIGPIPE, SIG_IGN);
	sent_at = calloc(RING, sizeof(*sent_at));
	end_off = calloc(RING, sizeof(*end_off));
	lat = malloc(MAX_LAT * sizeof(*lat));
	lat_at = malloc(MAX_LAT * sizeof(*lat_at));
	ep = epoll_create1(EPOLL_CLOEXEC);
	listen_on(opt_port);

	child = fork();
	if (child == 0) {
		execvp(argv[optind], argv + optind);
		perror(argv[optind]);
		_exit(127);
	}
	wait_ready(30);
	say("sitegen: client pid %d connected and identified\n", (int)child);

	snprintf(phases, sizeof(phases), "%s", opt_phases);
	for (ph = strtok_r(phases, ",", &save); ph; ph = strtok_r(NULL, ",", &save)) {
		if (P.fd < 0)
			wait_ready(30);
		if (strcmp(ph, "start") == 0) {
			settle(2.0);
			result("rss_start_kb", "%ld", proc_status(child, "VmRSS"));
		} else if (strcmp(ph, "memory") == 0) {
			phase_memory();
		} else if (strcmp(ph, "chatter") == 0) {
			phase_chatter("chatter");
		} else if (strcmp(ph, "ping") == 0) {
			phase_burst("ping", K_PING);
		} else if (strcmp(ph, "whoami") == 0) {
			phase_burst("whoami", K_WHOAMI);
		} else if (strcmp(ph, "set") == 0) {
			phase_burst("set", K_SET);
		} else if (strcmp(ph, "lang") == 0) {
			phase_burst("lang", K_LANG);
		} else if (strcmp(ph, "serial") == 0) {
			phase_serial("serial", K_PING);
		} else if (strcmp(ph, "serial_set") == 0) {
			phase_serial("serial_set", K_SET);
		} else if (strcmp(ph, "paced") == 0) {
			phase_paced("paced", K_PING);
		} else if (strcmp(ph, "paced_set") == 0) {
			phase_paced("paced_set", K_SET);
		} else if (strcmp(ph, "timers") == 0) {
			phase_timers();
		} else if (strcmp(ph, "idle") == 0) {
			phase_idle();
		} else if (strcmp(ph, "metrics") == 0) {
			fetch_metrics();
		} else {
			die("unknown phase %s", ph);
		}
	}
	result("connects", "%d", connects);
	result("unexpected_actions", "%" PRIu64, dms);
	result("channel_posts", "%" PRIu64, other_sends);
	result("actions_acked", "%" PRIu64, actions);
	stop_child();
	return 0;
}
