/*
 * staff_sync: the config's staff into Redis (staff_sync.h says when).
 */
#include "state/staff_sync.h"
#include "state/redis.h"
#include "config/config.h"
#include "bot/lib/log.h"
#include "bot/lib/clock.h"
#include "bot/lib/when.h"

#include <stdio.h>

static void on_staff_upserted(const redisReply *r, const char *err, void *privdata)
{
	struct state_staff_sync *s = privdata;

	if (err != NULL) {
		log_warnx("staff: could not store a config entry: %s (will retry)", err);
		s->synced = false;
	} else if (r->type == REDIS_REPLY_ARRAY && r->elements == 1 && r->element[0]->integer > 0) {
		log_debug("staff: config entry updated");
	}
	if (--s->pending == 0 && s->synced) {
		log_info("staff: %zu config entries in the state store", s->n_staff);
		if (s->on_synced != NULL)
			s->on_synced(s->arg);
	}
}

void state_staff_sync(struct state_staff_sync *s, struct state *st, const struct config *cfg)
{
	const char *prefix = state_prefix(st);

	s->epoch = state_epoch(st);
	s->n_staff = cfg->n_staff;
	s->synced = true;
	for (size_t i = 0; i < cfg->n_staff; i++) {
		const struct config_staff *p = &cfg->staff[i];
		struct state_args *a = state_args_new();
		char idents[2048];
		size_t len = 0;

		idents[0] = '\0';
		for (size_t k = 0; k < p->n_identities; k++)
			len += (size_t)snprintf(idents + len, len < sizeof(idents) ? sizeof(idents) - len : 0,
			    "%s%s", k ? " " : "", p->identities[k]);
		if (len >= sizeof(idents)) {
			/* a cut identity would name somebody else: skip the entry */
			log_warnx("staff: %s has too many identities to store; entry skipped", p->id);
			state_args_free(a);
			continue;
		}
		state_args_addf(a, "%sstaff:%s", prefix, p->id);
		state_args_add(a, prefix);
		state_args_addf(a, "%lld", (long long)clock_now_ms());
		state_args_add(a, p->id);
		state_args_add(a, p->name);
		state_args_add(a, p->email);
		state_args_add(a, config_role_name(p->role));
		state_args_add(a, config_level_name(p->level));
		state_args_add(a, p->lang ? p->lang : "");
		state_args_add(a, idents);
		if (p->probation_start != NULL) {
			struct ymd d;
			when_parse_date(p->probation_start, clock_now_ms(), &d);
			state_args_addf(a, "%lld", (long long)when_local_ms(d, 0));
		} else {
			state_args_add(a, "");
		}
		if (p->probation_ms > 0)
			state_args_addf(a, "%lld", (long long)p->probation_ms);
		else
			state_args_add(a, "");
		s->pending++;
		state_eval(st, SCRIPT_STAFF_UPSERT, 1, a, on_staff_upserted, s);
	}
}
