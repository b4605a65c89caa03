/*
 * sitegen_phases: the phases run against the client under test (chatter,
 * bursts of commands, latency one at a time and paced, memory, idle) and
 * the daemon's /metrics read at the end.
 */
#include "sitegen.h"

/* ---- phases ---- */

/* Chatter for CHATTER_S seconds as fast as the client reads, then one !ping
 * whose answer proves every line before it was read. */
void phase_chatter(const char *name)
{
	struct usage u0;
	int64_t t0, stop, ts = wall_ms();
	uint64_t lines = 0;
	uint64_t done0 = done_replies;
	char key[64];

	say("%s: chatter for %.0f s...\n", name, opt_chatter_s);
	phase_reset("");
	u0 = usage_now();
	t0 = now_ns();
	stop = t0 + (int64_t)(opt_chatter_s * 1e9);
	while (P.fd >= 0) {
		int64_t t = now_ns();
		if (t >= stop)
			break;
		if ((lines & 1023) == 0)
			ts = wall_ms();
		while (P.out.len < HIGH_WATER) {
			add_chatter(lines++, ts);
			if ((lines & 255) == 0 && now_ns() >= stop)
				break;
		}
		pump(-100);
	}
	add_message(1, "done", 4, "!ping", 5, wall_ms());
	while (P.fd >= 0 && done_replies == done0 && now_ns() < stop + 120 * 1000000000LL)
		pump(100);
	if (done_replies == done0)
		die("%s: no answer to the final !ping", name);
	{
		double s = (double)(last_reply_ns - t0) / 1e9;
		snprintf(key, sizeof(key), "%s_lines", name);
		result(key, "%" PRIu64, lines);
		snprintf(key, sizeof(key), "%s_rate", name);
		result(key, "%.0f", (double)lines / s);
		say("  %" PRIu64 " lines in %.2f s: %.0f lines/s\n", lines, s, (double)lines / s);
	}
	report_usage(name, u0);
}

/* Commands of KIND for BURST_S seconds, at most WINDOW unanswered. */
void phase_burst(const char *name, enum kind k)
{
	struct usage u0;
	int64_t t0, stop;
	uint64_t sent = 0;
	char key[64];

	say("%s: !%s burst for %.0f s (window %d)...\n", name, kind_names[k], opt_burst_s, opt_window);
	phase_reset(kind_expect[k]);
	u0 = usage_now();
	t0 = now_ns();
	stop = t0 + (int64_t)(opt_burst_s * 1e9);
	while (P.fd >= 0) {
		int64_t t = now_ns();
		if (t >= stop && replies >= sent)
			break;
		if (t >= stop + 60 * 1000000000LL)
			die("%s: %" PRIu64 " of %" PRIu64 " replies after 60 s", name, replies, sent);
		while (t < stop && sent - replies < (uint64_t)opt_window && P.out.len < HIGH_WATER) {
			add_command(k);
			sent++;
		}
		pump(t < stop && sent - replies < (uint64_t)opt_window ? -100 : 10);
	}
	{
		double s = (double)(last_reply_ns - t0) / 1e9;
		snprintf(key, sizeof(key), "%s_n", name);
		result(key, "%" PRIu64, sent);
		snprintf(key, sizeof(key), "%s_rate", name);
		result(key, "%.0f", (double)replies / s);
		say("  %" PRIu64 " commands in %.2f s: %.0f/s\n", replies, s, (double)replies / s);
	}
	check_bad(name);
	report_usage(name, u0);
}

static void report_lat(const char *name)
{
	char key[64];

	if (getenv("SITEGEN_LAT_DUMP") != NULL) {
		/* "<send time, CLOCK_MONOTONIC s> <latency us>" per sample (perf record -k mono) */
		char path[512];
		FILE *f;
		snprintf(path, sizeof(path), "%s.%s", getenv("SITEGEN_LAT_DUMP"), name);
		if ((f = fopen(path, "w")) != NULL) {
			for (size_t i = 0; i < nlat; i++)
				fprintf(f, "%.6f %.1f\n", (double)lat_at[i] / 1e9, (double)lat[i] / 1e3);
			fclose(f);
		}
	}
	qsort(lat, nlat, sizeof(*lat), cmp_i64);
	snprintf(key, sizeof(key), "%s_n", name);
	result(key, "%zu", nlat);
	snprintf(key, sizeof(key), "%s_p50_us", name);
	result(key, "%.0f", pct(lat, nlat, 50) / 1e3);
	snprintf(key, sizeof(key), "%s_p99_us", name);
	result(key, "%.0f", pct(lat, nlat, 99) / 1e3);
	snprintf(key, sizeof(key), "%s_p999_us", name);
	result(key, "%.0f", pct(lat, nlat, 99.9) / 1e3);
	snprintf(key, sizeof(key), "%s_max_us", name);
	result(key, "%.0f", nlat ? (double)lat[nlat - 1] / 1e3 : NAN);
	say("  %zu samples: p50 %.0f us, p99 %.0f us, p99.9 %.0f us, max %.0f us\n", nlat,
	    pct(lat, nlat, 50) / 1e3, pct(lat, nlat, 99) / 1e3, pct(lat, nlat, 99.9) / 1e3,
	    nlat ? (double)lat[nlat - 1] / 1e3 : NAN);
}

