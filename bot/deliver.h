/*
 * deliver: sends the durable outbox (see deliver.c).
 */
#ifndef DUTYBOT_DELIVER_H
#define DUTYBOT_DELIVER_H

#include <stddef.h>
#include <stdint.h>

struct dutybot;
struct deliver;

struct deliver *deliver_new(struct dutybot *bot);
void deliver_start(struct deliver *d);
/* A script may have added entries: read now. */
void deliver_poke(struct deliver *d);
size_t deliver_active(const struct deliver *d);
uint64_t deliver_count(const struct deliver *d);
void deliver_close(struct deliver *d);

#endif
