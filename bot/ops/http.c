/*
 * http: one small request at a time per socket; the body is rendered when
 * the request arrives and written in the next WRITEABLE with the headers
 * already sent.  The pages come from the vhost's user pointer (struct
 * http_pages of http.h): what they say is the daemon's business.  A page
 * the owner answers later (http_answer) has its headers written in a
 * WRITEABLE of their own, the body in the next, one lws_write each.
 */
#include "bot/ops/http.h"
#include "bot/lib/log.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct http_session {
	unsigned char *body;    /* LWS_PRE + len, owned */
	size_t len;
	char *in;               /* a POST's body so far, owned */
	size_t in_len;
	bool post, too_big;
	bool headers_due;       /* an answer given later: its headers are not written yet */
	unsigned status;        /* ...and what they say */
	const char *type;       /* static */
	struct http_reply *waiting;     /* a GET the owner answers later, or NULL */
	char uri[64];
};

/* Shared by the session and the owner until one side lets go: the owner
 * answers through it, the session's close leaves it with wsi NULL. */
struct http_reply {
	struct lws *wsi;        /* NULL: the client left; the answer is dropped */
	struct http_session *hs;
};

static int write_answer(struct lws *wsi, struct http_session *hs, unsigned status, const char *type, char *text,
                        size_t len)
{
	unsigned char hdr[LWS_PRE + 512], *start = hdr + LWS_PRE, *p = start, *end = hdr + sizeof(hdr) - 1;

	if (text == NULL)
		return -1;
	free(hs->body);
	hs->body = malloc(LWS_PRE + len);
	if (hs->body == NULL) {
		free(text);
		return -1;
	}
	memcpy(hs->body + LWS_PRE, text, len);
	hs->len = len;
	free(text);
	if (lws_add_http_common_headers(wsi, status, type, len, &p, end) ||
	    lws_finalize_write_http_header(wsi, start, &p, end))
		return -1;
	lws_callback_on_writable(wsi);
	return 0;
}

/* The whole body of a POST arrived (or was too big). */
static int answer_post(struct lws *wsi, struct http_session *hs)
{
	const struct http_pages *pages = lws_vhost_user(lws_get_vhost(wsi));
	char *out = NULL;
	int status;

	if (hs->too_big)
		status = HTTP_STATUS_REQ_ENTITY_TOO_LARGE;
	else if (pages->post == NULL || hs->in == NULL)
		status = HTTP_STATUS_NOT_FOUND;
	else
		status = pages->post(pages->owner, hs->uri, hs->in, hs->in_len, &out);
	free(hs->in);
	hs->in = NULL;
	hs->in_len = 0;
	hs->post = false;
	if (out == NULL)
		out = strdup("{}");
	return write_answer(wsi, hs, (unsigned)status, "application/json", out, out ? strlen(out) : 0);
}

static void take_body(struct http_session *hs, const void *in, size_t len)
{
	char *grown;

	if (hs->too_big || len == 0)
		return;
	if (hs->in_len + len > HTTP_POST_MAX || (grown = realloc(hs->in, hs->in_len + len + 1)) == NULL) {
		hs->too_big = true;
		return;
	}
	memcpy(grown + hs->in_len, in, len);
	hs->in = grown;
	hs->in_len += len;
	hs->in[hs->in_len] = '\0';
}

static void forget_waiting(struct http_session *hs)
{
	if (hs->waiting != NULL)
		hs->waiting->wsi = NULL;        /* the owner's http_answer() frees it */
	hs->waiting = NULL;
	hs->headers_due = false;
}

void http_answer(struct http_reply *reply, unsigned status, const char *type, char *text, size_t len)
{
	struct lws *wsi = reply->wsi;
	struct http_session *hs = reply->hs;

	free(reply);
	if (wsi == NULL) {
		free(text);
		return;
	}
	hs->waiting = NULL;
	if (text == NULL) {
		status = HTTP_STATUS_INTERNAL_SERVER_ERROR;
		type = "text/plain; charset=utf-8";
		len = 0;
	}
	free(hs->body);
	hs->body = malloc(LWS_PRE + len + 1);
	if (hs->body == NULL) {
		free(text);
		lws_set_timeout(wsi, PENDING_TIMEOUT_KILLED_BY_PARENT, LWS_TO_KILL_ASYNC);
		return;
	}
	if (len > 0)
		memcpy(hs->body + LWS_PRE, text, len);
	free(text);
	hs->len = len;
	hs->status = status;
	hs->type = type;
	hs->headers_due = true;
	lws_callback_on_writable(wsi);
}

static int write_headers_due(struct lws *wsi, struct http_session *hs)
{
	unsigned char hdr[LWS_PRE + 512], *start = hdr + LWS_PRE, *p = start, *end = hdr + sizeof(hdr) - 1;

	hs->headers_due = false;
	if (lws_add_http_common_headers(wsi, hs->status, hs->type, hs->len, &p, end) ||
	    lws_finalize_write_http_header(wsi, start, &p, end))
		return -1;
	lws_callback_on_writable(wsi);
	return 0;
}

