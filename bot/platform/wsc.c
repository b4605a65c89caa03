/*
 * wsc: a WebSocket client socket for every adapter (see wsc.h).
 */
#include "bot/platform/wsc.h"
#include "bot/lib/log.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct wsc {
	struct lws *wsi;
	const struct wsc_ops *ops;
	void *arg;
	char name[64];
	char url[1024];                 /* parsed in place by lws_parse_uri */
	char path[1100];
	char subprotocol[64];           /* "" for none */
	size_t max_frame;
	bool in_callback;               /* inside wsc_callback for this socket */
	bool close_pending;             /* wsc_close() was asked inside it */
	bool abandoned;                 /* the adapter is gone: free quietly */
	bool closed;                    /* on_closed has run */
	bool established;               /* the upgrade is done: a close frame can go out */
	bool opening;                   /* inside wsc_open: a failure there is its return value */
	bool write_requested;
	bool corked;                    /* inside on_writeable: uncork when it returns */
	int why;                        /* what wsc_close asked */
	int peer_code;
	char peer_reason[128];
	char *rx;
	size_t rx_len, rx_cap;
	bool rx_skip;
	unsigned char *tx;
	size_t tx_cap;
};

static void wsc_free(struct wsc *w)
{
	free(w->rx);
	free(w->tx);
	free(w);
}

/* The socket is gone: tell the adapter once, then free.  ERROR: the connect error, if it failed. */
static void finish(struct wsc *w, const char *what, const char *error)
{
	struct wsc_end end = { .peer_code = w->peer_code, .peer_reason = w->peer_reason, .why = w->why,
		.what = what, .error = error };

	if (w->closed)
		return;
	w->closed = true;
	w->wsi = NULL;
	if (!w->abandoned && !w->opening && w->ops->on_closed != NULL)
		w->ops->on_closed(w, w->arg, &end);
}

bool wsc_url_usable(const char *url)
{
	char copy[sizeof(((struct wsc *)0)->url)];     /* lws_parse_uri cuts it up */
	const char *scheme = NULL, *host = NULL, *path = NULL;
	int port = 0;

	if (strlen(url) >= sizeof(copy))
		return false;
	snprintf(copy, sizeof(copy), "%s", url);
	return lws_parse_uri(copy, &scheme, &host, &port, &path) == 0 &&
	    (strcmp(scheme, "ws") == 0 || strcmp(scheme, "wss") == 0);
}

struct wsc *wsc_open(struct lws_context *lws, const char *url, const char *subprotocol, bool tls_verify,
                     size_t max_frame, const struct wsc_ops *ops, void *arg, const char *name)
{
	struct lws_client_connect_info i;
	const char *scheme = NULL, *host = NULL, *path = NULL;
	int port = 0;
	struct wsc *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	w->ops = ops;
	w->arg = arg;
	w->max_frame = max_frame;
	snprintf(w->name, sizeof(w->name), "%s", name);
	snprintf(w->subprotocol, sizeof(w->subprotocol), "%s", subprotocol ? subprotocol : "");
	if (strlen(url) >= sizeof(w->url)) {
		log_warnx("%s: socket url too long", name);
		free(w);
		return NULL;
	}
	snprintf(w->url, sizeof(w->url), "%s", url);
	if (lws_parse_uri(w->url, &scheme, &host, &port, &path) != 0 ||
	    (strcmp(scheme, "ws") != 0 && strcmp(scheme, "wss") != 0)) {
		log_warnx("%s: cannot use socket url %s", name, url);
		free(w);
		return NULL;
	}
	/* lws gives the path without its '/', but "/" itself for an empty one ("ws://h/" asked for "//") */
	snprintf(w->path, sizeof(w->path), "%s%s", path[0] == '/' ? "" : "/", path);
	memset(&i, 0, sizeof(i));
	i.context = lws;
	i.address = host;
	i.port = port;
	i.path = w->path;
	i.host = host;
	i.origin = host;
	i.protocol = w->subprotocol[0] ? w->subprotocol : NULL;
	i.local_protocol_name = WSC_PROTOCOL_NAME;
	i.vhost = lws_get_vhost_by_name(lws, "clients");
	i.opaque_user_data = w;
	i.pwsi = &w->wsi;
	if (strcmp(scheme, "wss") == 0) {
		i.ssl_connection = LCCSCF_USE_SSL;
		if (!tls_verify)
			i.ssl_connection |= LCCSCF_ALLOW_SELFSIGNED | LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK |
			    LCCSCF_ALLOW_EXPIRED | LCCSCF_ALLOW_INSECURE;
	}
	w->opening = true;
	if (lws_client_connect_via_info(&i) == NULL || w->closed) {
		/* a failure lws already reported through the callback left W to us */
		log_warnx("%s: cannot connect to %s", name, host);
		if (w->wsi != NULL)
			lws_set_opaque_user_data(w->wsi, NULL);
		wsc_free(w);
		return NULL;
	}
	w->opening = false;
	return w;
}

