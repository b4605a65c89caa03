/*
 * cjson_get: reading a parsed frame's fields, the one helper every adapter uses.
 */
#ifndef DUTYBOT_CJSON_GET_H
#define DUTYBOT_CJSON_GET_H

#include <cjson/cJSON.h>

/* O's string field KEY, or NULL when O is not an object or KEY is absent or not a string. */
static inline const char *str_field(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

#endif
