#!/bin/sh
# run-fuzz.sh TARGET SEEDS SCRATCH SECONDS: one bounded libFuzzer run of TARGET
# from the seed corpus SEEDS (read only), new inputs kept in SCRATCH.  A crash,
# a leak, a sanitizer report or a failed check ends it with a non-zero status
# and the input in SCRATCH/crash-*; the last line says executions and time.
set -eu
target=$(realpath "$1") seeds=$(realpath "$2") scratch=$3 seconds=$4
mkdir -p "$scratch/corpus"
[ -d "$seeds" ] || { echo "no seed corpus at $seeds" >&2; exit 1; }
scratch=$(realpath "$scratch")
cd "$scratch"
# -max_len: frames and configs worth reading fit in 16 KiB; longer only slows the search
exec "$target" -max_total_time="$seconds" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$scratch/" "$scratch/corpus" "$seeds"
