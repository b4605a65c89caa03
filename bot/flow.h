/*
 * flow: a connection with more than it can handle (conn_busy, conn_flow in
 * bot/platform/conn.h) keeps the daemon's memory bounded and staff first.
 *
 *   - Commands in hand from a connection are counted; at its max_pending the
 *     daemon stops reading that socket (TCP backpressure) and reads again at
 *     half of it.
 *   - While a connection is busy (half its max_pending in hand, or
 *     max_queued answers waiting to go out, counting those in hand), a chat
 *     friend's command is not taken: no Redis call, no answer (telling
 *     thousands would be the flood itself), counted in
 *     dutybot_commands_turned_away_total.  Staff (the config's, and those
 *     the abuse guard knows) are always taken: the guard bounds each person.
 *   - Staff's answers and alerts go out in the outbox's first lane, ahead of
 *     every chat friend's answer queued (outbox_push_lane).
 *   - The first command turned away posts one notice to the connection's
 *     alerts channel; once nobody was turned away for FLOW_CALM_MS, one more
 *     says how many were.
 */
#ifndef DUTYBOT_FLOW_H
#define DUTYBOT_FLOW_H

#include <stdbool.h>

struct dutybot;
struct conn;

#define FLOW_CALM_MS 10000

void flow_init(struct dutybot *bot);
/* Whether a command of IDENTITY on C is taken (false: turned away, counted). */
bool flow_admit(struct dutybot *bot, struct conn *c, const char *identity);
/* A command from C was taken / has ended. */
void flow_began(struct conn *c);
void flow_ended(struct conn *c);
void flow_close(struct dutybot *bot);

#endif
