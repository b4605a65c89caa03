/*
 * sdnotify: the two calls of libsystemd the daemon made, on their own.
 *
 * The notify protocol is one datagram of "KEY=VALUE" lines to the unix socket
 * named by $NOTIFY_SOCKET, and the watchdog is $WATCHDOG_USEC (for the pid in
 * $WATCHDOG_PID, if set); systemd documents both as stable interfaces meant
 * to be spoken without the library (sd_notify(3), sd_watchdog_enabled(3)).
 * Linking libsystemd for them mapped seven more libraries (libgcrypt, the
 * compressors, libcap...) into every daemon: ~1 MiB of its resident memory.
 */
#ifndef DUTYBOT_SDNOTIFY_H
#define DUTYBOT_SDNOTIFY_H

#include <stdint.h>

/* Sends STATE ("READY=1", "WATCHDOG=1"...).  1 sent, 0 not under a notifying
 * service manager ($NOTIFY_SOCKET unset), -1 error (errno). */
int sdnotify_send(const char *state);

/* The watchdog interval asked for in microseconds, or 0 when there is none
 * (unset, unparsable, or meant for another process). */
uint64_t sdnotify_watchdog_usec(void);

#endif
