/*
 * daemon: start, reload and stop around one libuv loop.
 *
 * Start: Redis first (up to STARTUP_WAIT_MS, so resume points and staff
 * records are there), then the connections, then READY=1 to systemd.
 * SIGHUP: a new config is loaded completely or refused; staff, channels,
 * languages, send rates, tokens and limits apply at once.
 * SIGTERM/SIGINT, in phases: stop taking commands and let the ones in flight
 * finish and the outboxes drain (DRAIN_MS at most), save the resume points,
 * close every connection with a close frame, close Redis, then the lws
 * context and our handles, so uv_run() returns with nothing left open.
 */
#include "bot/daemon.h"
#include "bot/dispatch.h"
#include "bot/flow.h"
#include "bot/request_pool.h"
#include "bot/ops/sdnotify.h"
#include "handlers/commands.h"
#include "bot/guard.h"
#include "bot/durable/timers.h"
#include "bot/durable/deliver.h"
#include "bot/durable/overdue.h"
#include "handlers/handlers.h"
#include "bot/ops/http.h"
#include "bot/metrics.h"
#include "bot/i18n/catalog.h"
#include "bot/lib/log.h"
#include "bot/lib/clock.h"
#include "bot/platform/wsc.h"
#include "state/redis.h"
#include "state/resume.h"
#include "state/staff_sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#define STARTUP_WAIT_MS 3000
#define DRAIN_MS 5000
#define CLOSE_WAIT_MS 3000
#define RESUME_FLUSH_MS 2000

enum stop_phase { RUNNING, DRAINING, CLOSING_CONNS, CLOSING_STATE, DONE };

static void begin_stop(struct dutybot *bot);

/* ---- outgoing ---- */

void daemon_queue(struct dutybot *bot, struct conn *c, bool first, enum out_kind kind, const char *target,
                  const char *text, const char *origin_room, const char *origin_user, const char *lang)
{
	int n;

	if (c->outbox == NULL)
		return;
	n = outbox_push_lane(c->outbox, first, kind, target, text, origin_room, origin_user, lang, NULL, NULL, NULL,
	    NULL);
	if (n > 0)
		bot->metrics.replies += (uint64_t)n;
}

struct conn *daemon_conn(struct dutybot *bot, const char *name)
{
	for (size_t i = 0; i < bot->n_conns; i++)
		if (strcmp(bot->conns[i]->name, name) == 0)
			return bot->conns[i];
	return NULL;
}

static size_t conn_index(struct dutybot *bot, struct conn *c)
{
	for (size_t i = 0; i < bot->n_conns; i++)
		if (bot->conns[i] == c)
			return i;
	return 0;
}

/* ---- hooks the adapters call ---- */

static bool hook_event(struct conn *c, const struct chat_event *ev)
{
	struct dutybot *bot = c->owner;

	if (bot->stopping)
		return false;
	dispatch_event(bot, c, ev);
	return true;
}

/* the adapter's callback names its connection; state's takes one pointer */
struct resume_wait {
	struct conn *conn;
	void (*done)(struct conn *c, const char *session, const char *last_id);
};

static void on_resume_loaded(void *arg, const char *session, const char *last_id)
{
	struct resume_wait *w = arg;

	w->done(w->conn, session, last_id);
	free(w);
}

static void hook_load_resume(struct conn *c, void (*done)(struct conn *c, const char *session, const char *last_id))
{
	struct dutybot *bot = c->owner;
	struct resume_wait *w = malloc(sizeof(*w));

	if (w == NULL) {
		done(c, NULL, NULL);
		return;
	}
	w->conn = c;
	w->done = done;
	state_resume_load(bot->state, c->name, on_resume_loaded, w);
}

static void hook_save_resume(struct conn *c, const char *session, const char *last_id)
{
	struct dutybot *bot = c->owner;

	state_resume_note(&bot->resume[conn_index(bot, c)], session, last_id);
}

