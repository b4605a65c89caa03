/*
 * site_web: the demo in a browser.  A second vhost on the site's own lws
 * context serves the page's files (tests/demo-site/web, plain files, no
 * build step) and a WebSocket of the page's own ("dutybot.demo-web.v1").
 *
 * Down the page's socket go the site's events as the terminal sees them
 * (the report's machine events: messages, the bot's sends, dms and system
 * notices), first the last WEB_BACKLOG of them so a page opened late shows
 * the day so far.  Up it comes {"type":"say","who","room","text"}, which
 * becomes the console line "who@room> text": the same path as a line typed
 * at the terminal, so for dutybot a click on the page is a chat line like
 * any other.
 *
 * A page on another origin must not type into the demo (a browser lets any
 * site open a WebSocket to 127.0.0.1): the handshake needs an Origin equal
 * to the Host it was sent to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "site_private.h"
#include "utf8.h"

#define WEB_PROTOCOL    "dutybot.demo-web.v1"
#define WEB_PATH        "/ws"
#define WEB_BACKLOG     2000            /* events replayed to a page that connects */
#define WEB_FRAME_MAX   16384           /* bytes of a frame from the page */
#define WEB_NAME_MAX    32
#define WEB_QUEUE_MAX   (2 * WEB_BACKLOG)   /* frames waiting for a page that does not read */

struct web_item {
	struct web_item *next;
	size_t len;
	unsigned char buf[];            /* LWS_PRE + len */
};

/* Per page connection; lws allocates it zeroed. */
struct web_client {
	struct web_client *next, **pprev;
	struct site_web *web;           /* NULL until established */
	struct lws *wsi;
	struct web_item *qhead, *qtail;
	size_t queued;
	bool stalled;                   /* over WEB_QUEUE_MAX: dropped; the page reconnects */
	char *rx;
	size_t rx_len, rx_cap;
	bool rx_too_big;
};

struct site_web {
	struct lws_vhost *vhost;
	struct lws_http_mount mount;
	char *root, *hello;             /* owned */
	char addr[64];                  /* "127.0.0.1:8081" as the socket is really bound */
	site_web_line_fn on_line;
	void *arg;
	struct site_server *srv;        /* borrowed: the owner */
	char *backlog[WEB_BACKLOG];     /* owned: a ring of event frames */
	size_t b_head, b_n;
	struct web_client *clients;
};

/* --- frames to pages ---------------------------------------------------------- */

static void web_push(struct web_client *c, const char *data, size_t len)
{
	struct web_item *q;

	if (c->stalled)
		return;
	if (c->queued >= WEB_QUEUE_MAX) {
		c->stalled = true;
		lws_callback_on_writable(c->wsi);
		return;
	}
	q = malloc(sizeof(*q) + LWS_PRE + len);
	if (!q)
		return;
	c->queued++;
	q->next = NULL;
	q->len = len;
	memcpy(q->buf + LWS_PRE, data, len);
	if (c->qtail)
		c->qtail->next = q;
	else
		c->qhead = q;
	c->qtail = q;
	lws_callback_on_writable(c->wsi);
}

static void web_error(struct web_client *c, const char *why)
{
	cJSON *f = cJSON_CreateObject();
	char *s;

	cJSON_AddStringToObject(f, "ev", "page_error");
	cJSON_AddStringToObject(f, "why", why);
	s = cJSON_PrintUnformatted(f);
	if (s) {
		web_push(c, s, strlen(s));
		cJSON_free(s);
	}
	cJSON_Delete(f);
}

/* Events a page shows again after a reload: the chat itself. */
static bool web_kept(const char *name)
{
	return !strcmp(name, "message") || !strcmp(name, "send") || !strcmp(name, "dm") ||
	       !strcmp(name, "system");
}

/* Events a page shows live: the chat, and whether dutybot is there. */
static bool web_shown(const char *name)
{
	return web_kept(name) || !strcmp(name, "ready") || !strcmp(name, "closed") ||
	       !strcmp(name, "connected") || !strcmp(name, "error") || !strcmp(name, "day_ready");
}

void site_web_event(struct site_server *srv, const cJSON *ev)
{
	struct site_web *web = srv->web;
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(ev, "ev");
	char *s;
	size_t len;

	cJSON *stamped;

	if (!web || !cJSON_IsString(name) || !web_shown(name->valuestring))
		return;
	/* when it happened, for a page opened later */
	stamped = cJSON_Duplicate(ev, true);
	if (!stamped)
		return;
	cJSON_AddNumberToObject(stamped, "at", (double)site_now_ms());
	s = cJSON_PrintUnformatted(stamped);
	cJSON_Delete(stamped);
	if (!s)
		return;
	len = strlen(s);
	for (struct web_client *c = web->clients; c; c = c->next)
		web_push(c, s, len);
	if (web_kept(name->valuestring)) {
		size_t at = (web->b_head + web->b_n) % WEB_BACKLOG;

		if (web->b_n == WEB_BACKLOG) {
			free(web->backlog[web->b_head]);
			web->b_head = (web->b_head + 1) % WEB_BACKLOG;
			web->b_n--;
		}
		web->backlog[at] = strdup(s);
		if (web->backlog[at])
			web->b_n++;
	}
	cJSON_free(s);
}

