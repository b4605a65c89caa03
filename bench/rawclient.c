/*
 * rawclient: the trivial site client that measures sitegen's own ceiling.
 * It connects, identifies, reads every frame (chatter is counted and
 * dropped after finding its text) and answers every command ("!...") with
 * one "send" action to the same room, text "pong", at once: a bot with no
 * work.  One thread, epoll-free blocking-free loop on one socket.
 *
 *   rawclient ws://127.0.0.1:PORT/bot
 */
#include "ws.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <fcntl.h>
#include <signal.h>
#include <strings.h>

static struct buf in, out;
static uint64_t ref_seq, chatter, commands;
static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void send_json(const char *p, size_t n)
{
	ws_add_masked(&out, WS_TEXT, p, n);
}

static void on_text(const char *p, size_t n)
{
	size_t tl, xl, rl;
	const char *type = json_str(p, n, "type", &tl), *text, *room;
	char f[256], *d;

	if (type == NULL)
		return;
	if (tl == 7 && memcmp(type, "message", 7) == 0) {
		text = json_str(p, n, "text", &xl);
		if (text == NULL || xl == 0 || text[0] != '!') {
			chatter++;
			return;
		}
		commands++;
		room = json_str(p, n, "room", &rl);
		if (room == NULL || rl > 64)
			return;
		d = f;
		d = put_str(d, "{\"type\":\"send\",\"ref\":\"c");
		d = put_u64(d, ++ref_seq);
		d = put_str(d, "\",\"room\":\"");
		memcpy(d, room, rl);
		d += rl;
		d = put_str(d, "\",\"text\":\"pong\"}");
		send_json(f, (size_t)(d - f));
	} else if (tl == 5 && memcmp(type, "hello", 5) == 0) {
		const char id[] = "{\"type\":\"identify\",\"token\":\"t\"}";
		send_json(id, sizeof(id) - 1);
	}
	/* ack, ready, heartbeat_ack: nothing to do */
}

int main(int argc, char **argv)
{
	int fd, port;
	char req[512];
	bool up = false;

	if (argc < 2 || sscanf(argv[1], "ws://127.0.0.1:%d/", &port) != 1) {
		fprintf(stderr, "usage: rawclient ws://127.0.0.1:PORT/bot\n");
		return 2;
	}
	signal(SIGTERM, on_term);
	signal(SIGPIPE, SIG_IGN);
	if ((fd = loopback_connect(port)) < 0)
		return 1;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	snprintf(req, sizeof(req), "GET /bot HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: dutybot.site.v1\r\n\r\n", port);
	buf_add(&out, req, strlen(req));
	while (!stop) {
		struct pollfd pfd = { fd, POLLIN | (out.len ? POLLOUT : 0), 0 };
		if (poll(&pfd, 1, 200) < 0)
			continue;
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n;
			buf_reserve(&in, 256 * 1024);
			n = recv(fd, buf_tail(&in), 256 * 1024, 0);
			if (n == 0)
				break;
			if (n > 0)
				in.len += (size_t)n;
			if (!up) {
				unsigned char *e = memmem(in.p + in.off, in.len, "\r\n\r\n", 4);
				if (e == NULL)
					continue;
				buf_consume(&in, (size_t)(e + 4 - (in.p + in.off)));
				up = true;
			}
			for (;;) {
				struct ws_frame f;
				long k = ws_parse(in.p + in.off, in.len, &f);
				if (k <= 0)
					break;
				if (f.opcode == WS_TEXT)
					on_text((const char *)f.payload, f.len);
				else if (f.opcode == WS_CLOSE)
					stop = 1;
				buf_consume(&in, (size_t)k);
			}
		}
		if (buf_flush(&out, fd) < 0)
			break;
	}
	/* a close frame, as a well-behaved client */
	ws_add_masked(&out, WS_CLOSE, "\x03\xe8", 2);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	buf_flush(&out, fd);
	close(fd);
	fprintf(stderr, "rawclient: %llu chatter lines, %llu commands\n", (unsigned long long)chatter,
	    (unsigned long long)commands);
	return 0;
}