void wsc_set_reading(struct wsc *w, bool on)
{
	if (w != NULL && w->wsi != NULL && !w->closed)
		lws_rx_flow_control(w->wsi, on ? 1 : 0);
}

void wsc_want_write(struct wsc *w)
{
	if (w->wsi != NULL && !w->write_requested) {
		w->write_requested = true;
		lws_callback_on_writable(w->wsi);
	}
}

char *wsc_frame_buf(struct wsc *w, size_t need, size_t *room)
{
	if (LWS_PRE + need > w->tx_cap) {
		unsigned char *p = realloc(w->tx, LWS_PRE + need + 1024);
		if (p == NULL)
			return NULL;
		w->tx = p;
		w->tx_cap = LWS_PRE + need + 1024;
	}
	*room = w->tx_cap - LWS_PRE;
	return (char *)w->tx + LWS_PRE;
}

int wsc_send(struct wsc *w, const char *buf, size_t len)
{
	if (w->wsi == NULL)
		return -1;
	if (w->tx == NULL || buf != (const char *)w->tx + LWS_PRE) {
		size_t room;
		char *to = wsc_frame_buf(w, len, &room);
		if (to == NULL)
			return -1;
		memcpy(to, buf, len);
	}
	if (lws_write(w->wsi, w->tx + LWS_PRE, len, LWS_WRITE_TEXT) < (int)len) {
		log_warnx("%s: socket write failed", w->name);
		return -1;
	}
	return 0;
}

bool wsc_send_more(struct wsc *w)
{
	return w->wsi != NULL && !lws_partial_buffered(w->wsi);
}

static void cork(struct wsc *w, int on)
{
	int fd = w->wsi != NULL ? lws_get_socket_fd(w->wsi) : -1;

	if (fd >= 0)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_CORK, &on, sizeof(on));
}

void wsc_cork(struct wsc *w)
{
	if (w->wsi != NULL && !w->corked) {
		w->corked = true;
		cork(w, 1);
	}
}

int wsc_ping(struct wsc *w)
{
	unsigned char buf[LWS_PRE + 4];

	if (w->wsi == NULL)
		return -1;
	return lws_write(w->wsi, buf + LWS_PRE, 0, LWS_WRITE_PING) < 0 ? -1 : 0;
}

/* wsc callbacks running now (of any socket): killing a socket synchronously
 * from inside lws's callback for another one is not safe. */
static int callback_depth;

/*
 * Inside lws's callback for this socket it must not be killed under lws's
 * feet: the callback returns -1 instead; inside another socket's callback it
 * gets a WRITEABLE that returns -1 (the peer sees 1006 either way, which is
 * all a reconnect needs).  Outside callbacks (timers) a real close frame goes
 * out at once and on_closed runs before this returns.
 */
void wsc_close(struct wsc *w, int code, const char *reason, int why)
{
	if (w->wsi == NULL || w->closed || w->close_pending)
		return;
	w->why = why;
	if (w->in_callback) {
		w->close_pending = true;
		return;
	}
	if (callback_depth > 0) {
		w->close_pending = true;
		lws_callback_on_writable(w->wsi);
		return;
	}
	/* before the upgrade there is no WebSocket to send a close frame on (lws
	 * asserts on it): the connection is just dropped, on_closed follows */
	if (w->established)
		lws_close_reason(w->wsi, (enum lws_close_status)code, (unsigned char *)reason, strlen(reason));
	lws_set_timeout(w->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_SYNC);
}

