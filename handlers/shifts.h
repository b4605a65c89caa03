/*
 * shifts: what shifts.c and handover.c share.
 */
#ifndef DUTYBOT_HANDLERS_SHIFTS_H
#define DUTYBOT_HANDLERS_SHIFTS_H

#include <stdbool.h>

struct request;

#define SHIFT_TEXT_MAX 8192
#define SHIFT_AROUND_MAX 64

/* No shifts configured: refuses, ends the request and returns true. */
bool shifts_none(struct request *req);
/* Refuse NAME, which is not a shift, naming the shifts there are. */
void shifts_refuse_name(struct request *req, const char *name);
/* Refuse S, which is not a date. */
void shifts_refuse_date(struct request *req, const char *s);

#endif
