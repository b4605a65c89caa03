/*
 * redis_uv: hiredis's async context on our libuv loop.  Replaces the stock
 * adapters/libuv.h of hiredis 0.14, which stops polling on a poll error, so a
 * refused connect hangs forever with no callback.  Here a poll error is
 * handed to hiredis as readiness of whatever was armed; hiredis then finds the
 * socket error itself and calls the connect/disconnect callback.
 */
#ifndef DUTYBOT_REDIS_UV_H
#define DUTYBOT_REDIS_UV_H

#include <uv.h>
#include <hiredis/async.h>

/* Attach before redisAsyncSetConnectCallback().  0 or -1 (already attached / no memory). */
int redis_uv_attach(redisAsyncContext *ac, uv_loop_t *loop);

#endif
