/*
 * shifts: what shifts.c and handover.c share.
 */
#ifndef DUTYBOT_HANDLERS_SHIFTS_H
#define DUTYBOT_HANDLERS_SHIFTS_H

#include <stdbool.h>

#include <stddef.h>

#include "bot/lib/when.h"
#include "state/redis.h"

struct request;
struct ymd;

#define SHIFT_TEXT_MAX 8192
#define SHIFT_AROUND_MAX 64

/* No shifts configured: refuses, ends the request and returns true. */
bool shifts_none(struct request *req);
/* Refuse NAME, which is not a shift, naming the shifts there are. */
void shifts_refuse_name(struct request *req, const char *name);
/* Refuse S, which is not a date. */
void shifts_refuse_date(struct request *req, const char *s);

/* Read the roster of DATE (every shift; roster_read.lua's reply) into CB;
 * req->data_person holds the date as text. */
void shifts_read_day(struct request *req, struct ymd date, state_cb *cb);
void shifts_read_today(struct request *req, state_cb *cb);
/* Has nobody (lead, minister on duty, agent) been put on any shift of the day R read? */
bool shifts_day_empty(const redisReply *r);
/* The one line that says how to fill the roster of DATE, into BUF. */
const char *shifts_empty_hint(struct request *req, const char *date, char *buf, size_t n);

#endif
