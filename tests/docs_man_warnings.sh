#!/bin/sh
# Every man page in docs/ renders with man-db without a warning (groff's
# complaints about the roff, at 80 columns), the way `man -l` shows it.
set -u
command -v man >/dev/null || { echo "man (man-db) is not installed" >&2; exit 1; }
rc=0
for page in "$@"; do
	out=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	if [ -n "$out" ]; then
		echo "$page:" >&2
		echo "$out" >&2
		rc=1
	fi
	if [ -z "$(MANWIDTH=80 man -l "$page" 2>/dev/null)" ]; then
		echo "$page: renders empty" >&2
		rc=1
	fi
done
exit $rc
