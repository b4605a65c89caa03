/*
 * test_rest_limits: the REST client under Discord's rate limits, against the
 * server of rest_fixture.h: 429 with retry_after in the body or the header,
 * global 429s, exhausted and shared buckets, queue order kept through a 429,
 * the per-route and the global request limits, and a 429 that never ends.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rest_fixture.h"
#include "bot/rest/rest_limits.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Discord's 429: the body's retry_after (0.25 s) is honoured, then it succeeds. */
static void test_429_body_retry_after(void **state)
{
	struct fx *f = *state;
	double gap;

	script(&f->srv, (struct reply){ "/api/r", 429, "",
	       "{\"message\": \"You are being rate limited.\", \"retry_after\": 0.25, \"global\": false}", 1, ANSWER });
	script(&f->srv, (struct reply){ "/api/r", 200, "", "{\"ok\":1}", 1, ANSWER });
	issue(f, 0, "POST", "/r", NULL, NULL, NULL, "{}");
	assert_true(wait_done(f, 1, 3000));
	assert_int_equal(f->call[0].status, 200);
	assert_string_equal(f->call[0].body, "{\"ok\":1}");
	assert_int_equal(f->srv.n_seen, 2);
	gap = gap_ms(f->srv.seen[0].at, f->srv.seen[1].at);
	assert_true(gap >= 250);
	assert_true(gap < 900);         /* the body's value, not the 1 s default */
}

/* Slack's 429: Retry-After (seconds); another route is not held. */
static void test_429_retry_after_header(void **state)
{
	struct fx *f = *state;
	const struct seen *first, *again, *other;

	script(&f->srv, (struct reply){ "/api/chat.postMessage", 429, "Retry-After: 1\r\n",
	       "{\"ok\":false,\"error\":\"ratelimited\"}", 1, ANSWER });
	script(&f->srv, (struct reply){ "/api/chat.postMessage", 200, "", "{\"ok\":true}", 1, ANSWER });
	issue(f, 0, "POST", "/chat.postMessage", "chat.postMessage", NULL, "Bearer xoxb-1", "{\"text\":\"x\"}");
	assert_true(wait_seen(f, 1, 1000));
	run_ms(f, 50);
	issue(f, 1, "POST", "/conversations.info", NULL, NULL, NULL, "{}");
	assert_true(wait_done(f, 2, 3000));
	assert_int_equal(f->call[0].status, 200);
	assert_int_equal(f->call[1].status, 200);
	first = seen_path(f, "/api/chat.postMessage", 0);
	again = seen_path(f, "/api/chat.postMessage", 1);
	other = seen_path(f, "/api/conversations.info", 0);
	assert_non_null(again);
	assert_true(gap_ms(first->at, again->at) >= 1000);
	assert_true(gap_ms(first->at, again->at) < 1800);
	assert_true(gap_ms(first->at, other->at) < 500);
}

static void global_429(struct fx *f, const char *headers, const char *body)
{
	const struct seen *a0, *a1, *b;

	script(&f->srv, (struct reply){ "/api/a", 429, headers, body, 1, ANSWER });
	issue(f, 0, "GET", "/a", NULL, NULL, NULL, NULL);
	assert_true(wait_seen(f, 1, 1000));
	run_ms(f, 50);
	issue(f, 1, "GET", "/b", NULL, NULL, NULL, NULL);
	assert_true(wait_done(f, 2, 3000));
	assert_int_equal(f->call[0].status, 200);
	assert_int_equal(f->call[1].status, 200);
	a0 = seen_path(f, "/api/a", 0);
	a1 = seen_path(f, "/api/a", 1);
	b = seen_path(f, "/api/b", 0);
	assert_non_null(a1);
	assert_non_null(b);
	assert_true(gap_ms(a0->at, a1->at) >= 300);
	assert_true(gap_ms(a0->at, b->at) >= 300);     /* another route held too */
}

static void test_global_429_body(void **state)
{
	global_429(*state, "", "{\"message\":\"You are being rate limited.\",\"retry_after\":0.3,\"global\":true}");
}

