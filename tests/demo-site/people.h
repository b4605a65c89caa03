/*
 * people: who is who on the demo site.  Staff with an identity on the site's
 * connection are known from the start (staff id -> site uid, full name); any
 * other name typed at the prompt becomes a chat friend on first use
 * ("anna" -> uid "f-anna", name "Anna"), and "/bot NAME" makes bot users
 * ("bot-NAME").  The bot itself is {"id":"b1","name":"dutybot"}.
 */
#ifndef DEMO_PEOPLE_H
#define DEMO_PEOPLE_H

#include <stdbool.h>
#include <stddef.h>

struct config;

struct person {
	char *key;              /* as typed at the prompt, lower case: staff id, friend or bot name */
	char *uid;              /* the site's user id */
	char *name;             /* display name */
	bool staff;
	bool bot;
};

struct people;

/* Staff of CFG with an identity "<CONNECTION>:<uid>"; NULL on allocation failure. */
struct people *people_new(const struct config *cfg, const char *connection);
void people_free(struct people *pp);

/* The bot's own user. */
const struct person *people_self(const struct people *pp);

/*
 * The person who types as NAME: a staff member or a known friend, else a new
 * friend.  NULL when NAME is not a valid name ([A-Za-z0-9_.-]{1,32}).
 * The pointer stays valid until people_free().
 */
const struct person *people_speaker(struct people *pp, const char *name);

/* A bot user named NAME, made on first use; NULL when NAME is not valid. */
const struct person *people_bot(struct people *pp, const char *name);

/*
 * "/person": the prompt name NAME speaks as site user UID from now on, shown
 * as DISPLAY (NULL: keep the current name, or capitalise NAME), e.g. for a
 * person a test adds to the staff at run time.  -1 with *WHY when NAME is
 * not a valid name, UID is not a plain id or belongs to someone else.
 */
int people_define(struct people *pp, const char *name, const char *uid, const char *display,
		  const char **why);

/* Anyone but the bot itself with site user id UID; NULL if unknown. */
const struct person *people_by_uid(const struct people *pp, const char *uid);

/* For the banner: the I-th person in order of appearance, NULL past the end. */
const struct person *people_at(const struct people *pp, size_t i);

#endif