/* --- frames from pages --------------------------------------------------------- */

static bool web_word_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > WEB_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '.' || *s == '-'))
			return false;
	return true;
}

static void web_on_frame(struct web_client *c, const char *data, size_t len)
{
	cJSON *msg = cJSON_ParseWithLength(data, len);
	const cJSON *type, *who, *room, *text;
	char *line;

	type = cJSON_GetObjectItemCaseSensitive(msg, "type");
	who = cJSON_GetObjectItemCaseSensitive(msg, "who");
	room = cJSON_GetObjectItemCaseSensitive(msg, "room");
	text = cJSON_GetObjectItemCaseSensitive(msg, "text");
	if (!cJSON_IsString(type) || strcmp(type->valuestring, "say") || !cJSON_IsString(who) ||
	    !cJSON_IsString(room) || !cJSON_IsString(text)) {
		web_error(c, "not understood: the page sends {\"type\":\"say\",\"who\",\"room\",\"text\"}");
	} else if (!web_word_ok(who->valuestring)) {
		web_error(c, "a name is 1 to 32 letters, digits, _ . or -");
	} else if (!web_word_ok(room->valuestring)) {
		web_error(c, "a room is 1 to 32 letters, digits, _ . or - (dm: privately)");
	} else if (strpbrk(text->valuestring, "\r\n")) {
		web_error(c, "one line at a time");
	} else if (utf8_count(text->valuestring, strlen(text->valuestring)) < 0) {
		web_error(c, "the text is not valid UTF-8");
	} else if (asprintf(&line, "%s@%s> %s", who->valuestring, room->valuestring,
			    text->valuestring) >= 0) {
		c->web->on_line(c->web->arg, line);
		free(line);
	}
	cJSON_Delete(msg);
}

static int web_on_receive(struct web_client *c, const char *in, size_t len)
{
	if (lws_is_first_fragment(c->wsi)) {
		c->rx_len = 0;
		c->rx_too_big = false;
	}
	if (c->rx_len + len > WEB_FRAME_MAX)
		c->rx_too_big = true;
	if (!c->rx_too_big) {
		if (!c->rx) {
			c->rx = malloc(WEB_FRAME_MAX + 1);
			if (!c->rx)
				return -1;
			c->rx_cap = WEB_FRAME_MAX + 1;
		}
		memcpy(c->rx + c->rx_len, in, len);
		c->rx_len += len;
	}
	if (!lws_is_final_fragment(c->wsi))
		return 0;
	if (c->rx_too_big)
		web_error(c, "a line from the page is at most 16 KiB");
	else
		web_on_frame(c, c->rx, c->rx_len);
	return 0;
}

/* --- connections ---------------------------------------------------------------- */

static int web_on_established(struct site_web *web, struct web_client *c, struct lws *wsi)
{
	c->web = web;
	c->wsi = wsi;
	c->next = web->clients;
	if (web->clients)
		web->clients->pprev = &c->next;
	c->pprev = &web->clients;
	web->clients = c;
	web_push(c, web->hello, strlen(web->hello));
	/* whether dutybot is connected; "ready" and "closed" events follow live */
	if (site_ready_count(web->srv))
		web_push(c, "{\"ev\":\"ready\"}", strlen("{\"ev\":\"ready\"}"));
	for (size_t i = 0; i < web->b_n; i++) {
		const char *s = web->backlog[(web->b_head + i) % WEB_BACKLOG];

		web_push(c, s, strlen(s));
	}
	return 0;
}

static int web_on_writeable(struct web_client *c)
{
	struct web_item *q = c->qhead;
	int n;

	if (c->stalled)
		return -1;
	if (!q)
		return 0;
	c->queued--;
	c->qhead = q->next;
	if (!c->qhead)
		c->qtail = NULL;
	n = lws_write(c->wsi, q->buf + LWS_PRE, q->len, LWS_WRITE_TEXT);
	free(q);
	if (n < 0)
		return -1;
	if (c->qhead)
		lws_callback_on_writable(c->wsi);
	return 0;
}

static void web_on_closed(struct web_client *c)
{
	struct web_item *q;

	while ((q = c->qhead)) {
		c->qhead = q->next;
		free(q);
	}
	free(c->rx);
	*c->pprev = c->next;
	if (c->next)
		c->next->pprev = c->pprev;
	c->web = NULL;
}

