/*
 * test_conn: the adapter skeleton of bot/platform/conn.c: state changes logged from
 * an adapter's table (a warning when leaving the up state other than by
 * stopping, or when failing for good), the reconnect backoff (jittered,
 * doubling, capped) and the retry timer that calls ops->reconnect, the
 * handshake deadline, drain-then-stop, and conn_free() closing the adapter's timers before it
 * frees the adapter.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "bot/platform/conn.h"

enum { F_IDLE, F_CONNECTING, F_READY, F_BACKOFF, F_FATAL, F_STOPPING, F_STOPPED };

static const struct conn_state fake_states[] = {
	[F_IDLE] = { "IDLE", CONN_DOWN, "idle", false },
	[F_CONNECTING] = { "CONNECTING", CONN_CONNECTING, "connecting", false },
	[F_READY] = { "READY", CONN_UP, "ready", false },
	[F_BACKOFF] = { "BACKOFF", CONN_DOWN, "reconnecting", false },
	[F_FATAL] = { "FATAL", CONN_FATAL, "failed", false },
	[F_STOPPING] = { "STOPPING", CONN_DOWN, "stopping", true },
	[F_STOPPED] = { "STOPPED", CONN_STOPPED, "stopped", false },
};

/* A minimal adapter: a struct conn first, one timer of its own. */
struct fake {
	struct conn conn;
	uv_timer_t own_timer;
	int reconnects, drained, freed, timeouts;
	size_t pending;                 /* what "REST" still has in flight */
};

static int freed_total;

static void fake_reconnect(struct conn *c)
{
	((struct fake *)c)->reconnects++;
}

static void fake_free(struct conn *c)
{
	((struct fake *)c)->freed++;
	freed_total++;
}

static void fake_handshake_timeout(struct conn *c)
{
	((struct fake *)c)->timeouts++;
}

static const struct conn_ops fake_ops = { .reconnect = fake_reconnect,
	.handshake_timeout = fake_handshake_timeout, .free = fake_free };

static struct fake *fake_new(uv_loop_t *loop)
{
	struct fake *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->conn.ops = &fake_ops;
	f->conn.states = fake_states;
	f->conn.loop = loop;
	f->conn.name = strdup("fake");
	f->conn.status = CONN_DOWN;
	f->conn.status_text = "down";
	return f;
}

/* ---- the log, read back from stderr ---- */

static char log_path[] = "/tmp/test_conn_log_XXXXXX";
static int saved_stderr = -1;

static void capture_start(void)
{
	int fd = mkstemp(log_path);

	assert_true(fd >= 0);
	fflush(stderr);
	saved_stderr = dup(2);
	dup2(fd, 2);
	close(fd);
}

/* What was logged since capture_start(), in BUF. */
static void capture_end(char *buf, size_t n)
{
	FILE *f;
	size_t len;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	f = fopen(log_path, "r");
	assert_non_null(f);
	len = fread(buf, 1, n - 1, f);
	buf[len] = '\0';
	fclose(f);
	unlink(log_path);
	strcpy(log_path, "/tmp/test_conn_log_XXXXXX");
}

static void test_set_state_logs_and_sets_the_status(void **state)
{
	struct fake *f = fake_new(NULL);
	char log[2048];

	(void)state;
	capture_start();
	conn_set_state(&f->conn, F_CONNECTING, "connecting");
	conn_set_state(&f->conn, F_CONNECTING, "again");        /* already there: nothing */
	conn_set_state(&f->conn, F_READY, "identified");
	conn_set_state(&f->conn, F_BACKOFF, "connection closed, close code 1006");
	conn_set_state(&f->conn, F_READY, "resumed");
	conn_set_state(&f->conn, F_STOPPING, "shutting down");
	conn_set_state(&f->conn, F_FATAL, "close 4001: bad token");
	capture_end(log, sizeof(log));

	assert_string_equal(log,
	    "dutybot info: fake: state change IDLE -> CONNECTING, reason: connecting\n"
	    "dutybot info: fake: state change CONNECTING -> READY, reason: identified\n"
	    "dutybot warning: fake: state change READY -> BACKOFF, reason: connection closed, close code 1006\n"
	    "dutybot info: fake: state change BACKOFF -> READY, reason: resumed\n"
	    "dutybot info: fake: state change READY -> STOPPING, reason: shutting down\n"
	    "dutybot warning: fake: state change STOPPING -> FATAL, reason: close 4001: bad token\n");
	assert_int_equal(f->conn.state, F_FATAL);
	assert_int_equal(f->conn.status, CONN_FATAL);
	assert_string_equal(f->conn.status_text, "failed");
	free(f->conn.name);
	free(f);
}

