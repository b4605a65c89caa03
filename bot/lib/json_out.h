/*
 * json_out: writes JSON into a caller's buffer without allocating: raw
 * pieces and escaped strings.  Frames the bot sends are small and regular,
 * so this beats building a cJSON tree per reply.
 */
#ifndef DUTYBOT_JSON_OUT_H
#define DUTYBOT_JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>

struct json_out {
	char *buf;
	size_t cap, len;
	bool failed;            /* ran out of room: the frame must not be sent */
};

void json_out_init(struct json_out *j, char *buf, size_t cap);
void json_out_raw(struct json_out *j, const char *s);
void json_out_str(struct json_out *j, const char *s);      /* quoted and escaped */

#endif
