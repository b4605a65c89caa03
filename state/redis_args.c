/*
 * redis_args: the data that crosses state's boundary: the argument lists of
 * calls, and copies of replies that must outlive their hiredis callback.
 */
#include "state/redis.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- argument lists ---- */

struct state_args *state_args_new(void)
{
	/* malloc, not calloc: glibc's calloc skips the thread cache, and this runs per command */
	struct state_args *a = malloc(sizeof(struct state_args));

	if (a != NULL) {
		memset(a, 0, sizeof(*a));
		a->cap = STATE_ARGS_INLINE;
		a->argv = a->inline_argv;
		a->len = a->inline_len;
	}
	return a;
}

static bool grow(struct state_args *a)
{
	int cap = a->cap * 2;
	char **argv;
	size_t *len;

	if (a->cap >= STATE_ARGS_MAX)
		return false;
	if (cap > STATE_ARGS_MAX)
		cap = STATE_ARGS_MAX;
	argv = malloc((size_t)cap * sizeof(*argv));
	len = malloc((size_t)cap * sizeof(*len));
	if (argv == NULL || len == NULL) {
		free(argv);
		free(len);
		return false;
	}
	memcpy(argv, a->argv, (size_t)a->argc * sizeof(*argv));
	memcpy(len, a->len, (size_t)a->argc * sizeof(*len));
	if (a->argv != a->inline_argv) {
		free(a->argv);
		free(a->len);
	}
	a->argv = argv;
	a->len = len;
	a->cap = cap;
	return true;
}

void state_args_addb(struct state_args *a, const void *p, size_t n)
{
	char *copy;

	if (a == NULL)
		return;         /* state_args_new() failed: state_call() refuses the NULL */
	if (a->overflow || (a->argc >= a->cap && !grow(a)) || (copy = malloc(n + 1)) == NULL) {
		a->overflow = true;
		return;
	}
	memcpy(copy, p, n);
	copy[n] = '\0';
	a->argv[a->argc] = copy;
	a->len[a->argc++] = n;
}

void state_args_add(struct state_args *a, const char *s)
{
	if (s == NULL)
		s = "";
	state_args_addb(a, s, strlen(s));
}

void state_args_addf(struct state_args *a, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	if (a == NULL)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		a->overflow = true;
		return;
	}
	state_args_addb(a, buf, (size_t)n);
}

void state_args_free(struct state_args *a)
{
	if (a == NULL)
		return;
	for (int i = 0; i < a->argc; i++)
		free(a->argv[i]);
	if (a->argv != a->inline_argv) {
		free(a->argv);
		free(a->len);
	}
	free(a);
}

/* hiredis frees a reply when its callback returns: a deep copy it can free the same way. */
redisReply *state_reply_clone(const redisReply *r)
{
	redisReply *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->type = r->type;
	c->integer = r->integer;
	if (r->str != NULL) {
		if ((c->str = malloc(r->len + 1)) == NULL)
			goto fail;
		memcpy(c->str, r->str, r->len + 1);
		c->len = r->len;
	}
	if (r->element != NULL && r->elements > 0) {
		if ((c->element = calloc(r->elements, sizeof(*c->element))) == NULL)
			goto fail;
		c->elements = r->elements;
		for (size_t i = 0; i < r->elements; i++)
			if ((c->element[i] = state_reply_clone(r->element[i])) == NULL)
				goto fail;
	}
	return c;
fail:
	freeReplyObject(c);
	return NULL;
}
