/*
 * sitegen.h: what the parts of the load generator share (sitegen.c: options,
 * the connection, frames, the loop, main; sitegen_proc.c: CPU and memory from
 * /proc; sitegen_phases.c: the phases and /metrics; sitegen_timers.c: the
 * timers phase and its RESP client).  Not for the other bench tools.
 */
#ifndef BENCH_SITEGEN_H
#define BENCH_SITEGEN_H

#include "ws.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#define HIGH_WATER (256 * 1024)
#define RING (1u << 20)
#define USERS 1000              /* staff (ministers) u1..u1000, friends u1001..u2000 */
#define MAX_LAT (4u << 20)

struct peer {
	int fd;
	bool upgraded;
	struct buf in, out;
	struct buf frag;                /* a fragmented message being assembled */
	int frag_op;
};

struct usage {
	int64_t t, child_cpu, redis_cpu, self_cpu, machine;
};

enum kind { K_PING, K_WHOAMI, K_SET, K_LANG, K_MAX };

/* options (sitegen.c) */
extern int opt_redis_port;
extern pid_t opt_redis_pid;
extern int opt_metrics_port;
extern const char *opt_prefix;
extern double opt_burst_s;
extern double opt_chatter_s;
extern int opt_window;
extern int opt_serial_n;
extern double opt_paced_s;
extern int opt_paced_rate;
extern long opt_mem_events;
extern int opt_timers_n;
extern double opt_timers_spread_s;
extern double opt_idle_s;

/* state (sitegen.c and the others) */
extern struct peer P;
extern int ep, lfd, mon_fd;
extern pid_t child;
extern uint64_t replies, replies_bad, other_sends, dms, heartbeats, actions, done_replies;
extern int64_t last_reply_ns;
extern int64_t *lat;
extern int64_t *lat_at;
extern size_t nlat;
extern bool record_lat;
extern const char *const kind_names[];
extern const char *const kind_expect[];
extern void (*on_monitor)(void);
extern int timer_fd;
extern uint64_t timer_ticks;

/* sitegen.c */
void say(const char *fmt, ...);
void result(const char *key, const char *fmt, ...);
void die(const char *fmt, ...);
void add_message(unsigned user, const char *room, size_t room_len, const char *text, size_t text_len,
		 int64_t ts);
void add_chatter(uint64_t i, int64_t ts);
uint64_t add_command(enum kind k);
void out_flush(void);
void pump(int timeout_ms);
void settle(double seconds);
int cmp_i64(const void *a, const void *b);
double pct(int64_t *v, size_t n, double p);
void phase_reset(const char *exp);
void check_bad(const char *name);

/* sitegen_proc.c */
int64_t proc_cpu_ns(pid_t pid);
long proc_status(pid_t pid, const char *field);
long long proc_ticks(pid_t pid);
int64_t machine_busy_ns(void);
struct usage usage_now(void);
void report_usage(const char *name, struct usage a);

/* sitegen_phases.c */
void phase_chatter(const char *name);
void phase_burst(const char *name, enum kind k);
void phase_serial(const char *name, enum kind k);
void phase_paced(const char *name, enum kind k);
void phase_memory(void);
void phase_idle(void);
void fetch_metrics(void);

/* sitegen_timers.c */
void phase_timers(void);

#endif
