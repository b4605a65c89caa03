/*
 * log: one small logging API in the OpenBSD shape.  Lines go to stderr with
 * their level; under journald (JOURNAL_STREAM set) they carry the sd-daemon
 * "<N>" priority prefix instead, so `journalctl -p warning` works.
 */
#ifndef DUTYBOT_LOG_H
#define DUTYBOT_LOG_H

enum log_level { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARN };

void log_init(void);
void log_set_level(enum log_level level);
int log_level_parse(const char *name);          /* -1 if unknown */

void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
