/*
 * lwsclient: the limit of libwebsockets itself on this machine.  A site
 * client built exactly like the daemon's transport (lws 4.1 client on a
 * foreign libuv loop, one frame per WRITEABLE callback) but with no work:
 * chatter is counted and dropped after finding its text, every command is
 * answered at once with one "send" action to its room ("pong").  No Redis,
 * no cJSON, no allocation per message.  sitegen drives it like the daemon.
 *
 *   lwsclient [--batch N] ws://127.0.0.1:PORT/bot
 *
 * --batch N writes up to N frames per WRITEABLE callback (checking
 * lws_partial_buffered() after each, as lws documents) with the socket
 * corked meanwhile (TCP_CORK: one TCP push for the lot), as the daemon's
 * site adapter does: the transport's best, measured alone.
 */
#include <uv.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <libwebsockets.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws.h"

#define QCAP 65536              /* replies waiting for WRITEABLE */

struct reply {
	char room[64];
	unsigned char rl;
};

static uv_loop_t loop;
static uv_signal_t sig;
static struct lws_context *ctx;
static struct lws *wsi;
static struct reply *q;
static size_t qhead, qtail;            /* ring */
static bool want_identify;
static unsigned long long ref_seq, chatter, commands;
static unsigned char txbuf[LWS_PRE + 512];
static int batch = 1;
static char *rx;
static size_t rx_len, rx_cap;

static void on_frame(const char *p, size_t n)
{
	size_t tl, xl, rl;
	const char *type = json_str(p, n, "type", &tl), *text, *room;

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
		if (room == NULL || rl >= sizeof(q[0].room) || qtail - qhead >= QCAP)
			return;
		memcpy(q[qtail % QCAP].room, room, rl);
		q[qtail % QCAP].rl = (unsigned char)rl;
		qtail++;
		lws_callback_on_writable(wsi);
	} else if (tl == 5 && memcmp(type, "hello", 5) == 0) {
		want_identify = true;
		lws_callback_on_writable(wsi);
	}
}

static int callback(struct lws *w, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	switch (reason) {
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (rx_len == 0 && lws_is_final_fragment(w)) {
			on_frame(in, len);
			break;
		}
		if (rx_len + len > rx_cap) {
			rx_cap = rx_len + len;
			rx = realloc(rx, rx_cap);
		}
		memcpy(rx + rx_len, in, len);
		rx_len += len;
		if (lws_is_final_fragment(w)) {
			on_frame(rx, rx_len);
			rx_len = 0;
		}
		break;
	case LWS_CALLBACK_CLIENT_WRITEABLE: {
		/* one frame per callback; with --batch N up to N, corked, stopping
		 * when lws had to buffer (lws_partial_buffered), like the daemon */
		int fd = lws_get_socket_fd(w), on = 1, off = 0;
		bool corked = batch > 1 && qtail - qhead > 1 && fd >= 0;
		if (corked)
			setsockopt(fd, IPPROTO_TCP, TCP_CORK, &on, sizeof(on));
		for (int i = 0; i < batch; i++) {
			char *d = (char *)txbuf + LWS_PRE;
			int n;
			if (want_identify) {
				want_identify = false;
				n = sprintf(d, "{\"type\":\"identify\",\"token\":\"t\"}");
			} else if (qhead < qtail) {
				struct reply *r = &q[qhead++ % QCAP];
				n = sprintf(d, "{\"type\":\"send\",\"ref\":\"c%llu\",\"room\":\"%.*s\",\"text\":\"pong\"}",
				    ++ref_seq, (int)r->rl, r->room);
			} else {
				break;
			}
			if (lws_write(w, (unsigned char *)d, (size_t)n, LWS_WRITE_TEXT) < n)
				return -1;
			if (lws_partial_buffered(w))
				break;
		}
		if (corked)
			setsockopt(fd, IPPROTO_TCP, TCP_CORK, &off, sizeof(off));
		if (want_identify || qhead < qtail)
			lws_callback_on_writable(w);
		break;
	}
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		fprintf(stderr, "lwsclient: connection error: %s\n", in ? (const char *)in : "?");
		wsi = NULL;
		lws_context_destroy(ctx);
		break;
	case LWS_CALLBACK_CLIENT_CLOSED:
		wsi = NULL;
		lws_context_destroy(ctx);
		break;
	default:
		break;
	}
	return lws_callback_http_dummy(w, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
	{ .name = "dutybot.site.v1", .callback = callback },
	{ .name = NULL },
};

static void on_signal(uv_signal_t *s, int signum)
{
	(void)signum;
	uv_close((uv_handle_t *)s, NULL);
	if (wsi != NULL) {
		lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, (unsigned char *)"bye", 3);
		lws_set_timeout(wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_SYNC);
	} else {
		lws_context_destroy(ctx);
	}
}

int main(int argc, char **argv)
{
	struct lws_context_creation_info info;
	struct lws_client_connect_info ci;
	void *loops[1] = { &loop };
	int port;

	if (argc >= 3 && strcmp(argv[1], "--batch") == 0) {
		batch = atoi(argv[2]) > 0 ? atoi(argv[2]) : 1;
		argv += 2;
		argc -= 2;
	}
	if (argc < 2 || sscanf(argv[1], "ws://127.0.0.1:%d/", &port) != 1) {
		fprintf(stderr, "usage: lwsclient ws://127.0.0.1:PORT/bot\n");
		return 2;
	}
	q = calloc(QCAP, sizeof(*q));
	uv_loop_init(&loop);
	uv_signal_init(&loop, &sig);
	uv_signal_start(&sig, on_signal, SIGTERM);
	lws_set_log_level(LLL_ERR, NULL);
	memset(&info, 0, sizeof(info));
	info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
	info.foreign_loops = loops;
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.fd_limit_per_thread = 64;
	info.pcontext = &ctx;
	ctx = lws_create_context(&info);
	if (ctx == NULL)
		return 1;
	memset(&info, 0, sizeof(info));
	info.vhost_name = "clients";
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	if (lws_create_vhost(ctx, &info) == NULL)
		return 1;
	memset(&ci, 0, sizeof(ci));
	ci.context = ctx;
	ci.address = "127.0.0.1";
	ci.port = port;
	ci.path = "/bot";
	ci.host = "127.0.0.1";
	ci.origin = "127.0.0.1";
	ci.protocol = "dutybot.site.v1";
	ci.local_protocol_name = "dutybot.site.v1";
	ci.vhost = lws_get_vhost_by_name(ctx, "clients");
	ci.pwsi = &wsi;
	if (lws_client_connect_via_info(&ci) == NULL)
		return 1;
	uv_run(&loop, UV_RUN_DEFAULT);
	lws_context_destroy(ctx);
	uv_run(&loop, UV_RUN_NOWAIT);
	uv_loop_close(&loop);
	fprintf(stderr, "lwsclient: %llu chatter lines, %llu commands\n", chatter, commands);
	free(q);
	free(rx);
	return 0;
}
