/*
 * outbox: one connection's queue of outgoing actions.  It splits long texts
 * at the platform's limit, paces sends to the connection's max_send_rate
 * (a sliding one-second window), keeps what is in flight until the platform
 * acks it, puts a rate-limited action back in front of everything queued
 * behind it (in its original order) and holds the queue for the delay the
 * platform asked for, and re-queues what was in flight when the connection
 * drops, so nothing accepted is lost.  With an ack timeout set, an action
 * that gets no answer by its deadline is sent again (in front, in order) a
 * bounded number of times and then given up, so one lost frame never stalls
 * the queue behind it.
 */
#ifndef DUTYBOT_OUTBOX_H
#define DUTYBOT_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

enum out_kind { OUT_SEND, OUT_DM, OUT_SYSTEM };
/* What a message's gate says when the message is next to go. */
enum out_gate { OUT_GATE_SEND, OUT_GATE_WAIT, OUT_GATE_DROP };

struct out_msg {
	struct out_msg *next;
	enum out_kind kind;
	uint64_t seq;           /* order of acceptance; the ref is derived from it */
	char *target;           /* room / channel id / user id; in the message's own block */
	char *text;             /* in the block too, as are the origins */
	char *origin_room;      /* who to tell when delivery fails for good; may be NULL */
	char *origin_user;
	char lang[4];
	/* Buttons for platforms that have them, on the last piece only: lines of
	 * "<label>\t<command without prefix>"; NULL for none.  Owned. */
	char *buttons;
	int attempts;
	int timeouts;           /* sends that got no answer by their deadline */
	uint64_t sent_at;       /* uv_now when it last went out */
	uint64_t deadline;      /* uv_now by which its answer is due (ack timeout set) */
	bool first;             /* staff's and alerts' lane: queued ahead of chat friends' answers */
	bool delivered;         /* the platform acked it */
	bool unanswered;        /* given up after timeouts: not refused, so worth a later retry */
	/* Called once when the message is freed: delivered, or not (refused for
	 * good, given up unanswered, or still queued at shutdown); M is the
	 * message (delivered, unanswered).  May be NULL. */
	void (*done)(void *arg, const struct out_msg *m);
	void *done_arg;
	/* Asked (with done_arg) when the message is next: SEND; WAIT (nothing
	 * goes until outbox_kick); DROP (freed as delivered: it is no longer
	 * wanted, e.g. a page whose emergency was acknowledged meanwhile).
	 * NULL: always SEND. */
	enum out_gate (*gate)(void *arg);
};

struct outbox;
typedef void outbox_kick_fn(void *arg);     /* "there may be something to send now" */

/* MAX_CHARS: platform text limit in characters; RATE: actions/s, 0 = unpaced. */
struct outbox *outbox_new(uv_loop_t *loop, size_t max_chars, int rate, outbox_kick_fn *kick, void *arg);
void outbox_set_rate(struct outbox *ob, int rate);
/* Actions sent before the oldest is acked (default 1: strict order). */
void outbox_set_max_inflight(struct outbox *ob, size_t n);
/*
 * Every action in flight must be answered within TIMEOUT_MS times its try
 * number (a slow site gets longer each time).  Past that it goes back in
 * front of the queue to be sent again, at most TRIES sends in all; then it
 * is given up (m->unanswered).  EXPIRED (with the kick's arg) is told each
 * time: FINAL false: it will be sent again (the outbox keeps it); FINAL
 * true: it is unlinked and the callee frees it with outbox_msg_free().
 * TIMEOUT_MS 0 (the default): no deadline.
 */
typedef void outbox_expired_fn(void *arg, struct out_msg *m, bool final);
void outbox_set_ack_timeout(struct outbox *ob, uint64_t timeout_ms, int tries, outbox_expired_fn *expired);
/* Closes the timers; the outbox is freed (with anything still queued) in its close callback. */
void outbox_free(struct outbox *ob);

/* Queues TEXT (split as needed) in FIRST's lane: the first lane (staff's
 * answers, alerts) goes ahead of everything queued in the other (chat
 * friends' answers), each lane in its own order; a piece once sent is not
 * overtaken by anything new.  ORIGIN_*, BUTTONS, DONE, GATE: may be NULL,
 * see outbox_push_tracked.  Returns pieces queued. */
