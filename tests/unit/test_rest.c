/*
 * test_rest: the REST client's requests and connections against the server
 * of rest_fixture.h: requests arrive intact, keep-alive, 5xx retried with
 * backoff, auth errors not retried, freeing with requests pending (also from
 * inside done()), refused and dropped connections.  Rate limits (429s,
 * buckets, route and global limits) are in test_rest_limits.c.  Times are
 * real (uv_hrtime at the server); the waits are short so the whole runs in a
 * few seconds.  Every test ends with each request's done() called exactly
 * once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rest_fixture.h"

/* A JSON POST with the default auth, a GET with its own, a body-less PUT:
 * each arrives intact; done() is never called from rest_request(). */
static void test_post_json_auth(void **state)
{
	struct fx *f = *state;
	const char *json = "{\"content\":\"hi \\u00e9 \xc3\xa9\"}";
	const struct seen *post, *get, *put;

	script(&f->srv, (struct reply){ "/api/channels/1/messages", 200, "", "{\"id\":\"42\"}", 1, ANSWER });
	rest_set_auth(f->r, "Bot secret-token");
	issue(f, 0, "POST", "/channels/1/messages", NULL, NULL, NULL, json);
	issue(f, 1, "GET", "/users/@me", NULL, NULL, "Bearer other", NULL);
	issue(f, 2, "PUT", "/channels/1/pins/2", NULL, NULL, NULL, NULL);
	assert_int_equal(f->n_done, 0);
	assert_int_equal(rest_pending(f->r), 3);
	assert_true(wait_done(f, 3, 2000));
	assert_int_equal(rest_pending(f->r), 0);

	assert_non_null(post = seen_path(f, "/api/channels/1/messages", 0));
	assert_string_equal(post->method, "POST");
	assert_true(has_header(post, "Authorization: Bot secret-token"));
	assert_true(has_header(post, "Content-Type: application/json"));
	assert_true(has_header(post, "User-Agent: DiscordBot (https://example.org/dutybot, 0.1) dutybot"));
	assert_string_equal(post->body, json);
	assert_int_equal(f->call[0].status, 200);
	assert_string_equal(f->call[0].body, "{\"id\":\"42\"}");
	assert_int_equal(f->call[0].body_len, 11);
	assert_false(f->call[0].has_error);

	assert_non_null(get = seen_path(f, "/api/users/@me", 0));
	assert_string_equal(get->method, "GET");
	assert_true(has_header(get, "Authorization: Bearer other"));
	assert_null(strstr(get->head, "secret-token"));
	assert_null(strcasestr(get->head, "Content-Type"));
	assert_int_equal(f->call[1].status, 200);

	assert_non_null(put = seen_path(f, "/api/channels/1/pins/2", 0));
	assert_string_equal(put->method, "PUT");
	assert_true(has_header(put, "Content-Length: 0"));
	assert_null(strcasestr(put->head, "Content-Type"));
	assert_true(has_header(put, "Authorization: Bot secret-token"));
}

static void chain(void *arg, const struct rest_response *res)
{
	record(arg, res);
	if (F->chain_left-- > 0)
		issue_with(F, F->n_issued, chain, "GET", "/ka", NULL, NULL, NULL, NULL);
}

/* Sequential requests use one connection; a burst opens at most 4. */
static void test_keepalive(void **state)
{
	struct fx *f = *state;

	f->chain_left = 5;
	issue_with(f, 0, chain, "GET", "/ka", NULL, NULL, NULL, NULL);
	assert_true(wait_done(f, 6, 2000));
	assert_int_equal(f->srv.n_seen, 6);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(f->call[i].status, 200);
		assert_int_equal(f->srv.seen[i].conn, 1);
	}
	assert_int_equal(f->srv.accepted, 1);

	for (int i = 6; i < 18; i++)
		issue(f, i, "GET", i % 2 ? "/burst/a" : "/burst/b", "burst", NULL, NULL, NULL);
	assert_true(wait_done(f, 18, 2000));
	assert_true(f->srv.accepted <= 4);
}

