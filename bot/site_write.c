/*
 * site_write: the frames the site adapter sends (identify, heartbeat, the
 * outbox's actions), several per WRITEABLE with the socket corked.
 */
#include "bot/site_private.h"
#include "bot/json_out.h"
#include "bot/log.h"
#include "bot/strcopy.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Asks lws for one WRITEABLE; asking again before it comes costs epoll calls for nothing. */
void site_want_write(struct site *s)
{
	if (s->wsi != NULL && !s->write_requested) {
		s->write_requested = true;
		lws_callback_on_writable(s->wsi);
	}
}

static unsigned char *tx_reserve(struct site *s, size_t need)
{
	if (LWS_PRE + need > s->tx_cap) {
		size_t cap = LWS_PRE + need + 1024;
		unsigned char *p = realloc(s->tx, cap);
		if (p == NULL)
			return NULL;
		s->tx = p;
		s->tx_cap = cap;
	}
	return s->tx + LWS_PRE;
}

static int write_frame(struct site *s, struct json_out *j)
{
	if (j->failed) {
		log_warnx("%s: could not build a frame (out of memory)", s->conn.name);
		return 0;
	}
	if (lws_write(s->wsi, (unsigned char *)j->buf, j->len, LWS_WRITE_TEXT) < (int)j->len) {
		log_warnx("%s: write failed", s->conn.name);
		return -1;
	}
	return 0;
}

static int write_identify(struct site *s)
{
	struct json_out j;
	unsigned char *buf = tx_reserve(s, 512 + strlen(s->token) * 6);

	if (buf == NULL)
		return -1;
	json_out_init(&j, (char *)buf, s->tx_cap - LWS_PRE);
	json_out_raw(&j, "{\"type\":\"identify\",\"token\":");
	json_out_str(&j, s->token);
	if (s->resume_next && s->session[0] && s->last_id[0]) {
		json_out_raw(&j, ",\"resume\":{\"session\":");
		json_out_str(&j, s->session);
		json_out_raw(&j, ",\"last_id\":");
		json_out_str(&j, s->last_id);
		json_out_raw(&j, "}");
	}
	json_out_raw(&j, "}");
	log_info("%s: identifying%s%s", s->conn.name,
	    s->resume_next && s->session[0] && s->last_id[0] ? ", resuming after " : "",
	    s->resume_next && s->session[0] && s->last_id[0] ? s->last_id : "");
	return write_frame(s, &j);
}

static int write_heartbeat(struct site *s)
{
	struct json_out j;
	unsigned char *buf = tx_reserve(s, 256 + sizeof(s->last_id) * 6);

	if (buf == NULL)
		return -1;
	json_out_init(&j, (char *)buf, s->tx_cap - LWS_PRE);
	json_out_raw(&j, "{\"type\":\"heartbeat\",\"last_id\":");
	if (s->last_id[0])
		json_out_str(&j, s->last_id);
	else
		json_out_raw(&j, "null");
	json_out_raw(&j, "}");
	return write_frame(s, &j);
}

static int write_action(struct site *s, const struct out_msg *m)
{
	static const char *const types[] = { [OUT_SEND] = "send", [OUT_DM] = "dm", [OUT_SYSTEM] = "system" };
	struct json_out j;
	char ref[32];
	unsigned char *buf = tx_reserve(s, 128 + (strlen(m->text) + strlen(m->target)) * 6);

	if (buf == NULL)
		return -1;
	ref[0] = 'c';
	u64_to_dec(ref + 1, m->seq);
	json_out_init(&j, (char *)buf, s->tx_cap - LWS_PRE);
	json_out_raw(&j, "{\"type\":\"");
	json_out_raw(&j, types[m->kind]);
	json_out_raw(&j, "\",\"ref\":\"");
	json_out_raw(&j, ref);
	json_out_raw(&j, m->kind == OUT_DM ? "\",\"user\":" : "\",\"room\":");
	json_out_str(&j, m->target);
	json_out_raw(&j, ",\"text\":");
	json_out_str(&j, m->text);
	json_out_raw(&j, "}");
	return write_frame(s, &j);
}

#define SITE_FRAMES_PER_WRITEABLE 32

/*
 * Holds (or lets go) the socket's partial segments.  lws sends each frame
 * with a send() of its own, and on TCP each send() pushes a segment through
 * the whole stack at once (on loopback, the peer's receive path too): that
 * was a quarter of the daemon's CPU in a burst of replies.  Corked, the
 * frames of one WRITEABLE leave as one push when the cork is pulled at its
 * end, so a burst costs one segment and a lone reply waits for nothing.
 */
static void cork(struct site *s, int on)
{
	int fd = lws_get_socket_fd(s->wsi);

	if (fd >= 0)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_CORK, &on, sizeof(on));
}

/*
 * Control frames first, then queued actions: several per WRITEABLE (one
 * loop turn, one wake-up of the peer for a burst of replies) until lws has
 * to buffer, then it asks for the next WRITEABLE.
 */
int site_on_writeable(struct site *s)
{
	bool corked = (s->conn.state == S_READY || s->conn.state == S_STOPPING) &&
	    outbox_queued(s->conn.outbox) > 1;
	int rc = 0;

	s->write_requested = false;
	if (corked)
		cork(s, 1);
	for (int n = 0; rc == 0 && n < SITE_FRAMES_PER_WRITEABLE; n++) {
		if (n > 0 && lws_partial_buffered(s->wsi))
			break;
		if (s->want_identify) {
			s->want_identify = false;
			rc = write_identify(s);
		} else if (s->want_heartbeat) {
			s->want_heartbeat = false;
			rc = write_heartbeat(s);
		} else if (s->conn.state == S_READY || s->conn.state == S_STOPPING) {
			struct out_msg *m = outbox_next(s->conn.outbox);
			if (m == NULL)
				break;
			rc = write_action(s, m);
		} else {
			break;
		}
	}
	if (corked)
		cork(s, 0);
	if (rc == 0 && (s->want_identify || s->want_heartbeat ||
	    ((s->conn.state == S_READY || s->conn.state == S_STOPPING) && outbox_queued(s->conn.outbox) > 0)))
		site_want_write(s);
	return rc;
}

