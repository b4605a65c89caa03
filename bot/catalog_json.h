/*
 * catalog_json: a catalog text filled from a JSON object of parameters, as
 * scripts write them into the outbox and into report answers.  A value is
 *   - a string: itself, or the text of the message it names ("MSG_NONE");
 *   - an object {"msg": "MSG_X", ...}: message MSG_X filled from the
 *     object's other members, in the same language (nested, a few deep);
 *   - an array: its items so rendered, joined by ", " (one per line when
 *     its key is "lines"); an object {"lines": [...]} too;
 *   - an object {"list": [...], "sep": "; "}: the items joined by SEP (a
 *     string or a message name: "MSG_LIST_SEP").
 * So a script can say a list of translated pieces without knowing the
 * reader's language.
 */
#ifndef DUTYBOT_CATALOG_JSON_H
#define DUTYBOT_CATALOG_JSON_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "bot/catalog.h"

size_t catalog_format_json(char *out, size_t n, const char *lang, enum msg_id id, const cJSON *params);

#endif
