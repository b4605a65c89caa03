#!/bin/sh
# run-demo.sh: see dutybot work in a minute.  Builds the tree if needed,
# starts a private redis-server on 127.0.0.1:6379 if nothing answers there,
# runs dutybot on config/dutybot.example.cfg in the background (its log goes
# to a file), and puts you in dutybot-demo-site, where you chat as anyone:
#   mia> !ping          lina> !help          lemon> !staff list
# The same chat is a page in your browser (DEMO_WEB=ADDR:PORT, default
# 127.0.0.1:8081; DEMO_WEB=off for none), and the day is already set up
# through the bot's own commands: a roster, a waiting swap, an open complaint.
# Quit with /quit or Ctrl-D; everything started here is stopped again.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$top/build}
cfg=$top/config/dutybot.example.cfg

if [ ! -x "$build/dutybot" ] || [ ! -x "$build/dutybot-demo-site" ]; then
	cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build "$build" -j"$(nproc)" >/dev/null
fi

work=$(mktemp -d /tmp/dutybot-demo.XXXXXX)
redis_pid=""
bot_pid=""
cleanup() {
	[ -n "$bot_pid" ] && kill -TERM "$bot_pid" 2>/dev/null && wait "$bot_pid" 2>/dev/null || true
	[ -n "$redis_pid" ] && kill -TERM "$redis_pid" 2>/dev/null || true
	echo "dutybot's log: $work/dutybot.log"
}
trap cleanup EXIT INT TERM

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
	redis-server --port 6379 --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
		--logfile "$work/redis.log" &
	redis_pid=$!
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break
		sleep 0.2
	done
fi

"$build/dutybot" -c "$cfg" 2>"$work/dutybot.log" &
bot_pid=$!
echo "dutybot is running (pid $bot_pid, log $work/dutybot.log)."
web=${DEMO_WEB:-127.0.0.1:8081}
set --
if [ "$web" != off ]; then
	set -- --web "$web"
	echo "Open http://$web/ in your browser to chat there (the terminal works as well)."
fi
# message ids continue from the clock, as a real site's never repeat
"$build/dutybot-demo-site" -c "$cfg" --first-id "$(date +%s)000" --bot-running --day "$@"