static void test_500_then_200(void **state)
{
	struct fx *f = *state;

	script(&f->srv, (struct reply){ "/api/s", 500, "", "{\"message\":\"oops\"}", 1, ANSWER });
	issue(f, 0, "POST", "/s", NULL, NULL, NULL, "{\"a\":1}");
	assert_true(wait_done(f, 1, 2000));
	assert_int_equal(f->call[0].status, 200);
	assert_int_equal(f->srv.n_seen, 2);
	assert_string_equal(f->srv.seen[1].body, "{\"a\":1}");
	assert_true(gap_ms(f->srv.seen[0].at, f->srv.seen[1].at) >= BACKOFF_MS * 3 / 4);
}

/* 500 every time: REST_MAX_ATTEMPTS attempts with doubling waits, then 500. */
static void test_500_forever(void **state)
{
	struct fx *f = *state;

	script(&f->srv, (struct reply){ "/api/f", 503, "", "{\"message\":\"boom\"}", -1, ANSWER });
	issue(f, 0, "GET", "/f", NULL, NULL, NULL, NULL);
	assert_true(wait_done(f, 1, 3000));
	assert_int_equal(f->call[0].status, 503);
	assert_string_equal(f->call[0].body, "{\"message\":\"boom\"}");
	assert_false(f->call[0].has_error);
	assert_int_equal(f->srv.n_seen, REST_MAX_ATTEMPTS);
	for (int i = 1; i < REST_MAX_ATTEMPTS; i++)
		assert_true(gap_ms(f->srv.seen[i - 1].at, f->srv.seen[i].at) >= 0.75 * (BACKOFF_MS << (i - 1)));
	run_ms(f, 200);
	assert_int_equal(f->srv.n_seen, REST_MAX_ATTEMPTS);
}

/* 401/403: no retry, logged once per route without the token; 404: no retry,
 * its body in the debug log. */
static void test_auth_errors_not_retried(void **state)
{
	struct fx *f = *state;
	char log[8192];

	script(&f->srv, (struct reply){ "/api/secret", 401, "", "{\"message\":\"401: Unauthorized\"}", -1, ANSWER });
	script(&f->srv, (struct reply){ "/api/webhooks/5/tok-abc/messages", 403, "", "{}", -1, ANSWER });
	script(&f->srv, (struct reply){ "/api/missing", 404, "", "{\"message\":\"Unknown Channel\"}", 1, ANSWER });
	rest_set_auth(f->r, "Bot secret-token");
	log_set_level(LOG_LEVEL_DEBUG);
	capture_start();
	issue(f, 0, "GET", "/secret", NULL, "s", NULL, NULL);
	issue(f, 1, "GET", "/secret", NULL, "s", NULL, NULL);
	issue(f, 2, "POST", "/webhooks/5/tok-abc/messages", NULL, NULL, NULL, "{}");
	issue(f, 3, "GET", "/missing", NULL, NULL, NULL, NULL);
	wait_done(f, 4, 2000);
	capture_end(log, sizeof(log));
	log_set_level(LOG_LEVEL_INFO);
	assert_int_equal(f->n_done, 4);
	assert_int_equal(f->call[0].status, 401);
	assert_int_equal(f->call[1].status, 401);
	assert_int_equal(f->call[2].status, 403);
	assert_int_equal(f->call[3].status, 404);
	assert_int_equal(count_path(f, "/api/secret"), 2);
	assert_int_equal(count_path(f, "/api/webhooks/5/tok-abc/messages"), 1);
	assert_int_equal(count_path(f, "/api/missing"), 1);
	assert_int_equal(count_substr(log, "warning: rest test: GET /secret: 401"), 1);
	assert_int_equal(count_substr(log, "warning: rest test: POST /webhooks/5/***/messages: 403"), 1);
	assert_null(strstr(log, "secret-token"));
	assert_null(strstr(log, "tok-abc"));
	assert_non_null(strstr(log, "debug: rest test: GET /missing: 404: {\"message\":\"Unknown Channel\"}"));
}

/* Pending in every state (in flight, waiting on a bucket probe, queued behind
 * one in flight): each done() once with "shutting down". */
