/*
 * redis_sentinel: the connection's side of Redis Sentinel.  The master the
 * sentinels name is connected to, its ROLE checked (on connect and each
 * second: a demoted master is left), its replicas counted (they decide whether
 * calls WAIT), and a failover they announce followed at once.
 */
#include "state/redis_priv.h"
#include "bot/lib/log.h"

#include <stdio.h>
#include <string.h>

/* ROLE: a server the sentinels named may have been demoted since; and the
 * master's replicas decide whether calls WAIT for one. */
static void on_role(const redisReply *reply, const char *err, void *privdata)
{
	struct state *st = privdata;
	const char *role = NULL;

	st->role_pending = false;
	if (err != NULL || st->conn == ST_CLOSING)
		return;         /* a lost connection is handled where it is seen */
	if (reply->type == REDIS_REPLY_ARRAY && reply->elements >= 1 && reply->element[0]->type == REDIS_REPLY_STRING)
		role = reply->element[0]->str;
	if (role != NULL && strcmp(role, "master") == 0) {
		size_t n = reply->elements >= 3 && reply->element[2]->type == REDIS_REPLY_ARRAY ?
		    reply->element[2]->elements : 0;
		if (n != st->replicas || !st->replicas_said)
			log_info("redis: the master %s:%d has %zu replica%s%s", st->master_host, st->master_port, n,
			    n == 1 ? "" : "s", n ? "; writes wait for one" : "; a failover now would lose recent writes");
		st->replicas = n;
		st->replicas_said = true;
		return;
	}
	log_warnx("redis: %s:%d is a %s, not the master; asking the sentinels again", st->master_host,
	    st->master_port, role ? role : "server of unknown role");
	state_drop_connection(st, "not the master");
}

static void on_probe(const redisReply *reply, const char *err, void *privdata)
{
	struct state *st = privdata;

	st->probe_pending = false;
	if (err == NULL && reply->type == REDIS_REPLY_INTEGER && reply->integer >= 1 && st->lagging) {
		st->lagging = false;
		log_info("redis: a replica confirms writes again; calls wait for it");
	}
}

/* While lagging: has a replica caught up with what this connection wrote? (blocks it 100 ms at most) */
void state_probe_replica(struct state *st)
{
	struct state_args *a = state_args_new();

	st->probe_pending = true;
	state_args_add(a, "WAIT");
	state_args_add(a, "1");
	state_args_add(a, "100");
	state_submit(st, -1, 0, a, on_probe, st, true);
}

void state_ask_role(struct state *st)
{
	struct state_args *a = state_args_new();

	st->role_pending = true;
	state_args_add(a, "ROLE");
	state_submit(st, -1, 0, a, on_role, st, true);
}

void state_on_master_found(void *arg, const char *host, int port)
{
	struct state *st = arg;

	if (st->conn != ST_ASKING)
		return;
	if (host == NULL) {
		if (st->quiet_failures++ == 0)
			log_warnx("redis: no sentinel named the master \"%s\"", st->opt.master_name);
		state_set_conn(st, ST_DOWN, "no sentinel answered");
		state_schedule_connect(st);
		return;
	}
	snprintf(st->master_host, sizeof(st->master_host), "%s", host);
	st->master_port = port;
	st->master_known = true;
	state_connect_now(st);
}

/* +switch-master: the sentinels chose a new master; go there now, not after a timeout. */
void state_on_master_switched(void *arg, const char *host, int port)
{
	struct state *st = arg;

	if (st->conn == ST_CLOSING)
		return;
	if (host != NULL && st->conn != ST_DOWN && st->conn != ST_ASKING &&
	    strcmp(host, st->master_host) == 0 && port == st->master_port)
		return;         /* already there */
	sentinel_cancel(st->sentinel);
	if (st->ac != NULL)
		state_drop_connection(st, "the sentinels switched the master");
	uv_timer_stop(&st->retry_timer);
	state_set_conn(st, ST_DOWN, "failover");
	st->backoff_ms = 0;
	if (host != NULL) {
		snprintf(st->master_host, sizeof(st->master_host), "%s", host);
		st->master_port = port;
		st->master_known = true;
	}
	state_connect_now(st);
}
