/*
 * site_server: libwebsockets as the site's WebSocket server on a foreign
 * libuv loop.  This file is the transport: the listening vhost, the checks a
 * handshake must pass (path, subprotocol, "/refuse"), each connection's life
 * from ESTABLISHED to CLOSED, and its queue.  Everything sent to a
 * connection - frames, a close, a drop - is appended to its queue and
 * leaves in WRITEABLE, one frame per callback, so output keeps the order in
 * which it was asked for.  What the frames mean is site_protocol.c.
 *
 * Closing with a code has to happen outside lws callbacks on lws 4.1
 * (lws_close_reason() + return -1 from WRITEABLE drops the socket without a
 * close frame): when the queue reaches a close, WRITEABLE marks the
 * connection and a zero uv timer ("kick") runs lws_close_reason() +
 * lws_set_timeout(PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_SYNC), which sends
 * a real close frame with the code and reason.
 *
 * The misbehaviours the console asks for (drops, closes, bursts, big
 * frames, lost acks...) are site_misbehave.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "history.h"
#include "people.h"
#include "report.h"
#include "site_private.h"

#define SITE_SHUTDOWN_MS        1500    /* how long shutdown waits for close handshakes */
#define SITE_FD_LIMIT           256     /* lws sizes its tables by this; also max connections */

static void site_deadline_cb(uv_timer_t *t);

static const char *const conn_state_names[] = {
	[CONN_HELLO] = "HELLO",
	[CONN_READY] = "READY",
	[CONN_CLOSING] = "CLOSING",
};

/* --- the queue ------------------------------------------------------------ */

void conn_push(struct conn *c, enum qkind kind, int code, const void *data, size_t len)
{
	struct qitem *q;

	if (c->state == CONN_CLOSING)
		return;
	q = malloc(sizeof(*q) + LWS_PRE + len);
	if (!q)
		return;
	q->next = NULL;
	q->kind = kind;
	q->code = code;
	q->burst = kind == Q_FRAME && c->srv ? c->srv->burst : 0;
	q->len = len;
	if (len)
		memcpy(q->buf + LWS_PRE, data, len);
	if (c->qtail)
		c->qtail->next = q;
	else
		c->qhead = q;
	c->qtail = q;
	if (kind != Q_FRAME)
		conn_set_state(c, CONN_CLOSING, kind == Q_DROP ? "drop queued" : "close queued");
	lws_callback_on_writable(c->wsi);
}

static struct qitem *conn_pop(struct conn *c)
{
	struct qitem *q = c->qhead;

	if (q) {
		c->qhead = q->next;
		if (!c->qhead)
			c->qtail = NULL;
	}
	return q;
}

void conn_send(struct conn *c, const char *data, size_t len)
{
	conn_push(c, Q_FRAME, 0, data, len);
}

void conn_send_json(struct conn *c, cJSON *frame)
{
	char *s = cJSON_PrintUnformatted(frame);

	if (s) {
		conn_send(c, s, strlen(s));
		cJSON_free(s);
	}
	cJSON_Delete(frame);
}

void conn_close(struct conn *c, int code, const char *reason)
{
	size_t len = strlen(reason);

	if (len > sizeof(c->close_reason) - 1)
		len = sizeof(c->close_reason) - 1;
	conn_push(c, Q_CLOSE, code, reason, len);
}

void conn_set_state(struct conn *c, enum conn_state state, const char *reason)
{
	if (c->state == state)
		return;
	if (c->srv->debug)
		fprintf(stderr, "demo-site: connection %u: state change %s -> %s, reason: %s\n",
			c->num, conn_state_names[c->state], conn_state_names[state], reason);
	c->state = state;
}

/* --- closing outside callbacks -------------------------------------------- */

static void conn_start_close(struct conn *c)
{
	c->close_started = true;
	c->sent_code = c->close_code;
	lws_close_reason(c->wsi, (enum lws_close_status)c->close_code,
			 (unsigned char *)c->close_reason, c->close_reason_len);
	/* May run CLOSED for C right here: C must not be touched after this. */
	lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_SYNC);
}

static void site_kick_cb(uv_timer_t *t)
{
	struct site_server *srv = t->data;
	struct conn *c, *next;

	for (c = srv->conns; c; c = next) {
		next = c->next;
		if (c->close_due && !c->close_started)
			conn_start_close(c);
	}
}

/* --- connection events ------------------------------------------------------ */

