/*
 * common: small helpers the handlers share: the standard head of a script's
 * arguments, person arguments, and reading script replies.
 */
#ifndef DUTYBOT_HANDLERS_COMMON_H
#define DUTYBOT_HANDLERS_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <hiredis/hiredis.h>

#include "bot/chat/chat.h"
#include "state/redis.h"

/* KEYS[1] = prefix + KEY, then ARGV prefix, now, actor, src. */
struct state_args *script_args(const struct request *req, const char *key);
/* The caller as the audit names them: staff id, or the identity of a friend. */
const char *actor_of(const struct request *req);
/* A person argument (staff id, @id) into a staff id; false if it cannot be one. */
bool person_arg(const char *arg, char *out, size_t n);
/* The same; if it cannot be one, refuses ("No staff member") and ends the request. */
bool person_arg_or_refuse(struct request *req, const char *arg, char *out, size_t n);
/*
 * Lists rows of an array reply: HEADER, then LINE once per STRIDE elements,
 * element i of a row filling placeholder KEYS[i]; NONE when there is none.
 * Ends the request.
 */
void reply_rows_done(struct request *req, const redisReply *r, size_t stride, const char *const *keys,
                     enum msg_id header, enum msg_id line, enum msg_id none);
bool valid_staff_id(const char *s);
/* Element I of an array reply as a string ("" if absent or not a string). */
const char *reply_str(const redisReply *r, size_t i);
/* The first element (a script's status word) equals WHAT. */
bool reply_is(const redisReply *r, const char *what);

#endif