static void test_free_pending(void **state)
{
	struct fx *f = *state;

	script(&f->srv, (struct reply){ "/api/hold", 0, "", "", -1, HOLD });
	issue(f, 0, "GET", "/hold", "a", NULL, NULL, NULL);
	issue(f, 1, "GET", "/hold", "b", "q", NULL, NULL);
	issue(f, 2, "POST", "/x", NULL, "q", NULL, "{}");
	issue(f, 3, "GET", "/hold", "a", NULL, NULL, NULL);     /* behind a's probe */
	assert_true(wait_seen(f, 2, 1000));
	run_ms(f, 50);
	assert_int_equal(f->srv.n_seen, 2);
	assert_int_equal(f->n_done, 0);
	assert_int_equal(rest_pending(f->r), 4);
	rest_free(f->r);
	f->r = NULL;
	assert_int_equal(f->n_done, 4);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(f->call[i].status, 0);
		assert_string_equal(f->call[i].error, "shutting down");
		assert_string_equal(f->call[i].body, "");
	}
	assert_true(f->order[0] == 1 || f->order[1] == 1);
	for (int i = 0; i < 4; i++)
		if (f->order[i] == 2)
			for (int j = i; j < 4; j++)
				assert_int_not_equal(f->order[j], 1);   /* 2 failed after 1, its queue order */
}

static void free_in_done(void *arg, const struct rest_response *res)
{
	record(arg, res);
	rest_free(F->r);
	F->r = NULL;
}

/* rest_free() from inside a done(): the others still get theirs, once. */
static void test_free_inside_done(void **state)
{
	struct fx *f = *state;

	script(&f->srv, (struct reply){ "/api/hold", 0, "", "", -1, HOLD });
	issue(f, 0, "GET", "/hold", NULL, NULL, NULL, NULL);
	issue_with(f, 1, free_in_done, "GET", "/quick", NULL, NULL, NULL, NULL);
	issue(f, 2, "GET", "/later", NULL, "q", NULL, NULL);
	issue(f, 3, "GET", "/later2", NULL, "q", NULL, NULL);
	assert_true(wait_done(f, 4, 2000));
	assert_null(f->r);
	assert_int_equal(f->call[1].status, 200);
	assert_int_equal(f->call[0].status, 0);
	assert_string_equal(f->call[0].error, "shutting down");
}

/* Nothing listens: retried with backoff, then the transport error. */
static void test_connection_refused(void **state)
{
	struct fx *f = *state;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	uint64_t t0;
	char url[64];

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);              /* a port nobody listens on */
	rest_free(f->r);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", ntohs(a.sin_port));
	f->r = rest_new(&f->loop, "test", url, true);
	rest_set_backoff(f->r, BACKOFF_MS);
	t0 = uv_hrtime();
	issue(f, 0, "GET", "/x", NULL, NULL, NULL, NULL);
	assert_true(wait_done(f, 1, 3000));
	assert_int_equal(f->call[0].status, 0);
	assert_true(f->call[0].has_error);
	assert_true(strlen(f->call[0].error) > 0);
	assert_true(gap_ms(t0, f->call[0].at) >= 0.75 * BACKOFF_MS * 15);   /* 20+40+80+160 ms */
}

/* The server closes without answering: REST_MAX_ATTEMPTS connections, then the error. */
static void test_closed_without_answer(void **state)
{
	struct fx *f = *state;

	script(&f->srv, (struct reply){ "/api/drop", 0, "", "", -1, CLOSE });
	issue(f, 0, "POST", "/drop", NULL, NULL, NULL, "{}");
	assert_true(wait_done(f, 1, 3000));
	assert_int_equal(f->call[0].status, 0);
	assert_true(f->call[0].has_error);
	assert_int_equal(f->srv.n_seen, REST_MAX_ATTEMPTS);
	assert_int_equal(f->srv.accepted, REST_MAX_ATTEMPTS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_post_json_auth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keepalive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_500_then_200, setup, teardown),
		cmocka_unit_test_setup_teardown(test_500_forever, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auth_errors_not_retried, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_inside_done, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connection_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_closed_without_answer, setup, teardown),
	};

	return cmocka_run_group_tests_name("rest", tests, NULL, NULL);
}
