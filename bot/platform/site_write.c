/*
 * site_write: the frames the site adapter sends (identify, heartbeat, the
 * outbox's actions), several per WRITEABLE with the socket corked, each
 * built in place in the socket's buffer (wsc_frame_buf).
 */
#include "bot/platform/site_private.h"
#include "bot/lib/json_out.h"
#include "bot/lib/log.h"
#include "bot/lib/strcopy.h"
#include "bot/platform/wsc.h"

#include <stdlib.h>
#include <string.h>

void site_want_write(struct site *s)
{
	if (s->ws != NULL)
		wsc_want_write(s->ws);
}

/* Starts J in the socket's buffer, with room for NEED bytes at least; -1 when out of memory. */
static int frame_start(struct site *s, struct json_out *j, size_t need)
{
	size_t room;
	char *buf = wsc_frame_buf(s->ws, need, &room);

	if (buf == NULL)
		return -1;
	json_out_init(j, buf, room);
	return 0;
}

static int write_frame(struct site *s, struct json_out *j)
{
	if (j->failed) {
		log_warnx("%s: could not build a frame (out of memory)", s->conn.name);
		return 0;
	}
	return wsc_send(s->ws, j->buf, j->len);
}

static int write_identify(struct site *s)
{
	struct json_out j;

	if (frame_start(s, &j, 512 + strlen(s->token) * 6) < 0)
		return -1;
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

	if (frame_start(s, &j, 256 + sizeof(s->last_id) * 6) < 0)
		return -1;
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

	if (frame_start(s, &j, 128 + (strlen(m->text) + strlen(m->target)) * 6) < 0)
		return -1;
	ref[0] = 'c';
	u64_to_dec(ref + 1, m->seq);
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
 * Control frames first, then queued actions: several per WRITEABLE (one
 * loop turn, one wake-up of the peer for a burst of replies) until lws has
 * to buffer, then it asks for the next WRITEABLE.  A burst is corked into
 * one segment (wsc_cork says why).
 */
int site_on_writeable(struct wsc *w, void *arg)
{
	struct site *s = arg;
	int rc = 0;

	if ((s->conn.state == S_READY || s->conn.state == S_STOPPING) && outbox_queued(s->conn.outbox) > 1)
		wsc_cork(w);
	for (int n = 0; rc == 0 && n < SITE_FRAMES_PER_WRITEABLE; n++) {
		if (n > 0 && !wsc_send_more(w))
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
	if (rc == 0 && (s->want_identify || s->want_heartbeat ||
	    ((s->conn.state == S_READY || s->conn.state == S_STOPPING) && outbox_queued(s->conn.outbox) > 0)))
		site_want_write(s);
	return rc;
}
