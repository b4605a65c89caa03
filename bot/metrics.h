/*
 * metrics: the Prometheus text exposition of the daemon's counters
 * (dutybot_* series), rendered on demand for GET /metrics.
 */
#ifndef DUTYBOT_METRICS_H
#define DUTYBOT_METRICS_H

#include <stddef.h>

struct dutybot;

/* http_pages of bot/ops/http.h, the owner a struct dutybot.  Renders into a malloc'd string (caller frees); NULL on no memory. */
char *metrics_render(void *dutybot, size_t *len);
/* The /healthz body: JSON saying which connections and Redis are up. */
char *metrics_health(void *dutybot, size_t *len);

#endif
