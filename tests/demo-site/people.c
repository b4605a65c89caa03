/*
 * people: the demo site's directory of users.  It is a flat array of
 * pointers to individually allocated people, so a struct person never moves
 * and can be held by the server for the life of the program.  Lookups are
 * linear: a demo or a test knows tens of people, and even a burst of ten
 * thousand lines from a handful of names costs nothing worth indexing.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "people.h"

#define PEOPLE_NAME_MAX 32

struct people {
	struct person self;
	struct person **v;      /* owned, each freed by people_free() */
	size_t n, cap;
};

static void person_free(struct person *p)
{
	if (!p)
		return;
	free(p->key);
	free(p->uid);
	free(p->name);
	free(p);
}

static struct person *person_new(const char *key, const char *uid, const char *name,
				 bool staff, bool bot)
{
	struct person *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->key = strdup(key);
	p->uid = strdup(uid);
	p->name = strdup(name);
	p->staff = staff;
	p->bot = bot;
	if (!p->key || !p->uid || !p->name) {
		person_free(p);
		return NULL;
	}
	return p;
}

static int people_add(struct people *pp, struct person *p)
{
	if (!p)
		return -1;
	if (pp->n == pp->cap) {
		size_t cap = pp->cap ? pp->cap * 2 : 16;
		struct person **v = realloc(pp->v, cap * sizeof(*v));

		if (!v) {
			person_free(p);
			return -1;
		}
		pp->v = v;
		pp->cap = cap;
	}
	pp->v[pp->n++] = p;
	return 0;
}

/* Lower-cases NAME into OUT; -1 unless it is 1..32 of [A-Za-z0-9_.-]. */
static int people_key(const char *name, char out[PEOPLE_NAME_MAX + 1])
{
	size_t i;

	for (i = 0; name[i]; i++) {
		unsigned char c = (unsigned char)name[i];

		if (i == PEOPLE_NAME_MAX || !(isalnum(c) || c == '_' || c == '.' || c == '-'))
			return -1;
		out[i] = (char)tolower(c);
	}
	out[i] = '\0';
	return i ? 0 : -1;
}

struct people *people_new(const struct config *cfg, const char *connection)
{
	struct people *pp = calloc(1, sizeof(*pp));
	size_t clen = strlen(connection);

	if (!pp)
		return NULL;
	pp->self = (struct person){ .key = "dutybot", .uid = "b1", .name = "dutybot", .bot = true };
	for (size_t i = 0; i < cfg->n_staff; i++) {
		const struct config_staff *st = &cfg->staff[i];

		for (size_t k = 0; k < st->n_identities; k++) {
			const char *ident = st->identities[k];

			if (strncmp(ident, connection, clen) || ident[clen] != ':' || !ident[clen + 1])
				continue;
			if (people_add(pp, person_new(st->id, ident + clen + 1, st->name, true, false))) {
				people_free(pp);
				return NULL;
			}
			break;
		}
	}
	return pp;
}

void people_free(struct people *pp)
{
	if (!pp)
		return;
	for (size_t i = 0; i < pp->n; i++)
		person_free(pp->v[i]);
	free(pp->v);
	free(pp);
}

const struct person *people_self(const struct people *pp)
{
	return &pp->self;
}

static const struct person *people_find(const struct people *pp, const char *key, bool bot)
{
	for (size_t i = 0; i < pp->n; i++)
		if (pp->v[i]->bot == bot && !strcmp(pp->v[i]->key, key))
			return pp->v[i];
	return NULL;
}

const struct person *people_speaker(struct people *pp, const char *name)
{
	char key[PEOPLE_NAME_MAX + 1], uid[PEOPLE_NAME_MAX + 3], display[PEOPLE_NAME_MAX + 1];
	const struct person *p;

	if (people_key(name, key))
		return NULL;
	if ((p = people_find(pp, key, false)))
		return p;
	strcpy(display, key);
	display[0] = (char)toupper((unsigned char)display[0]);
	strcpy(uid, "f-");
	strcat(uid, key);
	if (people_add(pp, person_new(key, uid, display, false, false)))
		return NULL;
	return pp->v[pp->n - 1];
}

int people_define(struct people *pp, const char *name, const char *uid, const char *display,
		  const char **why)
{
	char key[PEOPLE_NAME_MAX + 1];
	struct person *p = NULL;
	const struct person *owner;
	char *nuid, *nname;

	if (people_key(name, key)) {
		*why = "not a name (letters, digits, _ . -; at most 32)";
		return -1;
	}
	if (!*uid || strlen(uid) > 64 || uid[strcspn(uid, " \t\"\\")] || !strcmp(uid, pp->self.uid)) {
		*why = "not a user id";
		return -1;
	}
	for (size_t i = 0; i < pp->n; i++)
		if (!pp->v[i]->bot && !strcmp(pp->v[i]->key, key))
			p = pp->v[i];
	owner = people_by_uid(pp, uid);
	if (owner && owner != p) {
		*why = "that user id belongs to someone else";
		return -1;
	}
	if (!p) {
		const struct person *made = people_speaker(pp, key);

		if (!made) {
			*why = "out of memory";
			return -1;
		}
		p = pp->v[pp->n - 1];
	}
	nuid = strdup(uid);
	nname = display ? strdup(display) : strdup(p->name);
	if (!nuid || !nname) {
		free(nuid);
		free(nname);
		*why = "out of memory";
		return -1;
	}
	free(p->uid);
	free(p->name);
	p->uid = nuid;
	p->name = nname;
	return 0;
}

const struct person *people_bot(struct people *pp, const char *name)
{
	char key[PEOPLE_NAME_MAX + 1], uid[PEOPLE_NAME_MAX + 5];
	const struct person *p;

	if (people_key(name, key))
		return NULL;
	if ((p = people_find(pp, key, true)))
		return p;
	strcpy(uid, "bot-");
	strcat(uid, key);
	if (people_add(pp, person_new(key, uid, name, false, true)))
		return NULL;
	return pp->v[pp->n - 1];
}

const struct person *people_by_uid(const struct people *pp, const char *uid)
{
	for (size_t i = 0; i < pp->n; i++)
		if (!strcmp(pp->v[i]->uid, uid))
			return pp->v[i];
	return NULL;
}

const struct person *people_at(const struct people *pp, size_t i)
{
	return i < pp->n ? pp->v[i] : NULL;
}