static void hook_delivery_failed(struct conn *c, const struct out_msg *m, const char *code)
{
	struct dutybot *bot = c->owner;
	char text[512];

	bot->metrics.delivery_failures++;
	if (m->origin_user == NULL)
		return;         /* nobody caused it (or it was itself such a notice) */
	catalog_format(text, sizeof(text), m->lang, m->unanswered ? MSG_DELIVERY_UNANSWERED : MSG_DELIVERY_FAILED,
	    (const char *const[]){ "target", m->target, "code", code }, 4);
	daemon_queue(bot, c, false, OUT_DM, m->origin_user, text, NULL, NULL, m->lang);
}

static void shutdown_step(struct dutybot *bot);

static void hook_stopped(struct conn *c)
{
	struct dutybot *bot = c->owner;

	bot->conns_stopped++;
	/* not while shutdown_step() itself is stopping them: it goes on by itself */
	if (bot->stop_phase == CLOSING_CONNS && !bot->stopping_conns && bot->conns_stopped >= bot->n_conns)
		shutdown_step(bot);
}

static const struct conn_hooks hooks = {
	.on_event = hook_event,
	.load_resume = hook_load_resume,
	.save_resume = hook_save_resume,
	.on_delivery_failed = hook_delivery_failed,
	.on_stopped = hook_stopped,
};

/* ---- resume points and staff, in Redis (state/resume.c, state/staff_sync.c) ---- */

static void flush_resume(struct dutybot *bot)
{
	for (size_t i = 0; i < bot->n_conns; i++)
		state_resume_save(bot->state, bot->conns[i]->name, &bot->resume[i]);
}

static void on_resume_flush(uv_timer_t *t)
{
	flush_resume(t->data);
}

static void on_staff_synced(void *arg)
{
	(void)arg;
	malloc_trim(0);         /* start-up is over: what parsing and syncing used goes back */
}

/* ---- start ---- */

static void start_connections(struct dutybot *bot)
{
	for (size_t i = 0; i < bot->n_conns; i++)
		if (bot->conns[i]->ops->start(bot->conns[i]) != 0)
			log_warnx("%s: could not start", bot->conns[i]->name);
	timers_start(bot->timers);
	deliver_start(bot->deliver);
	overdue_start(bot->overdue);
	sdnotify_send("READY=1\nSTATUS=running");
	log_info("dutybot %s running: %zu connection(s), state store %s", DUTYBOT_VERSION, bot->n_conns,
	    state_is_up(bot->state) ? "up" : "down (retrying)");
}

/* Polls until Redis is up (or it is time to go without it); then keeps
 * re-syncing the config's staff whenever that has not fully succeeded. */
static void on_startup_timer(uv_timer_t *t)
{
	struct dutybot *bot = t->data;

	if (!bot->started) {
		if (!state_is_up(bot->state) && clock_now_ms() - bot->started_ms < STARTUP_WAIT_MS)
			return;
		bot->started = true;
		if (!state_is_up(bot->state))
			log_warnx("state store not reachable after %d ms: starting without it", STARTUP_WAIT_MS);
		start_connections(bot);
		uv_timer_set_repeat(t, 2000);
	}
	/* give memory freed after a burst back to the system once things are quiet */
	if (bot->requests_in_flight == 0 && bot->metrics.events_in != bot->trimmed_at_events) {
		bot->trimmed_at_events = bot->metrics.events_in;
		request_pool_trim(bot->requests);
		malloc_trim(0);
	}
	/* after a Redis restart the store may be empty: upserts are idempotent */
	if (state_is_up(bot->state) && bot->staff.epoch != state_epoch(bot->state)) {
		bot->staff.synced = false;
		for (size_t i = 0; i < bot->n_conns; i++)
			bot->resume[i].dirty = true;
	}
	if (!bot->staff.synced && bot->staff.pending == 0 && state_is_up(bot->state) && !bot->stopping) {
		state_staff_sync(&bot->staff, bot->state, bot->cfg);
		timers_seed(bot->timers);       /* the kinds that must always have a next timer */
	}
}

/* ---- signals ---- */