static void test_global_429_header(void **state)
{
	global_429(*state, "X-RateLimit-Global: true\r\nX-RateLimit-Scope: global\r\n",
	           "{\"message\":\"You are being rate limited.\",\"retry_after\":0.3}");
}

/* Remaining 0 + Reset-After 0.4: the route waits, another route does not. */
static void test_bucket_exhausted(void **state)
{
	struct fx *f = *state;
	const struct seen *x0, *x1, *y;

	script(&f->srv, (struct reply){ "/api/x", 200, "X-RateLimit-Limit: 1\r\nX-RateLimit-Remaining: 0\r\n"
	       "X-RateLimit-Reset-After: 0.4\r\nX-RateLimit-Bucket: bx\r\n", "{}", 1, ANSWER });
	issue(f, 0, "GET", "/x", NULL, NULL, NULL, NULL);
	assert_true(wait_done(f, 1, 1000));
	issue(f, 1, "GET", "/x", NULL, NULL, NULL, NULL);
	issue(f, 2, "GET", "/y", NULL, NULL, NULL, NULL);
	assert_true(wait_done(f, 3, 2000));
	x0 = seen_path(f, "/api/x", 0);
	x1 = seen_path(f, "/api/x", 1);
	y = seen_path(f, "/api/y", 0);
	assert_true(seen_index(f, y) < seen_index(f, x1));
	assert_true(gap_ms(x0->at, x1->at) >= 400);
	assert_true(gap_ms(x0->at, y->at) < 300);
	assert_int_equal(f->order[1], 2);       /* y answered first */
}

/* Routes that name the same bucket share it; the same bucket on another
 * channel (major parameter) is another bucket. */
static void test_shared_bucket(void **state)
{
	struct fx *f = *state;
	const struct seen *q0, *p1, *c1;

	script(&f->srv, (struct reply){ "/api/p", 200, "X-RateLimit-Limit: 10\r\nX-RateLimit-Remaining: 9\r\n"
	       "X-RateLimit-Reset-After: 5\r\nX-RateLimit-Bucket: sh\r\n", "{}", 1, ANSWER });
	script(&f->srv, (struct reply){ "/api/channels/7/messages", 200, "X-RateLimit-Limit: 10\r\n"
	       "X-RateLimit-Remaining: 5\r\nX-RateLimit-Reset-After: 5\r\nX-RateLimit-Bucket: sh\r\n", "{}", 1, ANSWER });
	script(&f->srv, (struct reply){ "/api/q", 200, "X-RateLimit-Limit: 10\r\nX-RateLimit-Remaining: 0\r\n"
	       "X-RateLimit-Reset-After: 0.3\r\nX-RateLimit-Bucket: sh\r\n", "{}", 1, ANSWER });
	issue(f, 0, "GET", "/p", NULL, NULL, NULL, NULL);
	assert_true(wait_done(f, 1, 1000));
	issue(f, 1, "POST", "/channels/7/messages", NULL, NULL, NULL, "{}");
	assert_true(wait_done(f, 2, 1000));
	issue(f, 2, "GET", "/q", NULL, NULL, NULL, NULL);
	assert_true(wait_done(f, 3, 1000));
	issue(f, 3, "GET", "/p", NULL, NULL, NULL, NULL);
	issue(f, 4, "POST", "/channels/7/messages", NULL, NULL, NULL, "{}");
	assert_true(wait_done(f, 5, 2000));
	q0 = seen_path(f, "/api/q", 0);
	p1 = seen_path(f, "/api/p", 1);
	c1 = seen_path(f, "/api/channels/7/messages", 1);
	assert_true(gap_ms(q0->at, p1->at) >= 300);     /* /p waited for /q's reset */
	assert_true(gap_ms(q0->at, c1->at) < 250);      /* channel 7 did not */
}

/* The first of a queue gets a 429: the second (another route) waits for it;
 * another queue goes meanwhile. */
