/*
 * request_pool: a stack of free requests of the ordinary size (request_pool.h
 * says why).
 */
#include "bot/request_pool.h"
#include "bot/chat/chat.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define REQUEST_POOL_MAX 64
#define REQUEST_STRINGS 256     /* room, user, message id and text of an ordinary line */

struct request_pool {
	size_t n;
	struct request *kept[REQUEST_POOL_MAX];
};

struct request_pool *request_pool_new(void)
{
	return calloc(1, sizeof(struct request_pool));
}

void request_pool_free(struct request_pool *pool)
{
	request_pool_trim(pool);
	free(pool);
}

struct request *request_pool_get(struct request_pool *pool, size_t strings)
{
	struct request *req;

	if (strings > REQUEST_STRINGS)
		return calloc(1, sizeof(*req) + strings);
	req = pool != NULL && pool->n > 0 ? pool->kept[--pool->n] : malloc(sizeof(*req) + REQUEST_STRINGS);
	if (req != NULL) {
		memset(req, 0, sizeof(*req));
		req->pooled = true;
	}
	return req;
}

void request_pool_put(struct request_pool *pool, struct request *req)
{
	if (req->pooled && pool != NULL && pool->n < REQUEST_POOL_MAX)
		pool->kept[pool->n++] = req;
	else
		free(req);
}

void request_pool_trim(struct request_pool *pool)
{
	while (pool != NULL && pool->n > 0)
		free(pool->kept[--pool->n]);
}