static int conn_on_established(struct site_server *srv, struct conn *c, struct lws *wsi)
{
	cJSON *hello;

	if (srv->shutting_down)
		return -1;      /* raced with shutdown: lws drops it */
	c->window = calloc((size_t)srv->max_rate, sizeof(*c->window));
	if (!c->window)
		return -1;
	/* From here on CLOSED will run for C (it checks c->srv). */
	c->srv = srv;
	c->wsi = wsi;
	c->num = ++srv->n_conns_ever;
	c->state = CONN_HELLO;
	c->peer_code = -1;
	c->sent_code = -1;
	c->next = srv->conns;
	if (srv->conns)
		srv->conns->pprev = &c->next;
	c->pprev = &srv->conns;
	srv->conns = c;

	report_event(srv->report, report_ev("connected"), "* dutybot connected");
	hello = cJSON_CreateObject();
	cJSON_AddStringToObject(hello, "type", "hello");
	cJSON_AddNumberToObject(hello, "heartbeat_ms", srv->heartbeat_ms);
	conn_send_json(c, hello);
	return 0;
}

static int conn_on_receive(struct conn *c, const char *in, size_t len)
{
	struct lws *wsi = c->wsi;

	if (lws_is_first_fragment(wsi)) {
		c->rx_len = 0;
		c->rx_total = 0;
		c->rx_too_big = false;
		c->rx_binary = lws_frame_is_binary(wsi);
	}
	c->rx_total += len;
	if (c->rx_total > SITE_FRAME_MAX)
		c->rx_too_big = true;
	if (!c->rx_too_big) {
		if (c->rx_len + len + 1 > c->rx_cap) {
			size_t cap = c->rx_cap ? c->rx_cap : 4096;
			char *rx;

			while (cap < c->rx_len + len + 1)
				cap *= 2;
			rx = realloc(c->rx, cap);
			if (!rx)
				return -1;
			c->rx = rx;
			c->rx_cap = cap;
		}
		memcpy(c->rx + c->rx_len, in, len);
		c->rx_len += len;
		c->rx[c->rx_len] = '\0';
	}
	if (!lws_is_final_fragment(wsi))
		return 0;
	if (c->state == CONN_CLOSING)
		return 0;
	if (c->rx_too_big) {
		char why[64];

		snprintf(why, sizeof(why), "frame of %zu bytes is larger than 64 KiB", c->rx_total);
		site_bad_frame(c, why, c->rx, c->rx_len);
		conn_close(c, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, "frame larger than 64 KiB");
		return 0;
	}
	site_on_frame(c, c->rx, c->rx_len, c->rx_binary);
	/* A big buffer is not kept for the life of the connection. */
	if (c->rx_cap > 16384) {
		free(c->rx);
		c->rx = NULL;
		c->rx_cap = 0;
	}
	return 0;
}

static int conn_on_writeable(struct conn *c)
{
	struct qitem *q;
	int n;

	if (c->close_due || c->close_started)
		return 0;
	q = conn_pop(c);
	if (!q)
		return 0;
	switch (q->kind) {
	case Q_FRAME:
		if (q->burst) {
			/* the whole burst in one segment: the bot reads it in one read */
			int fd = lws_get_socket_fd(c->wsi), on = 1, off = 0;
			unsigned group = q->burst;
			setsockopt(fd, IPPROTO_TCP, TCP_CORK, &on, sizeof(on));
			for (;;) {
				n = lws_write(c->wsi, q->buf + LWS_PRE, q->len, LWS_WRITE_TEXT);
				free(q);
				if (n < 0 || !c->qhead || c->qhead->kind != Q_FRAME || c->qhead->burst != group ||
				    lws_partial_buffered(c->wsi))
					break;
				q = conn_pop(c);
			}
			setsockopt(fd, IPPROTO_TCP, TCP_CORK, &off, sizeof(off));
		} else {
			n = lws_write(c->wsi, q->buf + LWS_PRE, q->len, LWS_WRITE_TEXT);
			free(q);
		}
		if (n < 0)
			return -1;
		break;
	case Q_CLOSE:
		c->close_due = true;
		c->close_code = q->code;
		memcpy(c->close_reason, q->buf + LWS_PRE, q->len);
		c->close_reason_len = q->len;
		free(q);
		/* During shutdown the kick is gone; the shutdown closes C itself. */
		if (!c->srv->shutting_down)
			uv_timer_start(&c->srv->kick, site_kick_cb, 0, 0);
		return 0;
	case Q_DROP:
		free(q);
		/* FIN without a close frame; lws then closes with no status. */
		shutdown(lws_get_socket_fd(c->wsi), SHUT_RDWR);
		return -1;
	}
	if (c->qhead)
		lws_callback_on_writable(c->wsi);
	return 0;
}

static void conn_on_peer_close(struct conn *c, const unsigned char *in, size_t len)
{
	c->peer_code = len >= 2 ? (in[0] << 8 | in[1]) : 1005;
}