static int answer(struct lws *wsi, struct http_session *hs, const char *uri)
{
	const struct http_pages *pages = lws_vhost_user(lws_get_vhost(wsi));
	const char *type = "text/plain; charset=utf-8";
	unsigned status = HTTP_STATUS_OK;
	char *text = NULL;
	size_t len = 0;

	free(hs->body);         /* a request that came before the last answer was written */
	hs->body = NULL;
	forget_waiting(hs);
	if (strcmp(uri, "/healthz") == 0) {
		text = pages->health(pages->owner, &len);
		type = "application/json";
	} else if (strcmp(uri, "/metrics") == 0) {
		text = pages->metrics(pages->owner, &len);
		type = "text/plain; version=0.0.4; charset=utf-8";
	} else {
		if (pages->get != NULL && (hs->waiting = calloc(1, sizeof(*hs->waiting))) != NULL) {
			*hs->waiting = (struct http_reply){ .wsi = wsi, .hs = hs };
			if (pages->get(pages->owner, uri, hs->waiting) == 0)
				return 0;
			free(hs->waiting);
			hs->waiting = NULL;
		}
		status = HTTP_STATUS_NOT_FOUND;
		text = strdup("not found: try /healthz or /metrics\n");
		len = text ? strlen(text) : 0;
	}
	return write_answer(wsi, hs, status, type, text, len);
}

int http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct http_session *hs = user;

	/* lws calls the protocol for connections that never became a request
	 * (a bare TCP connect, a port scanner, a client that left before its
	 * headers were complete): they have no session data */
	switch (reason) {
	case LWS_CALLBACK_HTTP:
		if (hs == NULL || in == NULL)
			return -1;
		if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0) {
			/* answered once the body is in */
			hs->post = true;
			hs->too_big = strlen(in) >= sizeof(hs->uri);
			snprintf(hs->uri, sizeof(hs->uri), "%s", (const char *)in);
			free(hs->in);
			hs->in = calloc(1, 1);
			hs->in_len = 0;
			return 0;
		}
		return answer(wsi, hs, in);
	case LWS_CALLBACK_HTTP_BODY:
		if (hs != NULL && hs->post)
			take_body(hs, in, len);
		return 0;
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		if (hs == NULL || !hs->post)
			return -1;
		return answer_post(wsi, hs);
	case LWS_CALLBACK_HTTP_WRITEABLE:
		if (hs == NULL || hs->body == NULL)
			break;
		if (hs->headers_due)
			return write_headers_due(wsi, hs);
		if (lws_write(wsi, hs->body + LWS_PRE, hs->len, LWS_WRITE_HTTP_FINAL) != (int)hs->len) {
			free(hs->body);
			hs->body = NULL;
			return -1;
		}
		free(hs->body);
		hs->body = NULL;
		return lws_http_transaction_completed(wsi) ? -1 : 0;
	case LWS_CALLBACK_CLOSED_HTTP:
		if (hs != NULL) {
			forget_waiting(hs);
			free(hs->body);
			hs->body = NULL;
			free(hs->in);
			hs->in = NULL;
		}
		break;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

const char *http_listen_text(const char *host, int port)
{
	static char buf[INET6_ADDRSTRLEN + 16];

	snprintf(buf, sizeof(buf), strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, port);
	return buf;
}

/* "a.b.c.d" / "[v6]" of a bound address */
static void sockaddr_text(const struct sockaddr_storage *ss, char *buf, size_t n)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, a, sizeof(a));
		snprintf(buf, n, "[%s]", a);
	} else {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, a, sizeof(a));
		snprintf(buf, n, "%s", a);
	}
}

/*
 * lws keeps its listening socket to itself: find it among the process's
 * descriptors (a listening TCP socket on PORT; the daemon has no other) and
 * compare its address with HOST.
 */
int http_check_bound(const char *host, int port)
{
	unsigned char want[sizeof(struct in6_addr)];
	bool v6 = strchr(host, ':') != NULL, found = false, wrong = false;
	long max = sysconf(_SC_OPEN_MAX);

	if (inet_pton(v6 ? AF_INET6 : AF_INET, host, want) != 1) {
		log_warnx("http.listen: %s is not an IP address", host);
		return -1;
	}
	if (max <= 0 || max > 4096)
		max = 4096;     /* at start the daemon's descriptors are the first few */
	for (int fd = 0; fd < max; fd++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int acc = 0, type = 0;
		socklen_t al = sizeof(acc), tl = sizeof(type);
		const void *addr;
		int got_port;
		char text[INET6_ADDRSTRLEN + 2];

		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &al) != 0 || !acc ||
		    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) != 0 || type != SOCK_STREAM ||
		    getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
			continue;
		if (ss.ss_family == AF_INET6) {
			got_port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
			addr = &((struct sockaddr_in6 *)&ss)->sin6_addr;
		} else if (ss.ss_family == AF_INET) {
			got_port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
			addr = &((struct sockaddr_in *)&ss)->sin_addr;
		} else {
			continue;
		}
		if (got_port != port)
			continue;
		if ((ss.ss_family == AF_INET6) == v6 && memcmp(addr, want, v6 ? 16 : 4) == 0) {
			found = true;
			continue;
		}
		sockaddr_text(&ss, text, sizeof(text));
		log_warnx("http.listen: libwebsockets listens on %s:%d instead of %s", text, port,
		    http_listen_text(host, port));
		wrong = true;
	}
	if (!found && !wrong)
		log_warnx("http.listen: nothing listens on %s (no interface has that address?)",
		    http_listen_text(host, port));
	return found && !wrong ? 0 : -1;
}

_Static_assert(sizeof(struct http_session) <= HTTP_SESSION_SIZE, "HTTP_SESSION_SIZE is too small");
