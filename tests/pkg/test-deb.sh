#!/bin/bash
# The Debian package, as an operator meets it (issue 18): build it with
# dpkg-buildpackage out of a copy of the tree, lintian it (errors fail), install
# it into a fresh Debian 12 made here with debootstrap, check the config, the
# user, the permissions and that nothing is enabled or started, then purge it
# and check that nothing of it is left. Run as root (.ci/run runs it after the
# fuzz step; it is long, so not a ctest). Prints the package size and timings.
# TEST_DEB_BASE=<a debootstrapped bookworm, untouched> copies it instead of
# running debootstrap (reruns while working on the package; CI leaves it unset).
set -euo pipefail

fail() { echo "test-deb: FAIL: $*" >&2; exit 1; }
step() { echo "test-deb: $*"; }

[ "$(id -u)" = 0 ] || fail "needs root (debootstrap, chroot)"
for tool in dpkg-buildpackage lintian debootstrap git; do
	command -v "$tool" >/dev/null || fail "$tool is not installed (see .ci/run)"
done

top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/dutybot-deb.XXXXXX)
root=$work/root

cleanup() {
	local rc=$? m
	# innermost first; a busy one is detached rather than left behind
	for m in $(findmnt -rn -o TARGET | grep "^$root/" | sort -r || true); do
		umount "$m" 2>/dev/null || umount -l "$m" || true
	done
	rm -rf --one-file-system "$work"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build, from a copy: the checkout stays clean (tracked and new files, no build dirs)
mkdir "$work/src"
git -C "$top" ls-files -co --exclude-standard -z | tar -C "$top" --ignore-failed-read --null -T - -cf - | tar -C "$work/src" -xf -
cd "$work/src"
version=$(dpkg-parsechangelog -S Version)
cmake_version=$(sed -n 's/^project(dutybot VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
[ "${version%%-*}" = "$cmake_version" ] ||
	fail "debian/changelog says $version, CMakeLists.txt says $cmake_version"
arch=$(dpkg --print-architecture)
step "building dutybot $version ($arch)"
t0=$(date +%s)
if ! DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" dpkg-buildpackage -us -uc -b >"$work/build.log" 2>&1; then
	tail -40 "$work/build.log"
	fail "dpkg-buildpackage failed"
fi
build_s=$(( $(date +%s) - t0 ))
deb=$work/dutybot_${version}_${arch}.deb
demo=$work/dutybot-demo_${version}_${arch}.deb
[ -f "$deb" ] && [ -f "$demo" ] || fail "no $(basename "$deb") or $(basename "$demo")"

# --- what is in it
contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in ./usr/sbin/dutybot ./etc/dutybot/dutybot.cfg ./lib/systemd/system/dutybot.service \
	./usr/lib/sysusers.d/dutybot.conf ./usr/share/man/man8/dutybot.8.gz \
	./usr/share/man/man5/dutybot.cfg.5.gz ./usr/share/man/man7/dutybot.7.gz; do
	grep -qxF "$f" <<<"$contents" || fail "dutybot's package has no $f"
done
grep -q demo-site <<<"$contents" && fail "the demo site is in dutybot's package, not dutybot-demo's"
demo_contents=$(dpkg-deb -c "$demo" | awk '{print $6}')
grep -qxF ./usr/bin/dutybot-demo-site <<<"$demo_contents" || fail "dutybot-demo has no dutybot-demo-site"
for f in "$top"/tests/demo-site/web/*; do   # its page for a browser, if the tree has one
	[ -e "$f" ] || continue
	grep -qxF "./usr/share/dutybot-demo-site/web/${f##*/}" <<<"$demo_contents" ||
		fail "dutybot-demo has no usr/share/dutybot-demo-site/web/${f##*/}"
done
[ "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles)" = /etc/dutybot/dutybot.cfg ] ||
	fail "/etc/dutybot/dutybot.cfg is not dutybot's only conffile"
depends=$(dpkg-deb -f "$deb" Depends)
# libcurl is dlopen'ed (bot/rest/curl_lib.c), libwebsockets' libuv loop is a plugin:
# neither shows up in the shlibs, both must be in Depends
for d in libcurl4 libwebsockets-evlib-uv; do
	grep -qw "$d" <<<"$depends" || fail "Depends lacks $d: $depends"
done

# --- lintian: errors fail, warnings are listed
step "lintian"
lintian --fail-on error "$work"/dutybot_"${version}"_"${arch}".changes | tee "$work/lintian.txt" ||
	fail "lintian reports errors"

# --- a fresh Debian 12
mirror=$(awk '/^URIs:/ { u = $2 } /^Suites:/ && / bookworm( |$)/ { print u; exit }' \
	/etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}
step "debootstrap bookworm from $mirror"
t0=$(date +%s)
if [ -n "${TEST_DEB_BASE:-}" ]; then
	# reruns while working on the package: a copy of an untouched debootstrap of bookworm
	cp -a "$TEST_DEB_BASE" "$root"
elif ! debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1; then
	tail -20 "$work/debootstrap.log"
	fail "debootstrap failed"
fi
debootstrap_s=$(( $(date +%s) - t0 ))
mount -t proc proc "$root/proc"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# nothing starts in here
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
cp "$deb" "$demo" "$root/tmp/"
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"; }
in_root apt-get update -qq >/dev/null

# --- install as the README says
step "apt-get install ./dutybot_*.deb"
t0=$(date +%s)
in_root sh -c 'cd /tmp && apt-get install -y -q ./dutybot_*.deb' >"$work/install.log" 2>&1 ||
	{ tail -30 "$work/install.log"; fail "apt-get install failed"; }
install_s=$(( $(date +%s) - t0 ))
in_root dpkg -L dutybot >"$work/files.txt"

[ "$(in_root dutybot --version)" = "dutybot ${version%%-*}" ] || fail "dutybot --version: $(in_root dutybot --version)"
[[ $(in_root getent passwd dutybot) == *:/usr/sbin/nologin ]] || fail "no system user dutybot with nologin"
in_root getent group dutybot >/dev/null || fail "no group dutybot"
# (the chroot's stat: the names are the chroot's, not this host's)
[ "$(in_root stat -c '%U:%G %a' /etc/dutybot)" = "root:dutybot 750" ] ||
	fail "/etc/dutybot is $(in_root stat -c '%U:%G %a' /etc/dutybot)"
[ "$(in_root stat -c '%U:%G %a' /etc/dutybot/dutybot.cfg)" = "root:dutybot 640" ] ||
	fail "/etc/dutybot/dutybot.cfg is $(in_root stat -c '%U:%G %a' /etc/dutybot/dutybot.cfg)"
# the unit's ExecStartPre, as the user the unit runs it as; another user may not read the tokens
chroot --userspec=dutybot:dutybot "$root" /usr/sbin/dutybot --check-config -c /etc/dutybot/dutybot.cfg ||
	fail "dutybot --check-config refuses the installed example config"
chroot --userspec=nobody:nogroup "$root" /bin/cat /etc/dutybot/dutybot.cfg >/dev/null 2>&1 &&
	fail "the config (tokens) is readable by nobody"
cmp -s "$root/etc/dutybot/dutybot.cfg" "$root/usr/share/doc/dutybot/examples/dutybot.example.cfg" ||
	fail "/etc/dutybot/dutybot.cfg is not the example"

[ -z "$(find "$root/etc/systemd" -name dutybot.service 2>/dev/null)" ] || fail "dutybot.service is enabled"

# --- the demo, in its own package
in_root sh -c 'cd /tmp && apt-get install -y -q ./dutybot-demo_*.deb' >>"$work/install.log" 2>&1 ||
	{ tail -30 "$work/install.log"; fail "apt-get install dutybot-demo failed"; }
[[ $(in_root dutybot-demo-site --help) == "usage: dutybot-demo-site "* ]] || fail "dutybot-demo-site --help"
in_root dpkg -L dutybot-demo >>"$work/files.txt"

# --- purge leaves nothing
purge_all() {
	local left db
	in_root apt-get purge -y -q "$@" >"$work/purge.log" 2>&1 || { cat "$work/purge.log"; fail "purge failed"; }
	left=$(while read -r f; do
		if [ -e "$root$f" ] && { [ ! -d "$root$f" ] || [[ $f == *dutybot* ]]; }; then echo "$f"; fi
	done <"$work/files.txt"
		find "$root" -xdev -name '*dutybot*' -not -path "$root/tmp/*" -printf '/%P\n')
	[ -z "$left" ] || fail "left after purge: $(sort -u <<<"$left" | tr '\n' ' ')"
	for db in passwd group shadow gshadow; do
		grep -q '^dutybot:' "$root/etc/$db" && fail "dutybot is still in /etc/$db"
	done
	[[ $(in_root dpkg-statoverride --list) == *dutybot* ]] && fail "a dpkg-statoverride of dutybot is left"
	return 0
}
step "apt-get purge dutybot dutybot-demo"
purge_all dutybot dutybot-demo

# --- nothing enabled, nothing started, as on a host where systemd runs: the
# maintainer scripts see /run/systemd/system, policy-rc.d lets dutybot's through,
# and systemctl is a stand-in that answers is-enabled truly (offline), is-active
# as the test says, and writes every action down instead of doing it
step "install, upgrade, remove with systemd (a stand-in) running"
mkdir -p "$root/run/systemd/system"
printf '#!/bin/sh\ncase "$1" in dutybot.service) exit 0;; esac\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
in_root dpkg-divert --local --rename --add /usr/bin/systemctl >/dev/null
cat >"$root/usr/bin/systemctl" <<'STANDIN'
#!/bin/sh
case " $* " in
*" is-enabled "*) SYSTEMD_OFFLINE=1 exec /usr/bin/systemctl.distrib "$@" ;;
*" is-active "*) [ -e /run/test-deb-active ]; exit ;;
esac
echo "$*" >>/var/log/systemctl.log
STANDIN
chmod 0755 "$root/usr/bin/systemctl"
actions() {   # what dutybot's scripts had systemd do since the last call
	local a
	a=$(grep -E '(^| )(start|restart|try-restart|stop|reload-or-restart)( |$)' \
		"$root/var/log/systemctl.log" 2>/dev/null | tr '\n' ';' || true)
	: >"$root/var/log/systemctl.log"
	echo "$a"
}
apt_deb() { in_root sh -c "cd /tmp && apt-get install -y -q $* ./dutybot_*.deb" >>"$work/install.log" 2>&1 ||
	{ tail -30 "$work/install.log"; fail "apt-get install $* failed"; }; }