static void test_queue_order_with_429(void **state)
{
	struct fx *f = *state;
	const struct seen *n0, *n0b, *n1, *n2;

	script(&f->srv, (struct reply){ "/api/channels/9/messages", 429, "",
	       "{\"message\":\"slow\",\"retry_after\":0.2,\"global\":false}", 1, ANSWER });
	issue(f, 0, "POST", "/channels/9/messages", NULL, "chan9", NULL, "{\"n\":0}");
	issue(f, 1, "PATCH", "/channels/9/messages/5", NULL, "chan9", NULL, "{\"n\":1}");
	issue(f, 2, "POST", "/channels/8/messages", NULL, "chan8", NULL, "{\"n\":2}");
	assert_true(wait_done(f, 3, 2000));
	n0 = seen_path(f, "/api/channels/9/messages", 0);
	n0b = seen_path(f, "/api/channels/9/messages", 1);
	n1 = seen_path(f, "/api/channels/9/messages/5", 0);
	n2 = seen_path(f, "/api/channels/8/messages", 0);
	assert_non_null(n0b);
	assert_string_equal(n1->method, "PATCH");
	assert_true(seen_index(f, n1) > seen_index(f, n0b));   /* not overtaken */
	assert_true(seen_index(f, n2) < seen_index(f, n0b));   /* chan8 did not wait */
	assert_true(gap_ms(n0->at, n0b->at) >= 200);
	assert_int_equal(f->order[0], 2);
	assert_int_equal(f->order[1], 0);
	assert_int_equal(f->order[2], 1);
	for (int i = 0; i < 3; i++)
		assert_int_equal(f->call[i].status, 200);
}

/* 3 per minute on a route: the 4th and 5th wait (another route does not),
 * and rest_free() fails them. */
static void test_route_limit(void **state)
{
	struct fx *f = *state;

	rest_route_limit(f->r, "GET /tier", 3);
	issue(f, 0, "GET", "/tier?i=0", NULL, NULL, NULL, NULL);        /* the default route drops the query */
	issue(f, 1, "GET", "/tier?i=1", NULL, NULL, NULL, NULL);
	issue(f, 2, "GET", "/tier?i=2", NULL, NULL, NULL, NULL);
	issue(f, 3, "GET", "/tier?i=3", NULL, NULL, NULL, NULL);
	issue(f, 4, "GET", "/other", "GET /tier", NULL, NULL, NULL);    /* named route */
	assert_true(wait_done(f, 3, 1000));
	issue(f, 5, "GET", "/free", NULL, NULL, NULL, NULL);
	assert_true(wait_done(f, 4, 1000));
	run_ms(f, 300);
	assert_int_equal(f->srv.n_seen, 4);
	assert_non_null(seen_path(f, "/api/free", 0));
	assert_int_equal(rest_pending(f->r), 2);
	rest_free(f->r);
	f->r = NULL;
	assert_int_equal(f->n_done, 6);
	assert_int_equal(f->call[3].status, 0);
	assert_string_equal(f->call[3].error, "shutting down");
	assert_int_equal(f->call[4].status, 0);
	assert_string_equal(f->call[4].error, "shutting down");
}

/* 4 per second over all routes: the 5th goes a second after the 1st. */
static void test_global_limit(void **state)
{
	struct fx *f = *state;
	char path[16];

	rest_global_limit(f->r, 4);
	for (int i = 0; i < 6; i++) {
		snprintf(path, sizeof(path), "/g%d", i);
		issue(f, i, "GET", path, NULL, NULL, NULL, NULL);
	}
	assert_true(wait_done(f, 6, 3000));
	assert_int_equal(f->srv.n_seen, 6);
	assert_true(gap_ms(f->srv.seen[0].at, f->srv.seen[3].at) < 300);
	/* the window counts from when a request is handed to curl; the first
	 * one reached the server after connecting, the 5th on a kept-alive
	 * connection: a few ms of tolerance */
	assert_true(gap_ms(f->srv.seen[0].at, f->srv.seen[4].at) >= 995);
}

