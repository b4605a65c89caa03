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
 *
 * The parts: sitegen_proc.c (/proc), sitegen_phases.c (the phases and
 * /metrics), sitegen_timers.c (the timers phase); sitegen.h holds what they
 * share.
 */
#include "sitegen.h"

/* ---- options ---- */

static int opt_port;
static const char *opt_phases = "chatter,ping";
int opt_redis_port;
pid_t opt_redis_pid;
int opt_metrics_port;
const char *opt_prefix = "dutybot:{bench}:";
double opt_burst_s = 5.0;
double opt_chatter_s = 5.0;
int opt_window = 1024;
int opt_serial_n = 5000;
double opt_paced_s = 15.0;
int opt_paced_rate = 1000;
long opt_mem_events = 1000000;
int opt_timers_n = 100000;
double opt_timers_spread_s = 30.0;
double opt_idle_s = 60.0;
static bool opt_verbose;

/* ---- the connection ---- */

struct peer P = { .fd = -1 };
int ep, lfd, mon_fd = -1;
pid_t child;
static bool ready;
static int connects;
static uint64_t next_id = 1;            /* site message ids "m-<n>" (acks take one too) */
static uint64_t cmd_seq;                /* command sequence numbers, in the room "q<seq>" */
static int64_t *sent_at;                /* ring by seq: when the command was written */
static uint64_t *end_off;               /* ring by seq: its end in the stream of bytes ever queued */
static uint64_t total_sent;             /* bytes ever handed to the kernel */
static uint64_t stamp_from;             /* first seq not yet stamped */

/* what came back */
uint64_t replies, replies_bad, other_sends, dms, heartbeats, actions, done_replies;
static char bad_sample[240];
static const char *expect = "";         /* substring every reply of the phase must have */
int64_t last_reply_ns;
int64_t *lat;                    /* ns */
int64_t *lat_at;                 /* when its command was sent (for SITEGEN_LAT_DUMP) */
size_t nlat;
bool record_lat;

static void note_end(uint64_t seq);

void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
}

void result(const char *key, const char *fmt, ...)
{
	va_list ap;

	printf("R %s ", key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

void die(const char *fmt, ...)
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
void add_message(unsigned user, const char *room, size_t room_len, const char *text, size_t text_len,
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

void add_chatter(uint64_t i, int64_t ts)
{
	const char *t = chatter_texts[i % N_CHATTER];

	add_message((unsigned)(1 + i % 5000), "lobby", 5, t, strlen(t), ts);
}

const char *const kind_names[] = { "ping", "whoami", "set", "lang" };
/* what each reply must contain (the en catalog) */
const char *const kind_expect[] = { "pong", "staff id", "is now", "Language set to en|Sprache auf de" };

/* One command of KIND, in room q<seq>; returns seq. */
uint64_t add_command(enum kind k)
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

void out_flush(void)
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

void (*on_monitor)(void);
int timer_fd = -1;
uint64_t timer_ticks;

/* One turn: wait up to TIMEOUT_MS for anything, handle it, flush.  A
 * negative timeout is for producers: wait (up to -TIMEOUT_MS) only while
 * the socket does not take what is queued, else just look. */
void pump(int timeout_ms)
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

void settle(double seconds)
{
	int64_t end = now_ns() + (int64_t)(seconds * 1e9);

	while (now_ns() < end)
		pump(20);
}

int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

double pct(int64_t *v, size_t n, double p)
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

void phase_reset(const char *exp)
{
	replies = replies_bad = 0;
	bad_sample[0] = '\0';
	expect = exp;
	nlat = 0;
	record_lat = false;
}

void check_bad(const char *name)
{
	char key[64];

	snprintf(key, sizeof(key), "%s_bad_replies", name);
	result(key, "%" PRIu64, replies_bad);
	if (replies_bad)
		say("  %s: %" PRIu64 " replies without \"%s\", e.g. \"%s\"\n", name, replies_bad, expect, bad_sample);
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
