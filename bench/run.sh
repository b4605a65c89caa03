#!/bin/bash
# bench/run.sh: the whole dutybot benchmark, one command.
#
#   bench/run.sh                 build, run everything (~7 min), print the table,
#                                append the table to bench/RESULTS.md
#   NO_BUILD=1 bench/run.sh      skip the builds
#   NO_RECORD=1 bench/run.sh     do not append to RESULTS.md
#   QUICK=1 bench/run.sh         short phases (a smoke test, figures not for the record)
#   DUTYBOT=/path/to/dutybot     benchmark another build of the daemon (A/B); the
#                                scripts for redis-benchmark still come from build-bench
#   PHASES=ping,serial bench/run.sh   only these phases against the daemon, no limits,
#                                no table (for profiling: sitegen prints the daemon's pid)
#
# It starts its own redis-server on a free port in a temporary directory,
# then bench/sitegen (the site server of the site protocol) three times:
# against the real daemon (build-bench/dutybot), against bench/lwsclient
# (libwebsockets alone: the transport's limit) and against bench/rawclient
# (a client that does nothing: the load generator's own ceiling); then
# redis-benchmark (PING and the daemon's own scripts via EVALSHA).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build-bench
BIN=$BUILD/bench
TMP=$(mktemp -d /tmp/dutybot-bench.XXXXXX)
REDIS_PID=
keep_tmp=${KEEP_TMP:-0}

cleanup() {
	[ -n "$REDIS_PID" ] && kill "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null || true
	if [ "$keep_tmp" = 1 ]; then echo "logs kept in $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

log() { printf '%s\n' "$*" >&2; }

# ---- durations (seconds) ----
if [ "${QUICK:-0}" = 1 ]; then
	CHATTER=2 BURST=2 SERIAL=1000 PACED=3 EVENTS=200000 TIMERS=20000 SPREAD=10 IDLE=10
	RB_N=200000
else
	CHATTER=5 BURST=5 SERIAL=5000 PACED=15 EVENTS=1000000 TIMERS=100000 SPREAD=30 IDLE=60
	RB_N=1000000
fi

# ---- build ----
if [ "${NO_BUILD:-0}" != 1 ]; then
	log "building the daemon (RelWithDebInfo) and the bench tools..."
	cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDUTYBOT_TESTS=OFF >"$TMP/cmake.log" 2>&1 ||
		{ cat "$TMP/cmake.log" >&2; exit 1; }
	cmake --build "$BUILD" -j2 --target dutybot bench >>"$TMP/cmake.log" 2>&1 || { cat "$TMP/cmake.log" >&2; exit 1; }
fi
DAEMON=${DUTYBOT:-$BUILD/dutybot}
for f in "$DAEMON" "$BIN/sitegen" "$BIN/rawclient" "$BIN/lwsclient"; do
	[ -x "$f" ] || { log "missing $f (run without NO_BUILD=1)"; exit 1; }
done

# ---- free ports ----
used_ports=" "
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 30000))
		case "$used_ports" in *" $p "*) continue ;; esac
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			used_ports="$used_ports$p "
			echo "$p"
			return
		fi
	done
}
REDIS_PORT=$(free_port)
SITE_PORT=$(free_port)
HTTP_PORT=$(free_port)
PREFIX='dutybot:{bench}:'

# ---- redis ----
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" \
	--logfile "$TMP/redis.log" --daemonize no &
REDIS_PID=$!
for _ in $(seq 100); do
	redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
	sleep 0.05
done
redis-cli -p "$REDIS_PORT" ping >/dev/null || { log "redis-server did not start"; exit 1; }

