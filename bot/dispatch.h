/*
 * dispatch: from a chat_event to a command's handler (dispatch.c's head
 * comment gives the steps).  The daemon calls it; it calls the handlers
 * through the command table.
 */
#ifndef DUTYBOT_DISPATCH_H
#define DUTYBOT_DISPATCH_H

struct dutybot;
struct conn;
struct chat_event;

/* One event of connection C: a command is begun (batched), anything else dropped. */
void dispatch_event(struct dutybot *bot, struct conn *c, const struct chat_event *ev);
/* The begin batch's loop handles: init with the daemon's other handles... */
int dispatch_init(struct dutybot *bot);
/* ...close at shutdown: what is still batched is sent first (or fails, and is answered). */
void dispatch_close(struct dutybot *bot);
/* After the loop ended. */
void dispatch_free(struct dutybot *bot);

#endif