actions >/dev/null
apt_deb
a=$(actions); [ -z "$a" ] || fail "installing had systemd do: $a"
[ -z "$(find "$root/etc/systemd" -name dutybot.service)" ] || fail "installing enabled dutybot.service"
# the stand-in tells enabled from disabled, or the checks above could not fail
[ "$(in_root systemctl is-enabled dutybot.service || true)" = disabled ] || fail "is-enabled: not disabled"
in_root env SYSTEMD_OFFLINE=1 systemctl.distrib --quiet enable dutybot.service
[ "$(in_root systemctl is-enabled dutybot.service || true)" = enabled ] || fail "is-enabled: not enabled"
in_root env SYSTEMD_OFFLINE=1 systemctl.distrib --quiet disable dutybot.service
apt_deb --reinstall
a=$(actions); [ -z "$a" ] || fail "upgrading a stopped, disabled dutybot had systemd do: $a"
touch "$root/run/test-deb-active"
apt_deb --reinstall
a=$(actions); [ "$a" = "--quiet --system restart dutybot.service;" ] ||
	fail "upgrading a running dutybot had systemd do: ${a:-nothing} (not one restart)"
in_root apt-get remove -y -q dutybot >>"$work/install.log" 2>&1 || fail "apt-get remove failed"
a=$(actions); [[ $a == *"stop dutybot.service;"* ]] || fail "removing a running dutybot had systemd do: ${a:-nothing}"
rm -f "$root/usr/bin/systemctl" "$root/run/test-deb-active"
in_root dpkg-divert --local --rename --remove /usr/bin/systemctl >/dev/null
rm -r "$root/run/systemd/system"
purge_all dutybot

printf 'test-deb: ok: dutybot %s: %s bytes (dutybot-demo %s bytes); build %d s, debootstrap %d s, install %d s; lintian: %s\n' \
	"$version" "$(stat -c %s "$deb")" "$(stat -c %s "$demo")" "$build_s" "$debootstrap_s" "$install_s" \
	"$(grep -c '^[EW]:' "$work/lintian.txt" || true) tags (E/W)"
