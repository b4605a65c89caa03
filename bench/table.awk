# table.awk: the "R key value" lines of the runs -> the Markdown table of
# bench/run.sh.  Files in order: daemon, lws (batch 1), lws (batch 64),
# rawclient, redis-benchmark.
FNR == 1 { f++; src = f == 1 ? "d" : f == 2 ? "l" : f == 3 ? "lb" : f == 4 ? "g" : "r" }
$1 == "R" { v[src "." $2] = $3 }

function n(x) { return x == "" ? "?" : x }
function k(x,   s, neg) {       # 1234567 -> 1,234,567
	if (x == "" || x !~ /^-?[0-9]+$/) return n(x)
	neg = x < 0; if (neg) x = -x
	s = ""
	while (x >= 1000) { s = sprintf(",%03d", x % 1000) s; x = int(x / 1000) }
	return (neg ? "-" : "") x s
}
function frac(a, b) { return (a == "" || b == "" || b + 0 == 0) ? "?" : sprintf("%.0f %%", 100 * a / b) }
function mib(kb) { return kb == "" ? "?" : sprintf("%.1f MiB", kb / 1024) }
function ms(us) { return us == "" ? "?" : sprintf("%.2f ms", us / 1000) }
function ok(c) { return c ? "yes" : "**no**" }
function us(cpu, rate) { return (cpu == "" || rate == "" || rate + 0 == 0) ? "?" : sprintf("%.1f", cpu * 10000 / rate) }
function row(a, b, c, d, e, g, h) { printf "| %s | %s | %s | %s | %s | %s | %s |\n", a, b, c, d, e, g, h }

