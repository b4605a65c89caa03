/*
 * http: one small request at a time per socket; the body is rendered when
 * the request arrives and written in the next WRITEABLE with the headers
 * already sent.  The daemon is the context's user pointer.
 */
#include "bot/http.h"
#include "bot/metrics.h"
#include "bot/daemon.h"

#include <stdlib.h>
#include <string.h>

struct http_session {
	unsigned char *body;    /* LWS_PRE + len, owned */
	size_t len;
};

static int answer(struct lws *wsi, struct http_session *hs, const char *uri)
{
	struct dutybot *bot = lws_context_user(lws_get_context(wsi));
	unsigned char hdr[LWS_PRE + 512], *start = hdr + LWS_PRE, *p = start, *end = hdr + sizeof(hdr) - 1;
	const char *type = "text/plain; charset=utf-8";
	unsigned status = HTTP_STATUS_OK;
	char *text = NULL;
	size_t len = 0;

	if (strcmp(uri, "/healthz") == 0) {
		text = metrics_health(bot, &len);
		type = "application/json";
	} else if (strcmp(uri, "/metrics") == 0) {
		text = metrics_render(bot, &len);
		type = "text/plain; version=0.0.4; charset=utf-8";
	} else {
		status = HTTP_STATUS_NOT_FOUND;
		text = strdup("not found: try /healthz or /metrics\n");
		len = text ? strlen(text) : 0;
	}
	if (text == NULL)
		return -1;
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

int http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct http_session *hs = user;

	switch (reason) {
	case LWS_CALLBACK_HTTP:
		return answer(wsi, hs, in);
	case LWS_CALLBACK_HTTP_WRITEABLE:
		if (hs->body == NULL)
			break;
		if (lws_write(wsi, hs->body + LWS_PRE, hs->len, LWS_WRITE_HTTP_FINAL) != (int)hs->len) {
			free(hs->body);
			hs->body = NULL;
			return -1;
		}
		free(hs->body);
		hs->body = NULL;
		return lws_http_transaction_completed(wsi) ? -1 : 0;
	case LWS_CALLBACK_CLOSED_HTTP:
		free(hs->body);
		hs->body = NULL;
		break;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

_Static_assert(sizeof(struct http_session) == HTTP_SESSION_SIZE, "HTTP_SESSION_SIZE is out of date");