static void test_backoff_doubles_with_jitter_up_to_a_minute(void **state)
{
	int attempt = 0;

	(void)state;
	for (int i = 0; i < 20; i++) {
		int64_t base = i < 6 ? 1000LL << i : 60000, ms = conn_backoff_ms(&attempt);
		assert_true(ms >= base * 3 / 4);
		assert_true(ms <= base * 5 / 4);
		assert_int_equal(attempt, i < 16 ? i + 1 : 16);
	}
}

static void test_reconnect_runs_after_the_delay_and_free_closes_the_timers(void **state)
{
	uv_loop_t loop;
	struct fake *f;
	char log[1024];

	(void)state;
	uv_loop_init(&loop);
	f = fake_new(&loop);
	conn_skeleton_start(&f->conn);
	conn_timer_init(&f->conn, &f->own_timer);
	assert_int_equal(f->conn.open_timers, 5);
	capture_start();
	conn_schedule_reconnect(&f->conn, 5, true);
	uv_run(&loop, UV_RUN_DEFAULT);
	capture_end(log, sizeof(log));
	assert_string_equal(log, "dutybot info: fake: reconnecting in 5 ms (resume)\n");
	assert_int_equal(f->reconnects, 1);
	assert_int_equal(f->conn.attempt, 0);           /* a delay the platform set is no backoff step */

	f->conn.attempt = 3;
	conn_stable_start(&f->conn);                    /* goes down before it was stable: kept */
	conn_stable_stop(&f->conn);
	assert_int_equal(f->conn.attempt, 3);

	freed_total = 0;
	conn_free(&f->conn);                            /* the adapter's part now, F once its timers closed */
	assert_int_equal(freed_total, 1);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0);      /* every timer closed (ASan: F freed) */
}

static void test_handshake_deadline_only_while_not_up(void **state)
{
	uv_loop_t loop;
	struct fake *f;

	(void)state;
	uv_loop_init(&loop);
	f = fake_new(&loop);
	conn_skeleton_start(&f->conn);
	conn_set_state(&f->conn, F_CONNECTING, "connecting");
	conn_handshake_start(&f->conn, 10);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(f->timeouts, 1);

	conn_handshake_start(&f->conn, 10);             /* up before the deadline: nothing */
	conn_set_state(&f->conn, F_READY, "identified");
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(f->timeouts, 1);

	conn_set_state(&f->conn, F_BACKOFF, "closed");
	conn_handshake_start(&f->conn, 10);             /* stopped (the socket went): nothing */
	conn_handshake_stop(&f->conn);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(f->timeouts, 1);

	conn_free(&f->conn);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0);
}

static size_t fake_pending(struct conn *c)
{
	return ((struct fake *)c)->pending;
}

static void fake_drained(struct conn *c)
{
	struct fake *f = (struct fake *)c;

	f->drained++;
	f->pending = 0;
}

static void on_sent(uv_timer_t *t)
{
	((struct fake *)t->data)->pending = 0;
}

static void test_drain_waits_for_rest_then_stops(void **state)
{
	uv_loop_t loop;
	struct fake *f;
	uint64_t began;

	(void)state;
	uv_loop_init(&loop);
	f = fake_new(&loop);
	conn_skeleton_start(&f->conn);
	conn_timer_init(&f->conn, &f->own_timer);

	conn_drain_then(&f->conn, fake_pending, fake_drained);  /* nothing in flight: at once */
	assert_int_equal(f->drained, 1);

	f->pending = 2;                                 /* answered after 120 ms */
	uv_timer_start(&f->own_timer, on_sent, 120, 0);
	conn_drain_then(&f->conn, fake_pending, fake_drained);
	assert_int_equal(f->drained, 1);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(f->drained, 2);

	f->pending = 1;                                 /* never answered: 3 s at most */
	uv_update_time(&loop);
	began = uv_now(&loop);
	conn_drain_then(&f->conn, fake_pending, fake_drained);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(f->drained, 3);
	assert_true(uv_now(&loop) - began >= 3000);
	assert_true(uv_now(&loop) - began < 3000 + 1000);

	conn_free(&f->conn);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_state_logs_and_sets_the_status),
		cmocka_unit_test(test_backoff_doubles_with_jitter_up_to_a_minute),
		cmocka_unit_test(test_reconnect_runs_after_the_delay_and_free_closes_the_timers),
		cmocka_unit_test(test_handshake_deadline_only_while_not_up),
		cmocka_unit_test(test_drain_waits_for_rest_then_stops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