END {
	# begin_batch.lua: 16 commands per call (begins/s), as the daemon sends them under load
	b16 = v["r.rb_batch16_p32"] ? v["r.rb_batch16_p32"] * 16 : ""
	setc = (b16 && v["r.rb_set_p32"]) ? int(1 / (1 / b16 + 1 / v["r.rb_set_p32"])) : ""
	printf "### Run of %s — commit %s%s\n\n", date, commit, quick == 1 ? " (QUICK: smoke test)" : ""
	printf "Machine: %s. One daemon, loopback, redis-server %s.\n\n", machine, "7 (own instance, no persistence)"
	row("Figure", "Target", "dutybot", "Limit on this machine", "dutybot / limit", "Met", "Notes")
	row("---", "---", "---", "---", "---", "---", "---")
	row("1. Chatter, lines/s", "≥ 300,000", k(v["d.chatter_rate"]),
	    k(v["l.chatter_rate"]) " (lws client alone)", frac(v["d.chatter_rate"], v["l.chatter_rate"]),
	    ok(v["d.chatter_rate"] >= 300000),
	    "daemon CPU " n(v["d.chatter_cpu_daemon"]) " % (" us(v["d.chatter_cpu_daemon"], v["d.chatter_rate"]) " µs/line), rest of machine " n(v["d.chatter_cpu_other"]) " %")
	row("2. `!ping`, commands/s", "≥ 100,000", k(v["d.ping_rate"]),
	    k(v["l.ping_rate"]) " (lws echo, 1 frame/WRITEABLE); " k(v["lb.ping_rate"]) " (64/WRITEABLE, corked, as the daemon); " k(b16) " (begin_batch.lua, 16 per EVALSHA)",
	    frac(v["d.ping_rate"], v["lb.ping_rate"]) " of lws", ok(v["d.ping_rate"] >= 100000),
	    "CPU daemon " n(v["d.ping_cpu_daemon"]) " % (" us(v["d.ping_cpu_daemon"], v["d.ping_rate"]) " µs/cmd), redis " n(v["d.ping_cpu_redis"]) " % (" us(v["d.ping_cpu_redis"], v["d.ping_rate"]) " µs/cmd), rest of machine " n(v["d.ping_cpu_other"]) " %")
	row("2. `!whoami`, commands/s", "—", k(v["d.whoami_rate"]),
	    k(b16) " (begin_batch.lua, 16 per EVALSHA)", frac(v["d.whoami_rate"], b16), "—",
	    "CPU daemon " n(v["d.whoami_cpu_daemon"]) " % (" us(v["d.whoami_cpu_daemon"], v["d.whoami_rate"]) " µs/cmd), redis " n(v["d.whoami_cpu_redis"]) " % (" us(v["d.whoami_cpu_redis"], v["d.whoami_rate"]) " µs/cmd), rest of machine " n(v["d.whoami_cpu_other"]) " %")
	row("2. `!staff set t<n> name …`, commands/s", "≥ 30,000", k(v["d.set_rate"]),
	    k(setc) " (begin_batch.lua × 16 + staff_set.lua EVALSHA)", frac(v["d.set_rate"], setc), ok(v["d.set_rate"] >= 30000),
	    "CPU daemon " n(v["d.set_cpu_daemon"]) " % (" us(v["d.set_cpu_daemon"], v["d.set_rate"]) " µs/cmd), redis " n(v["d.set_cpu_redis"]) " % (" us(v["d.set_cpu_redis"], v["d.set_rate"]) " µs/cmd), rest of machine " n(v["d.set_cpu_other"]) " %")
	row("2. `!lang de/en` (friend), commands/s", "—", k(v["d.lang_rate"]), "", "", "—",
	    "CPU daemon " n(v["d.lang_cpu_daemon"]) " % (" us(v["d.lang_cpu_daemon"], v["d.lang_rate"]) " µs/cmd), redis " n(v["d.lang_cpu_redis"]) " % (" us(v["d.lang_cpu_redis"], v["d.lang_rate"]) " µs/cmd), rest of machine " n(v["d.lang_cpu_other"]) " %")
	row("3. `!ping` one at a time: p50 / p99 / p99.9", "—",
	    ms(v["d.serial_p50_us"]) " / " ms(v["d.serial_p99_us"]) " / " ms(v["d.serial_p999_us"]),
	    ms(v["l.serial_p50_us"]) " / " ms(v["l.serial_p99_us"]) " / " ms(v["l.serial_p999_us"]) " (lws echo)",
	    frac(v["l.serial_p50_us"], v["d.serial_p50_us"]) " (p50)", "—", k(v["d.serial_n"]) " samples")
	row("3. `!ping` at 1,000/s: p50 / p99 / p99.9", "p99 ≤ 1 ms",
	    ms(v["d.paced_p50_us"]) " / " ms(v["d.paced_p99_us"]) " / " ms(v["d.paced_p999_us"]),
	    ms(v["l.paced_p50_us"]) " / " ms(v["l.paced_p99_us"]) " / " ms(v["l.paced_p999_us"]) " (lws echo)",
	    "", ok(v["d.paced_p99_us"] != "" && v["d.paced_p99_us"] <= 1000), k(v["d.paced_n"]) " samples, max " ms(v["d.paced_max_us"]))
	row("3. Redis alone: begin_batch.lua (1 command) at 1,000/s: p50 / p99 / p99.9", "",
	    "", ms(v["r.probe_paced_p50_us"]) " / " ms(v["r.probe_paced_p99_us"]) " / " ms(v["r.probe_paced_p999_us"]) " (redisprobe)",
	    "", "", "one at a time: " ms(v["r.probe_serial_p50_us"]) " / " ms(v["r.probe_serial_p99_us"]) " / " ms(v["r.probe_serial_p999_us"]) "; the floor under every command")
	row("3. `!staff set` one at a time: p50 / p99 / p99.9", "—",
	    ms(v["d.serial_set_p50_us"]) " / " ms(v["d.serial_set_p99_us"]) " / " ms(v["d.serial_set_p999_us"]),
	    "", "", "—", k(v["d.serial_set_n"]) " samples")
	row("3. `!staff set` at 1,000/s: p50 / p99 / p99.9", "p99 ≤ 1 ms",
	    ms(v["d.paced_set_p50_us"]) " / " ms(v["d.paced_set_p99_us"]) " / " ms(v["d.paced_set_p999_us"]),
	    "", "", ok(v["d.paced_set_p99_us"] != "" && v["d.paced_set_p99_us"] <= 1000),
	    k(v["d.paced_set_n"]) " samples, max " ms(v["d.paced_set_max_us"]))
	row("4. RSS at start", "≤ 8 MiB", mib(v["d.rss_start_kb"]), "", "", ok(v["d.rss_start_kb"] != "" && v["d.rss_start_kb"] <= 8192), "VmRSS, after start-up and staff sync")
	growth = v["d.mem_rss_2m_kb"] - v["d.mem_rss_1m_kb"]
	row("4. RSS after 1 M / 2 M events", "no growth", mib(v["d.mem_rss_1m_kb"]) " / " mib(v["d.mem_rss_2m_kb"]), "", "",
	    ok(growth <= 128), sprintf("growth over the 2nd half: %d kB; %s events, %s of them commands (ping, whoami, set, lang)", growth, k(v["d.mem_events"]), k(v["d.mem_commands"])))
	row("4. RSS at the end", "≤ 8 MiB idle", mib(v["d.rss_end_kb"]), "", "", ok(v["d.rss_end_kb"] != "" && v["d.rss_end_kb"] <= 8192), "after every phase, after 60 s idle")
	row("4. CPU over " n(v["d.idle_seconds"]) " idle seconds", "≤ 0.1 %", sprintf("%.3f %%", v["d.idle_cpu_pct"]), "", "",
	    ok(v["d.idle_cpu_pct"] != "" && v["d.idle_cpu_pct"] <= 0.1),
	    n(v["d.idle_cpu_ms"]) " ms CPU (schedstat), " n(v["d.idle_ticks"]) " ticks (stat), " n(v["d.idle_wakeups_per_s"]) " wakeups/s; machine busy " n(v["d.idle_machine_busy_pct"]) " % meanwhile")
	row("5. Timers fired (once each)", k(v["d.timers_n"]), k(v["d.timers_fired"]), "", "",
	    ok(v["d.timers_fired"] == v["d.timers_n"] && v["d.timers_fired_twice"] == 0 && v["d.timers_left_in_set"] == 0),
	    "twice: " n(v["d.timers_fired_twice"]) ", left in set: " n(v["d.timers_left_in_set"]) ", early: " n(v["d.timers_early"]))
	row("5. Timer lateness p50 / p90 / p99 / p99.9 / max", "p99 ≤ 50 ms",
	    n(v["d.timers_late_p50_ms"]) " / " n(v["d.timers_late_p90_ms"]) " / " n(v["d.timers_late_p99_ms"]) " / " n(v["d.timers_late_p999_ms"]) " / " n(v["d.timers_late_max_ms"]) " ms",
	    "", "", ok(v["d.timers_late_p99_ms"] != "" && v["d.timers_late_p99_ms"] <= 50), "")
	row("5. RSS before / after the timers", "unchanged", mib(v["d.timers_rss_before_kb"]) " / " mib(v["d.timers_rss_after_kb"]), "", "",
	    ok(v["d.timers_rss_after_kb"] - v["d.timers_rss_before_kb"] <= 128), "")
	row("6. redis-benchmark PING (4 conns × 32 pipelined) / one at a time", "", "", k(v["r.rb_ping_p32"]) " / " k(v["r.rb_ping_rtt"]) " req/s", "", "", "")
	row("6. redis-benchmark EVALSHA begin_batch.lua with 1 / 16 commands, staff_set.lua (4 × 32)", "", "",
	    k(v["r.rb_begin_p32"]) " / " k(v["r.rb_batch16_p32"]) " (" k(b16) " begins/s), " k(v["r.rb_set_p32"]) " calls/s", "", "",
	    "one at a time (1 command): " k(v["r.rb_begin_rtt"]) "/s")
	row("Load generator ceiling: chatter / commands", "≫ daemon", "", k(v["g.chatter_rate"]) " lines/s / " k(v["g.ping_rate"]) " cmds/s", "", "",
	    "sitegen vs bench/rawclient; sitegen CPU in the daemon runs: chatter " n(v["d.chatter_cpu_gen"]) " %, ping " n(v["d.ping_cpu_gen"]) " %")
	printf "\nSanity: replies not as expected: ping %s, whoami %s, set %s, lang %s, memory %s; " \
	    "unexpected DMs %s; reconnects %s; guard drops %s; duplicates %s; redis errors %s; " \
	    "commands ok/not ok (daemon /metrics) %s/%s in %s begin calls (%s commands per call); daemon exit status %s.\n",
	    n(v["d.ping_bad_replies"]), n(v["d.whoami_bad_replies"]), n(v["d.set_bad_replies"]), n(v["d.lang_bad_replies"]),
	    n(v["d.mem_bad_replies"]), n(v["d.unexpected_actions"]), n(v["d.connects"] - 1), n(v["d.metrics_throttled"]),
	    n(v["d.metrics_duplicates"]), n(v["d.metrics_redis_errors"]), k(v["d.metrics_commands_ok"]),
	    k(v["d.metrics_commands_not_ok"]), k(v["d.metrics_begin_batches"]),
	    v["d.metrics_begin_batches"] ? sprintf("%.1f", (v["d.metrics_commands_ok"] + v["d.metrics_commands_not_ok"]) / v["d.metrics_begin_batches"]) : "?",
	    n(v["d.client_exit"])
}