static void conn_on_closed(struct conn *c)
{
	struct site_server *srv = c->srv;
	struct qitem *q;
	cJSON *ev = report_ev("closed");
	int code = c->peer_code >= 0 ? c->peer_code : c->sent_code;
	char human[96];

	if (code >= 0) {
		cJSON_AddNumberToObject(ev, "code", code);
		cJSON_AddStringToObject(ev, "by", c->peer_code >= 0 ? "bot" : "site");
		snprintf(human, sizeof(human), "* dutybot disconnected (close %d from the %s)",
			 code, c->peer_code >= 0 ? "bot" : "site");
	} else {
		cJSON_AddNullToObject(ev, "code");
		cJSON_AddNullToObject(ev, "by");
		snprintf(human, sizeof(human), "* dutybot disconnected (no close frame)");
	}
	report_event(srv->report, ev, human);

	while ((q = conn_pop(c)))
		free(q);
	free(c->rx);
	free(c->window);
	*c->pprev = c->next;
	if (c->next)
		c->next->pprev = c->pprev;
	c->srv = NULL;
	if (srv->shutting_down && !srv->destroying && !srv->conns)
		uv_timer_start(&srv->deadline, site_deadline_cb, 0, 0);
}

/* --- handshakes ------------------------------------------------------------- */

static int site_refuse(struct site_server *srv, struct lws *wsi, int status, const char *why)
{
	cJSON *ev = report_ev("refused");
	char human[160];

	cJSON_AddStringToObject(ev, "why", why);
	snprintf(human, sizeof(human), "* refused a connection: %s", why);
	report_event(srv->report, ev, human);
	lws_return_http_status(wsi, (unsigned int)status, why);
	return 1;
}

bool site_offers(const char *list, const char *proto)
{
	size_t plen = strlen(proto);

	while (*list) {
		size_t n;

		while (*list == ' ' || *list == '\t' || *list == ',')
			list++;
		n = strcspn(list, ", \t");
		if (n == plen && !strncmp(list, proto, plen))
			return true;
		list += n;
	}
	return false;
}

static int site_confirm_upgrade(struct site_server *srv, struct lws *wsi, const char *upgrade)
{
	char uri[256], proto[256], why[320];

	if (!upgrade || strcmp(upgrade, "websocket"))
		return site_refuse(srv, wsi, HTTP_STATUS_BAD_REQUEST, "not a websocket upgrade");
	if (srv->refuse || srv->shutting_down)
		return site_refuse(srv, wsi, HTTP_STATUS_SERVICE_UNAVAILABLE,
				   srv->refuse ? "refusing connections (/refuse on)" : "shutting down");
	if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) <= 0 || strcmp(uri, srv->path)) {
		snprintf(why, sizeof(why), "wrong path %s (want %s)", uri, srv->path);
		return site_refuse(srv, wsi, HTTP_STATUS_NOT_FOUND, why);
	}
	if (lws_hdr_copy(wsi, proto, sizeof(proto), WSI_TOKEN_PROTOCOL) <= 0)
		return site_refuse(srv, wsi, HTTP_STATUS_BAD_REQUEST, "no subprotocol (want " SITE_PROTOCOL ")");
	if (!site_offers(proto, SITE_PROTOCOL)) {
		snprintf(why, sizeof(why), "subprotocol %s (want " SITE_PROTOCOL ")", proto);
		return site_refuse(srv, wsi, HTTP_STATUS_BAD_REQUEST, why);
	}
	return 0;
}

/* --- lws callbacks ---------------------------------------------------------- */

/* Protocol 0, the vhost default: plain HTTP and the upgrade checks. */
static int site_http_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			void *in, size_t len)
{
	struct site_server *srv = lws_context_user(lws_get_context(wsi));

	switch (reason) {
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
		return site_confirm_upgrade(srv, wsi, in);
	case LWS_CALLBACK_HTTP:
		if (lws_return_http_status(wsi, HTTP_STATUS_NOT_FOUND,
					   "this is the dutybot demo site: WebSocket only"))
			return -1;
		return lws_http_transaction_completed(wsi) ? -1 : 0;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static int site_ws_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
		      void *in, size_t len)
{
	struct site_server *srv = lws_context_user(lws_get_context(wsi));
	struct conn *c = user;

	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		return conn_on_established(srv, c, wsi);
	case LWS_CALLBACK_RECEIVE:
		return c->srv ? conn_on_receive(c, in, len) : -1;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return c->srv ? conn_on_writeable(c) : 0;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (c->srv)
			conn_on_peer_close(c, in, len);
		return 0;
	case LWS_CALLBACK_CLOSED:
		if (c->srv)
			conn_on_closed(c);
		return 0;
	default:
		return 0;
	}
}

static const struct lws_protocols site_protocols[] = {
	{ .name = "http", .callback = site_http_cb },
	{ .name = SITE_PROTOCOL, .callback = site_ws_cb,
	  .per_session_data_size = sizeof(struct conn), .rx_buffer_size = 8192 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }     /* terminator */
};

