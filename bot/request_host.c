/*
 * request_host: the daemon's side of a request (struct chat_host in
 * bot/chat/chat.h).  The chat API sends a request's answers and ends it through
 * these, so that handlers and the chat layer never see struct dutybot.
 */
#include "bot/request_host.h"
#include "bot/daemon.h"
#include "bot/request_pool.h"
#include "bot/flow.h"
#include "bot/durable/timers.h"
#include "bot/durable/deliver.h"
#include "handlers/commands.h"

static void host_queue(struct request *req, enum out_kind kind, const char *target, const char *text,
                       const char *origin_room, const char *origin_user)
{
	/* staff's answers go ahead of chat friends' (bot/flow.h) */
	daemon_queue(req->bot, req->conn, req->caller.role > ROLE_FRIEND, kind, target, text, origin_room, origin_user,
	    req->caller.lang);
}

static void host_end(struct request *req)
{
	struct dutybot *bot = req->bot;

	if (req->command != NULL && bot->metrics.commands != NULL)
		bot->metrics.commands[command_index(req->command) * RESULT_MAX + req->result]++;
	if (req->command != NULL && (req->command->flags & CMD_WRITE) && !(req->command->flags & CMD_QUIET) &&
	    req->result == RESULT_OK) {
		/* its script may have added a timer or an outbox entry */
		timers_poke(bot->timers);
		deliver_poke(bot->deliver);
	}
	bot->requests_in_flight--;
	flow_ended(req->conn);
	request_pool_put(bot->requests, req);
}

static const struct config *host_config(const struct request *req)
{
	return req->bot->cfg;
}

static struct state *host_state(const struct request *req)
{
	return req->bot->state;
}

static struct timers *host_timers(const struct request *req)
{
	return req->bot->timers;        /* NULL while shutting down: the work runs unwoken */
}

const struct chat_host request_host = {
	.queue = host_queue,
	.end = host_end,
	.config = host_config,
	.state = host_state,
	.timers = host_timers,
};