/* One command at a time: send, wait for the answer, next. */
void phase_serial(const char *name, enum kind k)
{
	struct usage u0;

	say("%s: %d x !%s, one at a time...\n", name, opt_serial_n, kind_names[k]);
	phase_reset(kind_expect[k]);
	record_lat = true;
	u0 = usage_now();
	for (int i = 0; i < opt_serial_n && P.fd >= 0; i++) {
		uint64_t want = replies + 1;
		int64_t end = now_ns() + 10 * 1000000000LL;
		add_command(k);
		out_flush();
		while (replies < want && now_ns() < end)
			pump(10);
		if (replies < want)
			die("%s: no answer within 10 s", name);
	}
	report_lat(name);
	check_bad(name);
	report_usage(name, u0);
}

/* An open loop: RATE commands per second whatever the answers do. */
void phase_paced(const char *name, enum kind k)
{
	struct usage u0;
	struct itimerspec its = { { 0, 1000000000L / opt_paced_rate }, { 0, 1000000000L / opt_paced_rate } };
	struct epoll_event e = { .events = EPOLLIN };
	uint64_t sent = 0, total = (uint64_t)(opt_paced_s * opt_paced_rate);
	int64_t end;

	say("%s: !%s at %d/s for %.0f s...\n", name, kind_names[k], opt_paced_rate, opt_paced_s);
	phase_reset(kind_expect[k]);
	record_lat = true;
	timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	e.data.fd = timer_fd;
	epoll_ctl(ep, EPOLL_CTL_ADD, timer_fd, &e);
	timer_ticks = 0;
	timerfd_settime(timer_fd, 0, &its, NULL);
	u0 = usage_now();
	while (P.fd >= 0 && sent < total) {
		pump(100);
		while (sent < timer_ticks && sent < total) {
			add_command(k);
			sent++;
		}
		out_flush();
	}
	close(timer_fd);
	timer_fd = -1;
	end = now_ns() + 10 * 1000000000LL;
	while (replies < sent && now_ns() < end)
		pump(10);
	if (replies < sent)
		say("  %s: %" PRIu64 " of %" PRIu64 " answered\n", name, replies, sent);
	report_lat(name);
	check_bad(name);
	report_usage(name, u0);
}

/* Events: 3 chatter lines then 1 command (ping, whoami, set, lang in turn),
 * at most 512 commands unanswered; RSS after each million. */
void phase_memory(void)
{
	long rss0 = proc_status(child, "VmRSS");
	uint64_t ev = 0, cmds = 0;
	int64_t t0 = now_ns(), ts = wall_ms();
	char key[64];

	say("memory: 2 x %ld events (3 chatter : 1 command)...\n", opt_mem_events);
	phase_reset("");
	result("mem_rss_start_kb", "%ld", rss0);
	for (int m = 1; m <= 2; m++) {
		uint64_t goal = (uint64_t)opt_mem_events * (uint64_t)m;
		while (P.fd >= 0 && (ev < goal || replies < cmds)) {
			while (ev < goal && cmds - replies < 512 && P.out.len < HIGH_WATER) {
				if (ev % 4 == 3) {
					add_command((enum kind)((ev / 4) % K_MAX));
					cmds++;
				} else {
					if ((ev & 1023) == 0)
						ts = wall_ms();
					add_chatter(ev, ts);
				}
				ev++;
			}
			pump(ev < goal && cmds - replies < 512 ? -100 : 10);
			if (now_ns() - t0 > 600 * 1000000000LL)
				die("memory: stuck at %" PRIu64 " events, %" PRIu64 "/%" PRIu64 " replies", ev, replies, cmds);
		}
		settle(2.5);    /* past the daemon's 2 s housekeeping, which gives freed memory back */
		snprintf(key, sizeof(key), "mem_rss_%dm_kb", m);
		result(key, "%ld", proc_status(child, "VmRSS"));
		say("  %" PRIu64 " events (%" PRIu64 " commands) in %.1f s, RSS %ld kB\n", ev, cmds,
		    (double)(now_ns() - t0) / 1e9, proc_status(child, "VmRSS"));
	}
	result("mem_commands", "%" PRIu64, cmds);
	result("mem_events", "%" PRIu64, ev);
	result("mem_bad_replies", "%" PRIu64, replies_bad);
}

