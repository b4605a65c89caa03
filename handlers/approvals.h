/*
 * approvals: what the handlers that open requests share with the one
 * approval engine (handlers/approvals.c, state/scripts/_3approvals.lua).
 */
#ifndef DUTYBOT_HANDLERS_APPROVALS_H
#define DUTYBOT_HANDLERS_APPROVALS_H

#include <stdbool.h>
#include <hiredis/hiredis.h>

#include "bot/chat/chat.h"
#include "state/redis.h"

/*
 * Ends the arguments of a script that opens or advances an approval with
 * approvals.stuck_after (ms): the engine arms the stuck report with it.
 */
void approval_args_end(const struct request *req, struct state_args *a);
/*
 * The engine's answers to a new request that are the same for every kind:
 * refused as uncompletable (naming the step), or approved (or failed) at
 * once because the request signed every step itself.  Answers and returns
 * true for those; false leaves the reply to the caller.
 */
bool approval_created(struct request *req, const redisReply *r);
/* "a minister or above" / a person's id, in the caller's language. */
const char *approval_who_text(struct request *req, const char *who, char *buf, size_t n);
/* "open", "withdrawn"... (an approval's state) in the caller's language. */
const char *approval_state_text(struct request *req, const char *state);
/* S-12 / pr-3 -> "S-12" / "PR-3" in OUT; false when ARG is no request id. */
bool approval_parse_id(const char *arg, char *out, size_t n);

#endif