/* The page's handshake: its own path and subprotocol, from its own origin. */
static int web_confirm_upgrade(struct lws *wsi, const char *upgrade)
{
	char uri[64], proto[128], origin[160], host[128], want[160];

	if (!upgrade || strcmp(upgrade, "websocket"))
		return 1;
	if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) <= 0 || strcmp(uri, WEB_PATH) ||
	    lws_hdr_copy(wsi, proto, sizeof(proto), WSI_TOKEN_PROTOCOL) <= 0 ||
	    !site_offers(proto, WEB_PROTOCOL)) {
		lws_return_http_status(wsi, HTTP_STATUS_NOT_FOUND, "the page's socket is " WEB_PATH);
		return 1;
	}
	if (lws_hdr_copy(wsi, origin, sizeof(origin), WSI_TOKEN_ORIGIN) <= 0 ||
	    lws_hdr_copy(wsi, host, sizeof(host), WSI_TOKEN_HOST) <= 0 ||
	    snprintf(want, sizeof(want), "http://%s", host) >= (int)sizeof(want) ||
	    strcmp(origin, want)) {
		lws_return_http_status(wsi, HTTP_STATUS_FORBIDDEN, "only the demo's own page");
		return 1;
	}
	return 0;
}

static int web_http_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
		       void *in, size_t len)
{
	if (reason == LWS_CALLBACK_HTTP_CONFIRM_UPGRADE)
		return web_confirm_upgrade(wsi, in);
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static int web_ws_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
		     void *in, size_t len)
{
	struct site_web *web = lws_get_vhost_user(lws_get_vhost(wsi));
	struct web_client *c = user;

	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		return web_on_established(web, c, wsi);
	case LWS_CALLBACK_RECEIVE:
		return c->web ? web_on_receive(c, in, len) : -1;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return c->web ? web_on_writeable(c) : 0;
	case LWS_CALLBACK_CLOSED:
		if (c->web)
			web_on_closed(c);
		return 0;
	default:
		return 0;
	}
}

static const struct lws_protocols web_protocols[] = {
	{ .name = "http", .callback = web_http_cb },
	{ .name = WEB_PROTOCOL, .callback = web_ws_cb,
	  .per_session_data_size = sizeof(struct web_client), .rx_buffer_size = 8192 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }     /* terminator */
};

/* --- life ----------------------------------------------------------------------- */

/*
 * Where the listening socket of PORT is really bound: lws takes the
 * interface as a name or an address and falls back quietly, so the
 * promise "loopback only" is checked on the socket itself.
 */
static int web_bound(int port, char out[64])
{
	for (int fd = 3; fd < 1024; fd++) {
		struct sockaddr_in sa;
		socklen_t sl = sizeof(sa);
		int listening = 0;
		socklen_t ll = sizeof(listening);
		char ip[INET_ADDRSTRLEN];

		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &ll) || !listening ||
		    getsockname(fd, (struct sockaddr *)&sa, &sl) || sa.sin_family != AF_INET ||
		    ntohs(sa.sin_port) != port)
			continue;
		inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof(ip));
		snprintf(out, 64, "%s:%d", ip, port);
		return 0;
	}
	return -1;
}

int site_web_start(struct site_server *srv, const struct site_web_options *opt, char **err)
{
	struct site_web *web = calloc(1, sizeof(*web));
	struct lws_context_creation_info info;
	char want[64];
	int port;

	*err = NULL;
	if (!web || !(web->root = strdup(opt->root)) || !(web->hello = strdup(opt->hello))) {
		site_web_free(web);
		*err = strdup("out of memory");
		return -1;
	}
	web->on_line = opt->on_line;
	web->arg = opt->arg;
	web->srv = srv;
	web->mount.mountpoint = "/";
	web->mount.mountpoint_len = 1;
	web->mount.origin = web->root;
	web->mount.def = "index.html";
	web->mount.origin_protocol = LWSMPRO_FILE;

	memset(&info, 0, sizeof(info));
	info.port = opt->port;
	info.iface = opt->host;
	info.protocols = web_protocols;
	info.mounts = &web->mount;
	info.vhost_name = "demo-web";
	info.user = web;
	info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
	web->vhost = lws_create_vhost(srv->ctx, &info);
	if (!web->vhost) {
		if (asprintf(err, "--web: cannot listen on %s:%d", opt->host, opt->port) < 0)
			*err = NULL;
		site_web_free(web);
		return -1;
	}
	srv->web = web;
	port = lws_get_vhost_listen_port(web->vhost);
	snprintf(want, sizeof(want), "%s:%d", opt->host, port);
	if (web_bound(port, web->addr)) {
		if (asprintf(err, "--web: cannot listen on %s (no such address here?)", want) < 0)
			*err = NULL;
		return -1;      /* the caller shuts the server down, vhost and all */
	}
	if (strcmp(web->addr, want)) {
		if (asprintf(err, "--web: asked for %s, but lws listens on %s", want, web->addr) < 0)
			*err = NULL;
		return -1;      /* the caller shuts the server down, vhost and all */
	}
	return 0;
}

const char *site_web_address(const struct site_server *srv)
{
	return srv->web && srv->web->addr[0] ? srv->web->addr : NULL;
}

void site_web_free(struct site_web *web)
{
	if (!web)
		return;
	for (size_t i = 0; i < web->b_n; i++)
		free(web->backlog[(web->b_head + i) % WEB_BACKLOG]);
	free(web->root);
	free(web->hello);
	free(web);
}