void phase_idle(void)
{
	int64_t c0 = proc_cpu_ns(child), t0 = now_ns(), m0 = machine_busy_ns();
	long long k0 = proc_ticks(child);
	long v0 = proc_status(child, "voluntary_ctxt_switches");
	int64_t end = t0 + (int64_t)(opt_idle_s * 1e9);

	say("idle: %.0f s...\n", opt_idle_s);
	while (now_ns() < end)
		pump(200);
	{
		double dt = (double)(now_ns() - t0);
		int64_t c1 = proc_cpu_ns(child);
		long long k1 = proc_ticks(child);
		long v1 = proc_status(child, "voluntary_ctxt_switches");
		result("idle_seconds", "%.0f", dt / 1e9);
		result("idle_cpu_ms", "%.1f", (double)(c1 - c0) / 1e6);
		result("idle_cpu_pct", "%.4f", 100.0 * (double)(c1 - c0) / dt);
		result("idle_ticks", "%lld", k1 - k0);
		result("idle_wakeups_per_s", "%.1f", (double)(v1 - v0) / (dt / 1e9));
		result("idle_heartbeats", "%" PRIu64, heartbeats);
		result("idle_machine_busy_pct", "%.1f", 100.0 * (double)(machine_busy_ns() - m0) / dt);
		say("  %.1f ms of CPU in %.0f s (%.4f %%), %.1f wakeups/s\n", (double)(c1 - c0) / 1e6, dt / 1e9,
		    100.0 * (double)(c1 - c0) / dt, (double)(v1 - v0) / (dt / 1e9));
	}
	result("rss_end_kb", "%ld", proc_status(child, "VmRSS"));
}

/* ---- /metrics ---- */

void fetch_metrics(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)opt_metrics_port) };
	int fd;
	struct buf b = { 0 };
	const char req[] = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
	struct timeval tv = { 3, 0 };
	unsigned long long ok = 0, notok = 0, v;
	char *line, *save = NULL;

	if (opt_metrics_port <= 0)
		return;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || write(fd, req, sizeof(req) - 1) < 0) {
		close(fd);
		return;
	}
	for (;;) {
		ssize_t n;
		const char *cl, *hend;
		buf_reserve(&b, 65536);
		n = read(fd, buf_tail(&b), 65536);
		if (n <= 0)
			break;
		b.len += (size_t)n;
		/* HTTP/1.0: the server closes; stop early once Content-Length bytes are in */
		buf_add(&b, "", 1);
		b.len--;
		hend = strstr((char *)b.p, "\r\n\r\n");
		cl = strcasestr((char *)b.p, "content-length:");
		if (hend && cl && cl < hend && b.len >= (size_t)(hend + 4 - (char *)b.p) + strtoul(cl + 15, NULL, 10))
			break;
	}
	close(fd);
	buf_add(&b, "", 1);
	for (line = strtok_r((char *)b.p, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strrchr(line, ' ');
		if (line[0] == '#' || sp == NULL)
			continue;
		v = strtoull(sp + 1, NULL, 10);
		if (strncmp(line, "dutybot_commands_total{", 23) == 0) {
			if (strstr(line, "result=\"ok\""))
				ok += v;
			else
				notok += v;
		} else if (strncmp(line, "dutybot_throttled_total ", 24) == 0) {
			result("metrics_throttled", "%llu", v);
		} else if (strncmp(line, "dutybot_begin_batches_total ", 28) == 0) {
			result("metrics_begin_batches", "%llu", v);
		} else if (strncmp(line, "dutybot_duplicates_total ", 25) == 0) {
			result("metrics_duplicates", "%llu", v);
		} else if (strncmp(line, "dutybot_redis_errors_total ", 27) == 0) {
			result("metrics_redis_errors", "%llu", v);
		} else if (strncmp(line, "dutybot_reconnects_total{", 25) == 0) {
			result("metrics_reconnects", "%llu", v);
		} else if (strncmp(line, "dutybot_events_in_total{", 24) == 0) {
			result("metrics_events_in", "%llu", v);
		}
	}
	result("metrics_commands_ok", "%llu", ok);
	result("metrics_commands_not_ok", "%llu", notok);
	free(b.p);
}