# ---- the daemon's config ----
# 1000 ministers b1..b1000 (identities site:u1..u1000: they send ping,
# whoami and staff set), 1000 agents t1..t1000 (renamed by staff set),
# friends u1001..u2000 (lang); chatter comes from u1..u5000.
CFG=$TMP/bench.cfg
{
	cat <<EOF
site = "bench";
command_prefix = "!";
timezone = "UTC";
log_level = "warn";
redis = { host = "127.0.0.1"; port = $REDIS_PORT; };
http = { listen = "127.0.0.1:$HTTP_PORT"; };
limits = { commands_per_minute = 10000; burst = 10000; };
connections = (
  { name = "site"; type = "site"; url = "ws://127.0.0.1:$SITE_PORT/bot"; token = "t";
    max_send_rate = 0; max_in_flight = 256; max_pending = 4096; max_queued = 100000;
    channels = { ops = "ops"; }; }
);
shifts = ( { name = "s"; start = "00:00"; end = "23:59"; } );
staff = (
EOF
	for i in $(seq 1 1000); do
		printf '  { id = "b%d"; name = "Boss %d"; email = "b%d@example.org"; role = "minister"; identities = ( "site:u%d" ); },\n' "$i" "$i" "$i" "$i"
	done
	for i in $(seq 1 1000); do
		sep=,; [ "$i" = 1000 ] && sep=
		printf '  { id = "t%d"; name = "Agent %d"; email = "t%d@example.org"; role = "agent"; level = "CCS"; }%s\n' "$i" "$i" "$i" "$sep"
	done
	echo ");"
} >"$CFG"
"$DAEMON" --check-config -c "$CFG" >"$TMP/check.log" 2>&1 || { cat "$TMP/check.log" >&2; exit 1; }

SG=("$BIN/sitegen" --redis-port "$REDIS_PORT" --redis-pid "$REDIS_PID" --prefix "$PREFIX"
	--chatter "$CHATTER" --burst "$BURST" --serial "$SERIAL" --paced "$PACED" --events "$EVENTS"
	--timers "$TIMERS" --spread "$SPREAD" --idle "$IDLE")

# ---- 1. the daemon ----
log "== dutybot (redis on :$REDIS_PORT, site on :$SITE_PORT) =="
if [ -n "${PHASES:-}" ]; then
	"${SG[@]}" --port "$SITE_PORT" --metrics-port "$HTTP_PORT" --phases "$PHASES" \
		-- sh -c "exec '$DAEMON' -c '$CFG' 2>'$TMP/daemon.log'"
	tail -5 "$TMP/daemon.log" >&2
	exit 0
fi
"${SG[@]}" --port "$SITE_PORT" --metrics-port "$HTTP_PORT" \
	--phases start,memory,chatter,ping,whoami,set,lang,serial,paced,serial_set,paced_set,timers,metrics,idle \
	-- sh -c "exec '$DAEMON' -c '$CFG' 2>'$TMP/daemon.log'" >"$TMP/daemon.res"
if [ -s "$TMP/daemon.log" ]; then
	log "daemon log (warnings), last lines:"
	tail -5 "$TMP/daemon.log" >&2
fi

# ---- 6. the limits, in the same run ----
SITE_PORT2=$(free_port)
log "== libwebsockets alone (bench/lwsclient: the same lws client on libuv, no work) =="
"${SG[@]}" --port "$SITE_PORT2" --phases chatter,ping,serial,paced \
	-- "$BIN/lwsclient" "ws://127.0.0.1:$SITE_PORT2/bot" >"$TMP/lws.res"
SITE_PORT3=$(free_port)
log "== libwebsockets alone, up to 64 frames per WRITEABLE, corked (as the daemon) =="
"${SG[@]}" --port "$SITE_PORT3" --phases ping \
	-- "$BIN/lwsclient" --batch 64 "ws://127.0.0.1:$SITE_PORT3/bot" >"$TMP/lwsb.res"
SITE_PORT4=$(free_port)
log "== the load generator's ceiling (bench/rawclient: a client that does nothing) =="
"${SG[@]}" --port "$SITE_PORT4" --phases chatter,ping,serial,paced \
	-- "$BIN/rawclient" "ws://127.0.0.1:$SITE_PORT4/bot" >"$TMP/raw.res"

log "== redis-benchmark and redisprobe (the daemon's own scripts, from its build) =="
BEGIN_SHA=$("$BIN/scriptdump" begin_batch | redis-cli -p "$REDIS_PORT" -x SCRIPT LOAD)
SET_SHA=$("$BIN/scriptdump" staff_set | redis-cli -p "$REDIS_PORT" -x SCRIPT LOAD)
rb() { # name, then redis-benchmark arguments; prints "R name rps"
	local name=$1 rps
	shift
	rps=$(redis-benchmark -p "$REDIS_PORT" --csv "$@" 2>/dev/null | tail -1 | cut -d, -f2 | tr -d '"')
	echo "R $name ${rps%.*}"
}
# begin_batch.lua for N commands (each a new message of staff site:u1, no mentions)
begin_call() {
	local n=$1 tag=$2 i args=()
	for ((i = 0; i < n; i++)); do
		args+=(site "$tag$i-__rand_int__" site:u1 0)
	done
	echo EVALSHA "$BEGIN_SHA" 1 "${PREFIX}ident" "$PREFIX" 86400000 "${args[@]}"
}
{
	# Redis as the daemon leaves it (its data set: ~1 M dedupe keys, 2000 staff)
	"$BIN/redisprobe" "$REDIS_PORT" "$BEGIN_SHA" "$PREFIX" "$SERIAL" 1000 "$PACED"
	rb rb_ping_p32 -n "$RB_N" -c 4 -P 32 PING
	rb rb_ping_rtt -n $((RB_N / 10)) -c 1 -P 1 PING
	# shellcheck disable=SC2046 # word splitting wanted: no argument has a space
	rb rb_begin_p32 -n "$RB_N" -c 4 -P 32 -r 1000000000 $(begin_call 1 rb)
	# shellcheck disable=SC2046
	rb rb_batch16_p32 -n $((RB_N / 16)) -c 4 -P 32 -r 1000000000 $(begin_call 16 rb16-)
	rb rb_set_p32 -n $((RB_N / 2)) -c 4 -P 32 -r 1000000000 \
		EVALSHA "$SET_SHA" 1 "${PREFIX}staff:t1" "$PREFIX" 1763800000000 b1 site:m-1 3 t1 name "Bench __rand_int__"
	# shellcheck disable=SC2046
	rb rb_begin_rtt -n $((RB_N / 10)) -c 1 -P 1 -r 1000000000 $(begin_call 1 rb2)
} >"$TMP/redis.res"

# ---- the table ----
SHORT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo "+dirty" || true)
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
MACHINE="$(nproc) cores, $CPU, $(uname -r), $(free -g | awk '/Mem:/{print $2}') GiB"
TABLE=$TMP/table.md
awk -v commit="$SHORT$DIRTY" -v machine="$MACHINE" -v date="$(date -u '+%Y-%m-%d %H:%M UTC')" \
    -v quick="${QUICK:-0}" -f "$ROOT/bench/table.awk" \
    "$TMP/daemon.res" "$TMP/lws.res" "$TMP/lwsb.res" "$TMP/raw.res" "$TMP/redis.res" >"$TABLE"
cat "$TABLE"
if [ "${NO_RECORD:-0}" != 1 ] && [ "${QUICK:-0}" != 1 ]; then
	{ echo; cat "$TABLE"; } >>"$ROOT/bench/RESULTS.md"
	log "(appended to bench/RESULTS.md)"
fi
