/*
 * request_pool: the memory of the requests (struct request of bot/chat/chat.h and
 * the strings after it).  Requests of the ordinary size are kept for the next
 * ones: at ~1.9 KiB a request is beyond glibc's thread cache, and its malloc
 * and free (bins, consolidation) were the allocator's largest share of a
 * command.  A larger one is allocated and freed as it comes.
 */
#ifndef DUTYBOT_REQUEST_POOL_H
#define DUTYBOT_REQUEST_POOL_H

#include <stddef.h>

struct request;
struct request_pool;

struct request_pool *request_pool_new(void);
/* Frees the pool and what it keeps (NULL: nothing). */
void request_pool_free(struct request_pool *pool);
/* A zeroed request with room for STRINGS bytes after it; NULL when out of memory. */
struct request *request_pool_get(struct request_pool *pool, size_t strings);
/* A request is done with: kept for the next one, or freed (also when POOL is NULL). */
void request_pool_put(struct request_pool *pool, struct request *req);
/* Frees the requests kept for reuse (when things are quiet). */
void request_pool_trim(struct request_pool *pool);

#endif