int outbox_push_lane(struct outbox *ob, bool first, enum out_kind kind, const char *target, const char *text,
                     const char *origin_room, const char *origin_user, const char *lang, const char *buttons,
                     void (*done)(void *arg, const struct out_msg *m), enum out_gate (*gate)(void *arg), void *arg);
/* Queues TEXT (split as needed).  ORIGIN_*: may be NULL.  Returns pieces queued. */
int outbox_push(struct outbox *ob, enum out_kind kind, const char *target, const char *text,
                const char *origin_room, const char *origin_user, const char *lang);
/* The same, with DONE(ARG, delivered) called once per piece queued,
 * BUTTONS (may be NULL, see struct out_msg) on the last piece and GATE (may
 * be NULL) asked before each piece goes. */
int outbox_push_tracked(struct outbox *ob, enum out_kind kind, const char *target, const char *text,
                        const char *lang, const char *buttons, void (*done)(void *arg, const struct out_msg *m),
                        enum out_gate (*gate)(void *arg), void *arg);
/* A gate that said WAIT may say otherwise now: look again. */
void outbox_kick(struct outbox *ob);

/* The next action that may go out now, moved to in-flight; NULL if none (paced,
 * held or empty: a kick follows when that changes). */
struct out_msg *outbox_next(struct outbox *ob);
/* Acked: forgets it.  Returns false if SEQ was not in flight. */
bool outbox_acked(struct outbox *ob, uint64_t seq);
/* Rate-limited: back in front in seq order, queue held DELAY_MS. */
bool outbox_retry(struct outbox *ob, uint64_t seq, int64_t delay_ms);
/* Failed for good: unlinked and handed to the caller, who frees it with outbox_msg_free(). */
struct out_msg *outbox_failed(struct outbox *ob, uint64_t seq);
/* Connection lost: everything in flight goes back in front, in order. */
void outbox_requeue_inflight(struct outbox *ob);
/* Holds the queue for DELAY_MS (e.g. 4008 close). */
void outbox_hold(struct outbox *ob, int64_t delay_ms);
void outbox_msg_free(struct out_msg *m);

/* The action SEQ while it is in flight (NULL otherwise); the outbox still owns it. */
struct out_msg *outbox_inflight_find(struct outbox *ob, uint64_t seq);
/* The oldest action in flight (NULL if none); the outbox still owns it. */
struct out_msg *outbox_inflight_first(struct outbox *ob);
size_t outbox_queued(const struct outbox *ob);
size_t outbox_inflight(const struct outbox *ob);

/* Splits TEXT into pieces of at most MAX_CHARS code points: at line breaks;
 * a line longer than that at its last blank (or after a CJK punctuation
 * mark), else at the last whole character.  Calls FN for each piece
 * (without the line break or blanks of the cut); returns the count. */
int outbox_split(const char *text, size_t max_chars,
                 void (*fn)(const char *piece, size_t len, void *arg), void *arg);
/* One button of an out_msg's BUTTONS, as outbox_buttons() hands it on. */
struct out_button {
	int index;              /* 0.. among the buttons handed on */
	char label[96];
	char command[256];      /* without the prefix: "approve S-1" */
};
/* Calls FN for each "<label>\t<command>" line of BUTTONS (NULL: none) with
 * a label of at most MAX_LABEL bytes and a command of 1 to MAX_COMMAND bytes
 * (both at most the struct's room), at most MAX of them; other lines are
 * skipped.  The one reader of the format, for every platform with buttons.
 * Returns how many were handed on. */
int outbox_buttons(const char *buttons, int max, size_t max_label, size_t max_command,
                   void (*fn)(const struct out_button *b, void *arg), void *arg);
/* Code points in S (a cut-off sequence counts as one). */
size_t outbox_chars(const char *s);
/* TEXT if it has at most MAX_CHARS code points, else its beginning cut like
 * a split and ended with an ellipsis, MAX_CHARS in all.  malloc'd; NULL if
 * out of memory. */
char *outbox_shorten(const char *text, size_t max_chars);
/* ORIGINAL SEP OUTCOME in at most MAX_CHARS code points (a message edited
 * to show what became of it): the original is shortened, never the outcome,
 * unless the outcome alone is too long.  malloc'd; NULL if out of memory. */
char *outbox_join_fit(const char *original, const char *sep, const char *outcome, size_t max_chars);

#endif