/* --- life ------------------------------------------------------------------- */

static void site_lws_log(int level, const char *line)
{
	fprintf(stderr, "demo-site: lws: %s", line);
}

struct site_server *site_server_new(uv_loop_t *loop, const struct site_options *opt,
				    struct people *people, struct report *report, char **err)
{
	struct site_server *srv = calloc(1, sizeof(*srv));
	struct lws_context_creation_info info;
	void *loops[1] = { loop };
	const char *dbg = getenv("DEMO_SITE_DEBUG");
	const char *why = "out of memory";

	*err = NULL;
	if (!srv) {
		*err = strdup(why);
		return NULL;
	}
	uv_timer_init(loop, &srv->kick);
	uv_timer_init(loop, &srv->deadline);
	srv->kick.data = srv;
	srv->deadline.data = srv;
	srv->loop = loop;
	srv->people = people;
	srv->report = report;
	srv->port = opt->port;
	srv->heartbeat_ms = opt->heartbeat_ms;
	srv->max_rate = opt->max_rate;
	srv->last_id = opt->first_id > 0 ? opt->first_id - 1 : 0;
	srv->acks = true;
	srv->debug = dbg && *dbg && strcmp(dbg, "0");
	srv->host = strdup(opt->host);
	srv->path = strdup(opt->path);
	srv->history = history_new(HISTORY_CAP);
	if (!srv->host || !srv->path || !srv->history)
		goto fail;
	if (site_set_tokens(srv, opt->token)) {
		why = "the connection has no token";
		goto fail;
	}

	lws_set_log_level(srv->debug ? LLL_ERR | LLL_WARN | LLL_NOTICE : LLL_ERR, site_lws_log);
	memset(&info, 0, sizeof(info));
	info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
	info.foreign_loops = loops;
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.fd_limit_per_thread = SITE_FD_LIMIT;
	info.user = srv;
	info.pcontext = &srv->ctx;      /* lws clears it once the context is gone */
	srv->ctx = lws_create_context(&info);
	if (!srv->ctx) {
		why = "cannot create the lws context (is libwebsockets-evlib-uv installed?)";
		goto fail;
	}

	memset(&info, 0, sizeof(info));
	info.port = opt->port;
	info.iface = srv->host;
	info.protocols = site_protocols;
	info.vhost_name = "demo-site";
	info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
	srv->vhost = lws_create_vhost(srv->ctx, &info);
	if (!srv->vhost) {
		if (asprintf(err, "cannot listen on %s:%d", opt->host, opt->port) < 0)
			*err = NULL;
		goto fail;
	}
	srv->port = lws_get_vhost_listen_port(srv->vhost);
	return srv;

fail:
	if (!*err)
		*err = strdup(why);
	/* The same two phases as a normal shutdown, with nothing connected. */
	if (srv->ctx)
		lws_context_destroy(srv->ctx);
	uv_close((uv_handle_t *)&srv->kick, NULL);
	uv_close((uv_handle_t *)&srv->deadline, NULL);
	uv_run(loop, UV_RUN_DEFAULT);
	site_server_free(srv);
	return NULL;
}

int site_server_port(const struct site_server *srv)
{
	return srv->port;
}

static void site_deadline_cb(uv_timer_t *t)
{
	struct site_server *srv = t->data;

	uv_close((uv_handle_t *)&srv->deadline, NULL);
	/* Phase 1 inside the loop: lws closes what is left and its own uv handles. */
	srv->destroying = true;
	lws_context_destroy(srv->ctx);
}

void site_server_shutdown(struct site_server *srv)
{
	struct conn *c, *next;

	if (srv->shutting_down)
		return;
	srv->shutting_down = true;
	uv_close((uv_handle_t *)&srv->kick, NULL);
	for (c = srv->conns; c; c = next) {
		next = c->next;
		if (c->close_started)
			continue;
		c->close_code = LWS_CLOSE_STATUS_GOINGAWAY;
		strcpy(c->close_reason, "site shutting down");
		c->close_reason_len = strlen(c->close_reason);
		conn_start_close(c);
	}
	uv_timer_start(&srv->deadline, site_deadline_cb, srv->conns ? SITE_SHUTDOWN_MS : 0, 0);
}

void site_server_free(struct site_server *srv)
{
	if (!srv)
		return;
	if (srv->ctx)
		lws_context_destroy(srv->ctx);   /* phase 2: frees it */
	for (size_t i = 0; i < srv->n_tokens; i++)
		free(srv->tokens[i]);
	free(srv->tokens);
	free(srv->sessions);
	history_free(srv->history);
	site_web_free(srv->web);
	free(srv->last_frame);
	free(srv->host);
	free(srv->path);
	free(srv);
}
