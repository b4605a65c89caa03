/* catalog_json: a catalog text with parameters from JSON (see the header). */
#include "bot/catalog_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CJ_KV_MAX 40
#define CJ_DEPTH 4
#define CJ_VALUE_MAX 8192

static size_t render(char *out, size_t n, const char *lang, enum msg_id id, const cJSON *params, int depth);
static void join(char *out, size_t n, const char *lang, const cJSON *v, const char *sep, int depth);

/* VALUE into OUT (N bytes). */
static void value(char *out, size_t n, const char *lang, const cJSON *v, int depth)
{
	out[0] = '\0';
	if (cJSON_IsString(v)) {
		int sub = strncmp(v->valuestring, "MSG_", 4) == 0 ? catalog_id_by_name(v->valuestring) : -1;
		const char *s = sub >= 0 ? catalog_text(lang, (enum msg_id)sub) : v->valuestring;
		size_t len = strlen(s);
		if (len >= n)
			len = n - 1;
		memcpy(out, s, len);
		out[len] = '\0';
	} else if (cJSON_IsNumber(v)) {
		snprintf(out, n, "%g", v->valuedouble);
	} else if (depth < CJ_DEPTH && cJSON_IsObject(v)) {
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(v, "msg");
		const cJSON *lines = cJSON_GetObjectItemCaseSensitive(v, "lines");
		const cJSON *list = cJSON_GetObjectItemCaseSensitive(v, "list");
		int sub = cJSON_IsString(msg) ? catalog_id_by_name(msg->valuestring) : -1;
		if (sub >= 0)
			render(out, n, lang, (enum msg_id)sub, v, depth + 1);
		else if (cJSON_IsArray(lines))
			join(out, n, lang, lines, "\n", depth + 1);
		else if (cJSON_IsArray(list)) {
			char sep[16];
			value(sep, sizeof(sep), lang, cJSON_GetObjectItemCaseSensitive(v, "sep"), depth + 1);
			join(out, n, lang, list, sep, depth + 1);
		}
	} else if (depth < CJ_DEPTH && cJSON_IsArray(v)) {
		join(out, n, lang, v, v->string != NULL && strcmp(v->string, "lines") == 0 ? "\n" : ", ", depth);
	}
}

/* The items of the array V rendered and joined with SEP. */
static void join(char *out, size_t n, const char *lang, const cJSON *v, const char *sep, int depth)
{
	size_t len = 0;
	const cJSON *it;

	out[0] = '\0';
	cJSON_ArrayForEach(it, v) {
		if (len > 0 && len + strlen(sep) < n) {
			memcpy(out + len, sep, strlen(sep) + 1);
			len += strlen(sep);
		}
		if (len + 1 < n)
			value(out + len, n - len, lang, it, depth + 1);
		len += strlen(out + len);
	}
}

static size_t render(char *out, size_t n, const char *lang, enum msg_id id, const cJSON *params, int depth)
{
	const char *kv[CJ_KV_MAX] = { NULL };
	char *vals[CJ_KV_MAX / 2];
	size_t nkv = 0, len;
	const cJSON *it;

	cJSON_ArrayForEach(it, params) {
		if (nkv + 2 > CJ_KV_MAX || it->string == NULL)
			break;
		if ((vals[nkv / 2] = malloc(CJ_VALUE_MAX)) == NULL)
			break;
		value(vals[nkv / 2], CJ_VALUE_MAX, lang, it, depth);
		kv[nkv] = it->string;
		kv[nkv + 1] = vals[nkv / 2];
		nkv += 2;
	}
	len = catalog_format(out, n, lang, id, kv, nkv);
	for (size_t i = 0; i < nkv / 2; i++)
		free(vals[i]);
	return len;
}

size_t catalog_format_json(char *out, size_t n, const char *lang, enum msg_id id, const cJSON *params)
{
	if (n == 0)
		return 0;
	return render(out, n, lang, id, params, 0);
}
