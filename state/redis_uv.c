/*
 * redis_uv: the six event hooks hiredis asks of a loop, on one uv_poll_t.
 * The struct is freed only in the poll handle's close callback, after hiredis
 * has let go of it (cleanup hook), so no callback ever sees freed memory.
 */
#include "state/redis_uv.h"

#include <stdlib.h>

struct redis_uv {
	redisAsyncContext *ac;  /* borrowed; NULL once hiredis cleaned up */
	uv_poll_t poll;
	int events;             /* UV_READABLE | UV_WRITABLE currently armed */
};

static void on_poll(uv_poll_t *handle, int status, int events)
{
	struct redis_uv *r = handle->data;
	/* On a poll error (refused connect, reset) uv reports no events: give
	 * hiredis the armed ones so it reads/writes, sees the error and reports it. */
	int ev = status < 0 ? r->events : events;

	if (r->ac != NULL && (ev & UV_READABLE))
		redisAsyncHandleRead(r->ac);
	if (r->ac != NULL && (ev & UV_WRITABLE))
		redisAsyncHandleWrite(r->ac);
}

static void update(struct redis_uv *r, int events)
{
	if (events == r->events)
		return;         /* uv_poll_start() would remove and re-add the fd for nothing */
	r->events = events;
	if (events)
		uv_poll_start(&r->poll, events, on_poll);
	else
		uv_poll_stop(&r->poll);
}

static void add_read(void *p)  { struct redis_uv *r = p; update(r, r->events | UV_READABLE); }
static void del_read(void *p)  { struct redis_uv *r = p; update(r, r->events & ~UV_READABLE); }
static void add_write(void *p) { struct redis_uv *r = p; update(r, r->events | UV_WRITABLE); }
static void del_write(void *p) { struct redis_uv *r = p; update(r, r->events & ~UV_WRITABLE); }

static void on_closed(uv_handle_t *handle)
{
	free(handle->data);
}

static void cleanup(void *p)
{
	struct redis_uv *r = p;

	r->ac = NULL;
	uv_poll_stop(&r->poll);
	uv_close((uv_handle_t *)&r->poll, on_closed);
}

int redis_uv_attach(redisAsyncContext *ac, uv_loop_t *loop)
{
	struct redis_uv *r;

	if (ac->ev.data != NULL)
		return -1;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return -1;
	if (uv_poll_init_socket(loop, &r->poll, ac->c.fd) != 0) {
		free(r);
		return -1;
	}
	r->ac = ac;
	r->poll.data = r;
	ac->ev.data = r;
	ac->ev.addRead = add_read;
	ac->ev.delRead = del_read;
	ac->ev.addWrite = add_write;
	ac->ev.delWrite = del_write;
	ac->ev.cleanup = cleanup;
	return 0;
}