/* A persistent 429 ends after the rate-limit retries, with the 429. */
static void test_429_forever_ends(void **state)
{
	struct fx *f = *state;

	script(&f->srv, (struct reply){ "/api/z", 429, "", "{\"retry_after\":0.001}", -1, ANSWER });
	issue(f, 0, "GET", "/z", NULL, NULL, NULL, NULL);
	assert_true(wait_done(f, 1, 3000));
	assert_int_equal(f->call[0].status, 429);
	assert_int_equal(f->srv.n_seen, 11);    /* the first + 10 rate-limit retries */
}

/* A peer's Retry-After is a double: NaN or negative waits the 1 s default,
 * inf or 1e300 waits the stated bound (a day), never a cast's nonsense. */
/* Mattermost's 429: no Retry-After, only X-Ratelimit-Reset (seconds until the window resets). */
static void test_429_mattermost_reset(void **state)
{
	struct fx *f = *state;
	double gap;

	script(&f->srv, (struct reply){ "/api/posts", 429, "X-Ratelimit-Limit: 10\r\nX-Ratelimit-Remaining: 0\r\n"
	       "X-Ratelimit-Reset: 2\r\n", "{\"id\":\"api.context.rate_limit\",\"status_code\":429}", 1, ANSWER });
	script(&f->srv, (struct reply){ "/api/posts", 201, "", "{\"id\":\"p1\"}", 1, ANSWER });
	issue(f, 0, "POST", "/posts", "posts", NULL, NULL, "{}");
	assert_true(wait_done(f, 1, 5000));
	assert_int_equal(f->call[0].status, 201);
	gap = gap_ms(f->srv.seen[0].at, f->srv.seen[1].at);
	assert_true(gap >= 2000);       /* the header's 2 s, not the 1 s default */
	assert_true(gap < 3000);
}

/* X-Ratelimit-Reset as epoch seconds is made relative; -Reset-After wins over it. */
static void test_reset_header_forms(void **state)
{
	struct rest_limit_headers h;
	char line[96];

	(void)state;
	memset(&h, 0, sizeof(h));
	snprintf(line, sizeof(line), "X-Ratelimit-Reset: %lld\r\n", (long long)time(NULL) + 30);
	rest_limits_on_header(line, 1, strlen(line), &h);
	assert_true(h.has_reset);
	assert_true(h.reset_after > 28 && h.reset_after <= 30);
	memset(&h, 0, sizeof(h));
	snprintf(line, sizeof(line), "X-RateLimit-Reset-After: 0.5\r\n");
	rest_limits_on_header(line, 1, strlen(line), &h);
	snprintf(line, sizeof(line), "X-RateLimit-Reset: 1470173023.123\r\n");
	rest_limits_on_header(line, 1, strlen(line), &h);
	assert_true(h.reset_after == 0.5);
}

static void test_hostile_retry_after_is_bounded(void **state)
{
	struct rest_limit_headers h = { .has_retry = true };

	(void)state;
	h.retry_after = NAN;
	assert_int_equal(rest_limits_retry_after(&h), 1000);
	h.retry_after = -5;
	assert_int_equal(rest_limits_retry_after(&h), 1000);
	h.retry_after = INFINITY;
	assert_int_equal(rest_limits_retry_after(&h), 86400 * 1000);
	h.retry_after = 1e300;
	assert_int_equal(rest_limits_retry_after(&h), 86400 * 1000);
	h.retry_after = 1.5;
	assert_int_equal(rest_limits_retry_after(&h), 1500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_429_body_retry_after, setup, teardown),
		cmocka_unit_test_setup_teardown(test_429_retry_after_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_global_429_body, setup, teardown),
		cmocka_unit_test_setup_teardown(test_global_429_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bucket_exhausted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_bucket, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_order_with_429, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_global_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_429_forever_ends, setup, teardown),
		cmocka_unit_test(test_hostile_retry_after_is_bounded),
		cmocka_unit_test_setup_teardown(test_429_mattermost_reset, setup, teardown),
		cmocka_unit_test(test_reset_header_forms),
	};

	return cmocka_run_group_tests_name("rest_limits", tests, NULL, NULL);
}
