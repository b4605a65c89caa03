/*
 * guard: the abuse guard.  A token bucket per platform identity (burst, then
 * per_minute), with limits per class of person: chat friends and staff.  A
 * friend over the limit is held back (the excess dropped) and told once per
 * flood; a staff member over the limit is never dropped: the command waits in
 * a bounded queue of its own and comes back, in order, when the bucket allows
 * (guard_next_ready).  Only a full queue refuses (told once per flood).  In
 * memory: a known friend's flood is dropped before it reaches Redis
 * (guard_precheck), but only while Redis has said, during this very flood and
 * less than GUARD_VOUCH_MS ago, that they are a friend: a friend just made
 * staff (here or by another instance) is never dropped for longer than that,
 * and a paste of lines read before Redis answered all reach Redis, where the
 * person's real role decides.
 *
 * A flood ends when the bucket is full again (and nothing waits): then the
 * next flood is told again.
 */
#ifndef DUTYBOT_GUARD_H
#define DUTYBOT_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum guard_class { GUARD_UNKNOWN, GUARD_FRIEND, GUARD_STAFF, GUARD_CLASSES };

enum guard_verdict {
	GUARD_OK,       /* run it now */
	GUARD_DROP,     /* a friend over the limit: not run */
	GUARD_DELAY,    /* staff over the limit: queued, guard_next_ready() gives it back */
	GUARD_FULL,     /* staff, and their queue is full: not run */
};

struct guard_limits {
	int per_minute;
	int burst;
};

/* What the caller should say about a verdict other than GUARD_OK. */
struct guard_note {
	bool tell;              /* the first of this flood: tell the person (once) */
	int64_t wait_ms;        /* DROP, FULL: when the next command would pass; DELAY: until this one runs */
	size_t queued;          /* DELAY, FULL: commands waiting for this person (with this one for DELAY) */
	char lang[8];           /* the person's language as last learned ("" if never) */
	bool counted;           /* guard_precheck: counted now (don't count it again later) */
};

/* How long Redis's word that someone is a chat friend lets their flood be
 * dropped before Redis (see guard_precheck). */
#define GUARD_VOUCH_MS 1000

struct guard;

/* guard_new()'s and guard_configure()'s limits from a struct config (config/config.h). */
#define GUARD_LIMITS_OF(cfg) \
	&(struct guard_limits){ (cfg)->limits.friends.per_minute, (cfg)->limits.friends.burst }, \
	&(struct guard_limits){ (cfg)->limits.staff.per_minute, (cfg)->limits.staff.burst }, \
	(cfg)->limits.staff_queue

/* QUEUE_MAX: the most commands one staff member may have waiting (>= 1). */
struct guard *guard_new(const struct guard_limits *friend_limits, const struct guard_limits *staff_limits,
                        int queue_max);
void guard_configure(struct guard *g, const struct guard_limits *friend_limits,
                     const struct guard_limits *staff_limits, int queue_max);

/* The class learned for IDENTITY by an earlier guard_check (GUARD_UNKNOWN if none). */
enum guard_class guard_class_of(struct guard *g, const char *identity);

/*
 * One command of IDENTITY, who is of class CLS as Redis said (learned for
 * later; LANG, if not NULL, is remembered for guard_class_of() callers).  For
 * staff, ITEM is what is queued on GUARD_DELAY.  NOTE (may be NULL) says what
 * to tell.  CLS GUARD_UNKNOWN (Redis could not say): counted with the class
 * learned earlier, the friends' limits if none; nothing is learned, and with
 * ITEM NULL even staff over their limit are GUARD_DROPped, not queued.
 */
enum guard_verdict guard_check(struct guard *g, const char *identity, enum guard_class cls, const char *lang,
                               int64_t now_ms, void *item, struct guard_note *note);

/*
 * A command of IDENTITY before Redis said who it is (NOTE->lang: their
 * language as learned before, whatever the verdict).  GUARD_OK: send it on
 * (NOTE->counted: it was counted now, as a known friend's; otherwise count it
 * with guard_check() once the role is known).  GUARD_DROP: a known friend over
 * the limit; with NOTE->tell the first of the flood (send it on all the same:
 * what Redis says decides whether to tell them or, staff now, run it),
 * without, drop it: Redis said during this flood, less than GUARD_VOUCH_MS
 * ago, that they are a friend.
 */
enum guard_verdict guard_precheck(struct guard *g, const char *identity, int64_t now_ms, struct guard_note *note);

/* What Redis said of IDENTITY (its class and language) for a command that
 * was counted earlier (guard_check, guard_precheck), without counting it
 * again.  A friend's flood is vouched for by it (see guard_precheck). */
void guard_learn(struct guard *g, const char *identity, enum guard_class cls, const char *lang, int64_t now_ms);

/* The next queued item whose bucket has a token now (taking it), or NULL. */
void *guard_next_ready(struct guard *g, int64_t now_ms);
/* Milliseconds until guard_next_ready() will give something, or -1 if nothing waits. */
int64_t guard_next_due(struct guard *g, int64_t now_ms);
/* Any queued item, limits ignored (shutdown), or NULL. */
void *guard_take_any(struct guard *g);
/* Items waiting in all queues. */
size_t guard_queued(const struct guard *g);

/* Frees the guard; items still queued are the caller's (take them first). */
void guard_free(struct guard *g);

#endif
