/*
 * redis_priv: the connection's insides, shared by state/redis.c (life cycle
 * and calls) and state/redis_sentinel.c (finding and following the master
 * through Redis Sentinel).  Nothing outside state/ includes it.
 */
#ifndef DUTYBOT_STATE_REDIS_PRIV_H
#define DUTYBOT_STATE_REDIS_PRIV_H

#include "state/redis.h"
#include "state/sentinel.h"

#include <hiredis/async.h>

enum state_conn { ST_DOWN, ST_ASKING, ST_CONNECTING, ST_LOADING, ST_UP, ST_CLOSING };

struct pending {
	struct state *st;
	struct pending *prev, *next;
	struct state_args *args;    /* owned */
	int script;                 /* -1 for a plain command */
	int nkeys;
	int retried;                /* NOSCRIPT handled once */
	bool wait;                  /* a WAIT follows it: answer only after its reply */
	bool finished;              /* called back; freed once OUTSTANDING is 0 */
	int outstanding;            /* hiredis callbacks still to come for it */
	int skip_waits;             /* WAIT replies of attempts given up (NOSCRIPT) */
	redisReply *held;           /* its own reply, kept until the WAIT's */
	const char *refused;        /* never sent: why (no arguments, or they overflowed) */
	uint64_t started;           /* uv_now of its (last) sending */
	uint64_t first;             /* uv_now of its first sending */
	char once[128];             /* a script's reply key ("" for a plain command) */
	state_cb *cb;
	void *privdata;
	redisAsyncContext *ac;      /* the context it was sent on */
};

struct state {
	uv_loop_t *loop;
	struct state_options opt;   /* strings owned */
	redisAsyncContext *ac;
	enum state_conn conn;
	uv_timer_t retry_timer;
	uv_timer_t sweep_timer;
	uv_timer_t fail_timer;      /* delivers failures asynchronously */
	uint64_t backoff_ms;
	uint64_t connect_started;
	int connects;
	int quiet_failures;         /* log the first failure of a streak only */
	char sha[SCRIPT_MAX][41];
	int script_index[SCRIPT_MAX];
	struct pending head;        /* sentinel: in flight */
	struct pending failed;      /* sentinel: to fail on the next loop turn */
	struct pending replay;      /* sentinel: reply lost, to send again once up */
	char instance[32];          /* names this process's once keys */
	uint64_t once_seq;
	struct state_args *forget;  /* UNLINK of once keys whose reply came */
	size_t n_pending;
	struct state_stats stats;
	struct sentinel *sentinel;  /* NULL without sentinels */
	char master_host[64];       /* sentinel mode: the master connected to or to connect to */
	int master_port;
	bool master_known;          /* master_host is fresh: connect without asking */
	bool role_pending;
	size_t replicas;            /* the master's, as ROLE last said */
	bool replicas_said;         /* logged since this connection began */
	bool lagging;               /* a WAIT timed out: calls stop waiting until a replica catches up */
	bool probe_pending;
	int open_handles;
	bool finishing;
	void (*closed)(void *);
	void *closed_arg;
};

/* redis.c */
void state_submit(struct state *st, int script, int nkeys, struct state_args *args,
                  state_cb *cb, void *privdata, bool internal);
void state_set_conn(struct state *st, enum state_conn c, const char *reason);
void state_connect_now(struct state *st);
void state_schedule_connect(struct state *st);
/* Give up on the current context: pending calls fail, a reconnect follows. */
void state_drop_connection(struct state *st, const char *why);

/* redis_sentinel.c */
void state_ask_role(struct state *st);
void state_probe_replica(struct state *st);
sentinel_found_cb state_on_master_found, state_on_master_switched;

#endif