void wsc_abandon(struct wsc *w)
{
	w->abandoned = true;
	if (w->wsi != NULL && !w->in_callback)
		lws_set_timeout(w->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
}

static void on_receive(struct wsc *w, const void *in, size_t len)
{
	bool final = lws_is_final_fragment(w->wsi);

	if (!w->rx_skip && w->rx_len + len > w->max_frame) {
		w->rx_skip = true;
		log_warnx("%s: refusing a frame over %zu KiB", w->name, w->max_frame / 1024);
		if (w->ops->on_oversized != NULL)
			w->ops->on_oversized(w, w->arg);
	}
	if (!w->rx_skip && w->rx_len == 0 && final) {
		w->ops->on_frame(w, w->arg, in, len);        /* whole frame in one piece: no copy */
		return;
	}
	if (!w->rx_skip) {
		if (w->rx_len + len > w->rx_cap) {
			char *p = realloc(w->rx, w->rx_len + len);
			if (p == NULL)
				w->rx_skip = true;
			else {
				w->rx = p;
				w->rx_cap = w->rx_len + len;
			}
		}
		if (!w->rx_skip) {
			memcpy(w->rx + w->rx_len, in, len);
			w->rx_len += len;
		}
	}
	if (final) {
		if (!w->rx_skip)
			w->ops->on_frame(w, w->arg, w->rx, w->rx_len);
		w->rx_len = 0;
		w->rx_skip = false;
	}
}

/* NAME is one of LIST ("a, b"): the server chose one we offered. */
static bool offered(const char *list, const char *name)
{
	size_t n = strlen(name);

	while (*list) {
		size_t len = strcspn(list, ", ");
		if (len == n && strncmp(list, name, n) == 0)
			return true;
		list += len;
		list += strspn(list, ", ");
	}
	return false;
}

int wsc_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct wsc *w = wsi ? lws_get_opaque_user_data(wsi) : NULL;
	int rc = 0;
	bool gone = false;

	if (w == NULL)
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	w->in_callback = true;
	callback_depth++;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_FILTER_PRE_ESTABLISH: {
		/* lws goes on without the subprotocol when the server names none */
		char proto[sizeof(w->subprotocol)];
		if (w->subprotocol[0] && (lws_hdr_copy(wsi, proto, sizeof(proto), WSI_TOKEN_PROTOCOL) <= 0 ||
		    !offered(w->subprotocol, proto))) {
			log_warnx("%s: the server did not accept subprotocol %s", w->name, w->subprotocol);
			rc = 1;
		}
		break;
	}
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		w->established = true;
		if (w->abandoned)
			rc = -1;
		else if (w->ops->on_open != NULL)
			w->ops->on_open(w, w->arg);
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (!w->abandoned && !w->close_pending)
			on_receive(w, in, len);
		break;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		w->write_requested = false;
		if (w->abandoned || w->close_pending)
			rc = -1;
		else if (!w->close_pending && w->ops->on_writeable(w, w->arg) < 0)
			rc = -1;
		if (w->corked) {
			w->corked = false;
			cork(w, 0);
		}
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE_PONG:
		if (!w->abandoned && w->ops->on_pong != NULL)
			w->ops->on_pong(w, w->arg);
		break;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (len >= 2) {
			const unsigned char *p = in;
			size_t n = len - 2 < sizeof(w->peer_reason) - 1 ? len - 2 : sizeof(w->peer_reason) - 1;
			w->peer_code = (p[0] << 8) | p[1];
			memcpy(w->peer_reason, p + 2, n);
			w->peer_reason[n] = '\0';
		}
		break;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: {
		char what[256];
		const char *error = in ? (const char *)in : "unknown error";
		snprintf(what, sizeof(what), "connection failed: %s", error);
		finish(w, what, error);
		gone = true;
		break;
	}
	case LWS_CALLBACK_CLIENT_CLOSED:
	/* a socket closed before its upgrade (a stop while the server has not
	 * answered it) gets neither of the above: lws only says it is gone */
	case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
	case LWS_CALLBACK_WSI_DESTROY:
		finish(w, "connection closed", NULL);
		gone = true;
		break;
	default:
		break;
	}
	callback_depth--;
	if (gone) {
		lws_set_opaque_user_data(wsi, NULL);
		if (!w->opening)
			wsc_free(w);
		return 0;
	}
	w->in_callback = false;
	if (w->close_pending && rc == 0)
		rc = -1;
	return rc;
}