/* What the config load found but did not refuse (a secret readable by
 * others): said at every start and reload, until it is fixed. */
static void say_config_warnings(const struct config *cfg)
{
	const char *p = cfg->warnings, *nl;

	for (; p != NULL && *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		log_warnx("config: %.*s", (int)(nl - p), p);
	}
}

static void reload(struct dutybot *bot)
{
	char *errors = NULL;
	struct config *cfg = config_load(bot->config_path, &errors);

	if (cfg == NULL) {
		char *line, *save = NULL;
		log_warnx("reload refused: %s has errors; keeping the running configuration", bot->config_path);
		for (line = strtok_r(errors, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			log_warnx("reload refused: %s", line);
		free(errors);
		return;
	}
	for (size_t i = 0; i < cfg->n_connections; i++) {
		const struct config_connection *cc = &cfg->connections[i];
		struct conn *c = daemon_conn(bot, cc->name);
		const struct config_connection *old = config_connection(bot->cfg, cc->name);
		if (c == NULL || old == NULL) {
			log_warnx("reload: new connection %s needs a restart", cc->name);
			continue;
		}
		if (cc->type != old->type || (cc->url && old->url && strcmp(cc->url, old->url) != 0))
			log_warnx("reload: %s changed its type or url: that needs a restart", cc->name);
		conn_apply_config(c, cc);
		if (c->ops->set_token != NULL)
			c->ops->set_token(c, cc);
		if (bot->started && c->outbox == NULL)  /* it could not start (no libcurl...) */
			log_warnx("reload: %s did not start; its new settings take effect at a restart", cc->name);
	}
	for (size_t i = 0; i < bot->cfg->n_connections; i++)
		if (config_connection(cfg, bot->cfg->connections[i].name) == NULL)
			log_warnx("reload: connection %s was removed from the config: it runs until a restart",
			    bot->cfg->connections[i].name);
	if (strcmp(cfg->site, bot->cfg->site) != 0 || strcmp(cfg->key_prefix, bot->cfg->key_prefix) != 0 ||
	    cfg->redis.port != bot->cfg->redis.port || strcmp(cfg->redis.host, bot->cfg->redis.host) != 0 ||
	    cfg->redis.n_sentinels != bot->cfg->redis.n_sentinels)
		log_warnx("reload: site, key_prefix and redis settings need a restart; the old ones stay");
	if (strcmp(cfg->command_prefix, bot->cfg->command_prefix) != 0) {
		/* the adapters match the prefix before parsing: it needs a restart */
		log_warnx("reload: command_prefix changes need a restart; \"%s\" stays", bot->cfg->command_prefix);
		free(cfg->command_prefix);
		cfg->command_prefix = strdup(bot->cfg->command_prefix);
	}
	say_config_warnings(cfg);
	catalog_use_shifts(cfg->shifts, cfg->n_shifts);
	config_free(bot->cfg);
	bot->cfg = cfg;
	guard_configure(bot->guard, GUARD_LIMITS_OF(cfg));
	setenv("TZ", cfg->timezone, 1);
	tzset();
	log_set_level((enum log_level)log_level_parse(cfg->log_level));
	bot->staff.synced = false;   /* the startup timer syncs the staff again */
	log_info("configuration reloaded from %s", bot->config_path);
}

static void on_signal(uv_signal_t *s, int signum)
{
	struct dutybot *bot = s->data;

	if (signum == SIGHUP) {
		sdnotify_send("RELOADING=1");
		reload(bot);
		sdnotify_send("READY=1");
		return;
	}
	if (bot->stopping) {
		log_warnx("second %s: stopping at once", signum == SIGINT ? "SIGINT" : "SIGTERM");
		bot->shutdown_deadline = 0;
		if (bot->stop_phase == DRAINING)
			shutdown_step(bot);
		return;
	}
	log_info("%s: shutting down", signum == SIGINT ? "SIGINT" : "SIGTERM");
	begin_stop(bot);
}

static void on_watchdog(uv_timer_t *t)
{
	(void)t;
	sdnotify_send("WATCHDOG=1");
}

/* ---- stop ---- */

static bool drained(struct dutybot *bot)
{
	if (bot->requests_in_flight > 0)
		return false;
	for (size_t i = 0; i < bot->n_conns; i++) {
		struct conn *c = bot->conns[i];
		if (c->status == CONN_UP && c->outbox &&
		    outbox_queued(c->outbox) + outbox_inflight(c->outbox) > 0)
			return false;
	}
	return true;
}

static void on_state_closed(void *arg)
{
	struct dutybot *bot = arg;

	for (size_t i = 0; i < bot->n_conns; i++)
		conn_free(bot->conns[i]);       /* closes their timers; freed in close callbacks */
	bot->n_conns = 0;
	lws_context_destroy(bot->lws);  /* phase one, inside the loop */
	bot->stop_phase = DONE;
}

static void close_handle(uv_handle_t *h)
{
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

/* Closing the last uv handle of a signal puts back its default action, and
 * a service manager's second SIGTERM often comes just then: the last steps
 * are short and must not be killed. The signals are blocked while the
 * handles close and the action becomes SIG_IGN, so no instant has the
 * default one; a signal that came meanwhile is dropped by SIG_IGN. */
static void ignore_signals_from_now(struct dutybot *bot)
{
	sigset_t set, old;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	close_handle((uv_handle_t *)&bot->sig_term);
	close_handle((uv_handle_t *)&bot->sig_int);
	close_handle((uv_handle_t *)&bot->sig_hup);
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void shutdown_step(struct dutybot *bot)
{
	switch (bot->stop_phase) {
	case DRAINING:
		flush_resume(bot);
		bot->stop_phase = CLOSING_CONNS;
		bot->shutdown_deadline = clock_now_ms() + CLOSE_WAIT_MS;
		bot->stopping_conns = true;
		for (size_t i = 0; i < bot->n_conns; i++) {
			struct conn *c = bot->conns[i];
			if (c->outbox != NULL)
				c->ops->stop(c);        /* may report "stopped" at once */
			else
				bot->conns_stopped++;
		}
		bot->stopping_conns = false;
		if (bot->conns_stopped < bot->n_conns)
			return;
		/* fall through */
	case CLOSING_CONNS:
		bot->stop_phase = CLOSING_STATE;
		uv_timer_stop(&bot->shutdown_timer);
		close_handle((uv_handle_t *)&bot->shutdown_timer);
		close_handle((uv_handle_t *)&bot->resume_flush);
		close_handle((uv_handle_t *)&bot->watchdog);
		close_handle((uv_handle_t *)&bot->startup_timer);
		flow_close(bot);
		ignore_signals_from_now(bot);
		/* no new timers or outbox reads; what is in flight finishes safely */
		overdue_close(bot->overdue);
		bot->overdue = NULL;
		timers_close(bot->timers);
		bot->timers = NULL;
		deliver_close(bot->deliver);
		bot->deliver = NULL;
		/* a begin batch still waiting goes out now, before Redis closes */
		dispatch_close(bot);
		/* Redis first: its last replies may still answer someone through a
		 * connection, so connections and lws go when Redis is closed. */
		state_close(bot->state, on_state_closed, bot);
		break;
	default:
		break;
	}
}

static void on_shutdown_timer(uv_timer_t *t)
{
	struct dutybot *bot = t->data;

	if (bot->stop_phase == DRAINING && (drained(bot) || clock_now_ms() >= bot->shutdown_deadline)) {
		if (!drained(bot))
			log_warnx("shutdown: gave up waiting after %d ms (%zu command(s) in flight)", DRAIN_MS,
			    bot->requests_in_flight);
		shutdown_step(bot);
	} else if (bot->stop_phase == CLOSING_CONNS && clock_now_ms() >= bot->shutdown_deadline) {
		log_warnx("shutdown: %zu connection(s) did not close in time", bot->n_conns - bot->conns_stopped);
		shutdown_step(bot);
	}
}

static void begin_stop(struct dutybot *bot)
{
	bot->stopping = true;
	bot->stop_phase = DRAINING;
	bot->shutdown_deadline = clock_now_ms() + DRAIN_MS;
	sdnotify_send("STOPPING=1");
	uv_timer_start(&bot->shutdown_timer, on_shutdown_timer, 0, 20);
}

/* ---- lws ---- */

static void lws_log(int level, const char *line)
{
	char buf[512];
	size_t n = strlen(line);

	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	snprintf(buf, sizeof(buf), "%.*s", (int)n, line);
	if (level & LLL_ERR)
		log_warnx("lws: %s", buf);
	else
		log_debug("lws: %s", buf);
}

static const struct lws_protocols client_protocols[] = {
	WSC_PROTOCOL,
	{ .name = NULL },
};

static const struct lws_protocols server_protocols[] = {
	HTTP_PROTOCOL,
	{ .name = NULL },
};


/* A chat server's callback on the HTTP listener (Mattermost's button clicks):
 * the connection it names in its context takes it. */
static int http_post(void *owner, const char *uri, const char *body, size_t len, char **answer)
{
	struct dutybot *bot = owner;

	if (strcmp(uri, "/mattermost/actions") != 0)
		return 404;
	for (size_t i = 0; i < bot->n_conns; i++) {
		struct conn *c = bot->conns[i];
		int status;
		if (c != NULL && c->ops->http_action != NULL && (status = c->ops->http_action(c, body, len, answer)) > 0)
			return status;
	}
	log_warnx("http: a button callback for none of our connections: refused");
	return 403;
}

/* Other GETs: a calendar feed's link (handlers/calendar_feed.c). */
static int http_get(void *owner, const char *uri, struct http_reply *reply)
{
	struct dutybot *bot = owner;

	return calendar_feed_page(bot->state, bot->cfg, clock_now_ms(), uri, reply);
}

static int create_lws(struct dutybot *bot)
{
	struct lws_context_creation_info info;
	void *loops[1] = { bot->loop };

	bool tls = false;

	/* OpenSSL costs megabytes of memory: only load it when a connection uses TLS */
	for (size_t i = 0; i < bot->cfg->n_connections; i++) {
		const struct config_connection *cc = &bot->cfg->connections[i];
		tls |= (cc->url != NULL && (strncmp(cc->url, "wss:", 4) == 0 || strncmp(cc->url, "https:", 6) == 0)) ||
		    cc->api_url != NULL;
	}
	lws_set_log_level(LLL_ERR | LLL_WARN, lws_log);
	memset(&info, 0, sizeof(info));
	info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_EXPLICIT_VHOSTS |
	    (tls ? LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT : 0);
	info.foreign_loops = loops;
	info.port = CONTEXT_PORT_NO_LISTEN;
	/* also the cap on sockets: the connections, /healthz and /metrics clients, Redis is not lws's */
	info.fd_limit_per_thread = 128;
	info.user = bot;
	info.pcontext = &bot->lws;
	bot->lws = lws_create_context(&info);
	if (bot->lws == NULL) {
		log_warnx("cannot create the websocket context (is libwebsockets-evlib-uv installed?)");
		return -1;
	}

	memset(&info, 0, sizeof(info));
	info.vhost_name = "clients";
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = client_protocols;
	info.options = tls ? LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT : 0;
	if (lws_create_vhost(bot->lws, &info) == NULL) {
		log_warnx("cannot create the client vhost");
		return -1;
	}
	if (bot->cfg->http.listen_host != NULL) {
		memset(&info, 0, sizeof(info));
		info.vhost_name = "http";
		info.port = bot->cfg->http.listen_port;
		info.iface = bot->cfg->http.listen_host;
		info.protocols = server_protocols;
		bot->http_pages = (struct http_pages){ .health = metrics_health, .metrics = metrics_render,
		                                       .post = http_post, .get = http_get, .owner = bot };
		info.user = &bot->http_pages;
		/* lws binds an IPv4 address only with IPv6 off (else it listens on *) */
		if (strchr(bot->cfg->http.listen_host, ':') == NULL)
			info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
		info.timeout_secs = HTTP_TIMEOUT_S;
		info.timeout_secs_ah_idle = HTTP_TIMEOUT_S;
		info.keepalive_timeout = HTTP_TIMEOUT_S;
		if (lws_create_vhost(bot->lws, &info) == NULL ||
		    http_check_bound(bot->cfg->http.listen_host, bot->cfg->http.listen_port) != 0) {
			log_warnx("http.listen: cannot listen on %s (see above); fix the setting or turn the "
			    "endpoint off with listen = \"\"", http_listen_text(bot->cfg->http.listen_host,
			    bot->cfg->http.listen_port));
			return -1;
		}
		log_info("http: /healthz and /metrics on %s",
		    http_listen_text(bot->cfg->http.listen_host, bot->cfg->http.listen_port));
	}
	return 0;
}

/* ---- init / run / free ---- */

int daemon_init(struct dutybot *bot, const char *config_path, struct config *cfg)
{
	struct state_options so;
	char prefix[256];
	uint64_t wd_usec = 0;

	memset(bot, 0, sizeof(*bot));
	bot->cfg = cfg;
	catalog_use_shifts(cfg->shifts, cfg->n_shifts);   /* shift names said in each reader's words */
	bot->config_path = strdup(config_path);
	bot->started_ms = clock_now_ms();
	bot->loop = malloc(sizeof(uv_loop_t));
	if (bot->loop == NULL || uv_loop_init(bot->loop) != 0)
		return -1;
	bot->loop_ready = true;
	srand((unsigned)(time(NULL) ^ (getpid() << 8)));
	setenv("TZ", cfg->timezone, 1);
	tzset();
	log_set_level((enum log_level)log_level_parse(cfg->log_level));
	say_config_warnings(cfg);

	snprintf(prefix, sizeof(prefix), "%s{%s}:", cfg->key_prefix, cfg->site);
	memset(&so, 0, sizeof(so));
	so.host = cfg->redis.host;
	so.port = cfg->redis.port;
	so.unix_socket = cfg->redis.unix_socket;
	so.db = cfg->redis.db;
	so.password = cfg->redis.password;
	so.timeout_ms = cfg->redis.timeout_ms;
	so.sentinel_hosts = (const char *const *)cfg->redis.sentinel_hosts;
	so.sentinel_ports = cfg->redis.sentinel_ports;
	so.n_sentinels = cfg->redis.n_sentinels;
	so.master_name = cfg->redis.master_name;
	so.sentinel_password = cfg->redis.sentinel_password;
	so.prefix = prefix;
	bot->state = state_new(bot->loop, &so);
	bot->guard = guard_new(GUARD_LIMITS_OF(cfg));
	bot->deliver = deliver_new(&(struct deliver_setup){ .loop = bot->loop, .state = bot->state, .conns = &bot->conns,
	    .n_conns = &bot->n_conns, .stopping = &bot->stopping, .replies = &bot->metrics.replies });
	bot->timers = timers_new(bot->loop, bot->state, &bot->cfg, bot->deliver, timer_kinds, n_timer_kinds);
	bot->overdue = overdue_new(&(struct overdue_setup){ .loop = bot->loop, .state = bot->state, .cfg = &bot->cfg,
	    .timers = &bot->timers, .overdue_total = &bot->metrics.overdue, .pings = &bot->metrics.healthcheck_pings });
	bot->requests = request_pool_new();
	bot->staff.on_synced = on_staff_synced;
	bot->metrics.commands = calloc(n_commands * RESULT_MAX, sizeof(uint64_t));
	if (bot->state == NULL || bot->guard == NULL || bot->metrics.commands == NULL || bot->timers == NULL ||
	    bot->deliver == NULL || bot->overdue == NULL || bot->requests == NULL)
		return -1;
	if (create_lws(bot) != 0)
		return -1;

	bot->conns = calloc(cfg->n_connections, sizeof(*bot->conns));
	bot->resume = calloc(cfg->n_connections, sizeof(*bot->resume));
	if (bot->conns == NULL || bot->resume == NULL)
		return -1;
	for (size_t i = 0; i < cfg->n_connections; i++) {
		struct conn *c = conn_new(&cfg->connections[i], bot->loop, bot->lws, &hooks, bot,
		    cfg->command_prefix);
		if (c == NULL)
			return -1;
		bot->conns[bot->n_conns++] = c;
	}

	if (dispatch_init(bot) != 0)
		return -1;
	flow_init(bot);
	uv_signal_init(bot->loop, &bot->sig_term);
	uv_signal_init(bot->loop, &bot->sig_int);
	uv_signal_init(bot->loop, &bot->sig_hup);
	bot->sig_term.data = bot->sig_int.data = bot->sig_hup.data = bot;
	uv_signal_start(&bot->sig_term, on_signal, SIGTERM);
	uv_signal_start(&bot->sig_int, on_signal, SIGINT);
	uv_signal_start(&bot->sig_hup, on_signal, SIGHUP);
	uv_timer_init(bot->loop, &bot->watchdog);
	uv_timer_init(bot->loop, &bot->resume_flush);
	uv_timer_init(bot->loop, &bot->shutdown_timer);
	uv_timer_init(bot->loop, &bot->startup_timer);
	bot->watchdog.data = bot->resume_flush.data = bot->shutdown_timer.data = bot->startup_timer.data = bot;
	if ((wd_usec = sdnotify_watchdog_usec()) > 0)
		uv_timer_start(&bot->watchdog, on_watchdog, wd_usec / 2000, wd_usec / 2000);
	return 0;
}

int daemon_run(struct dutybot *bot)
{
	state_start(bot->state);
	uv_timer_start(&bot->resume_flush, on_resume_flush, RESUME_FLUSH_MS, RESUME_FLUSH_MS);
	uv_timer_start(&bot->startup_timer, on_startup_timer, 20, 50);
	uv_run(bot->loop, UV_RUN_DEFAULT);
	log_info("stopped");
	return 0;
}

/* A failed start: the shutdown never ran, so close here what daemon_init
 * made (none of the daemon's own handles exist yet: they come last). */
static void close_after_failed_start(struct dutybot *bot)
{
	for (size_t i = 0; i < bot->n_conns; i++)
		conn_free(bot->conns[i]);
	bot->n_conns = 0;
	overdue_close(bot->overdue);
	if (bot->timers != NULL)
		timers_close(bot->timers);
	if (bot->deliver != NULL)
		deliver_close(bot->deliver);
	bot->overdue = NULL;
	bot->timers = NULL;
	bot->deliver = NULL;
	if (bot->state != NULL)
		state_close(bot->state, NULL, NULL);
	if (bot->lws != NULL)
		lws_context_destroy(bot->lws);  /* phase one */
	uv_run(bot->loop, UV_RUN_DEFAULT);     /* the close callbacks */
}

void daemon_free(struct dutybot *bot)
{
	if (bot->stop_phase != DONE && bot->loop != NULL && bot->loop_ready)
		close_after_failed_start(bot);
	if (bot->lws != NULL)
		lws_context_destroy(bot->lws);  /* phase two, outside the loop: frees it */
	bot->lws = NULL;
	if (bot->loop != NULL) {
		/* anything a failed start left open closes here */
		dispatch_close(bot);
		uv_run(bot->loop, UV_RUN_NOWAIT);
		if (uv_loop_close(bot->loop) != 0)
			log_warnx("event loop closed with handles still open");
		free(bot->loop);
	}
	dispatch_free(bot);
	request_pool_free(bot->requests);
	state_free(bot->state);
	guard_free(bot->guard);
	free(bot->metrics.commands);
	free(bot->conns);
	free(bot->resume);
	free(bot->config_path);
	catalog_use_shifts(NULL, 0);
	config_free(bot->cfg);
}
