/*
 * irc_private: what irc.c (the connection, registration, what people say)
 * and irc_out.c (what the bot says: lines, pacing, whom a private answer
 * goes to) share.  Not for other modules.
 */
#ifndef DUTYBOT_IRC_PRIVATE_H
#define DUTYBOT_IRC_PRIVATE_H

#include "bot/platform/conn.h"
#include "bot/platform/wsc.h"

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

/* InspIRCd 3 names only its own; the IRCv3 name first for every other server */
#define IRC_SUBPROTOCOLS "text.ircv3.net, text.inspircd.org"
#define IRC_MAX_FRAME (16 * 1024)       /* 8191 bytes of tags and a 512-byte line, with room */
#define IRC_MAX_TEXT 16000              /* the outbox's cut; lines are cut by bytes here */
#define IRC_HANDSHAKE_MS 20000          /* socket, CAP, SASL and 001 */
#define IRC_PING_MS 30000               /* silence before our own PING, and how long its PONG may take */
#define IRC_REJOIN_MS 5000              /* after a KICK, or a JOIN the server refused */
#define IRC_BURST 5                     /* lines sent at once before the pace applies */
#define IRC_USERS_MAX 4096              /* people remembered (nick -> who they are) */
#define IRC_IDENT "dutybot"
#define IRC_TARGETS_MAX 200             /* bytes of channel names in one notice to all of them */

enum irc_state {
	I_IDLE, I_CONNECTING, I_REGISTERING, I_READY, I_BACKOFF, I_FATAL, I_STOPPING, I_STOPPED
};

/* Why we closed a socket (wsc_close's WHY), for on_closed. */
enum irc_close { IC_NONE, IC_STOP, IC_TIMEOUT, IC_LAG, IC_FATAL };

/* Someone seen on the server: where a private answer to their identity goes. */
struct irc_user {
	char nick[64];
	char user[64];
	char host[128];
	char account[64];               /* "" if not logged in (or not known) */
	char id[300];                   /* the user id the dispatcher knows them by */
	uint64_t seen;                  /* uv_now when last seen speaking or joining */
};

struct irc_ctl {                        /* a protocol line waiting to go out, unpaced */
	struct irc_ctl *next;
	char line[];
};

struct irc {
	struct conn conn;               /* first: a struct irc is a struct conn */
	struct wsc *ws;
	char url[1024];
	bool tls_verify;
	char want_nick[64];
	char *password, *sasl_user, *sasl_password;
	char **join;                    /* every channel joined: "#chan" or "#chan key" */
	size_t n_join;
	char **masks;                   /* staff hostmask patterns, config order */
	size_t n_masks;
	char prefix[16];

	/* this connection */
	char nick[64];                  /* ours, as the server knows it */
	int nick_tries;
	char self_user[64], self_host[128];     /* learned from our own JOIN: the prefix the server adds */
	bool cap_listing, cap_sasl, in_sasl, registered;
	bool account_tag;               /* the server tags lines with the sender's account */
	unsigned caps_offered;          /* of the wanted ones, by bit, over all lines of CAP LS */
	bool awaiting_pong, quit_sent;
	struct irc_ctl *ctl_head, *ctl_tail;

	/* the message being sent, cut into lines */
	struct out_msg *cur;
	char cur_to[IRC_TARGETS_MAX + 64];      /* its channel(s), or the nick it goes to */
	const char *cur_verb;           /* PRIVMSG, NOTICE for system notices */
	char **lines;
	size_t n_lines, next_line;
	double tokens;                  /* the pace: IRC_BURST lines, refilled at max_send_rate a second */
	uint64_t refilled_at;

	struct irc_user *users;
	size_t n_users;

	uv_timer_t pace_timer, ping_timer, rejoin_timer;
	uint64_t last_rx;
	uint64_t lines_out;
};

void irc_set_state(struct irc *s, enum irc_state st, const char *reason);
/* Queues a protocol line (printf-like; CR/LF never go out) and asks to write. */
void irc_ctl(struct irc *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void irc_want_write(struct irc *s);

/* irc_out.c */
int irc_on_writeable(struct wsc *w, void *arg);
void irc_out_reset(struct irc *s);             /* the socket is gone: drop the lines of the message being sent */
void irc_out_free(struct irc *s);
void irc_on_pace_timer(uv_timer_t *t);
/* Who NICK!USER@HOST is: the user id, into the table too.  ACCOUNT: their
 * services account, "" for none, NULL when the line does not say. */
const char *irc_identify(struct irc *s, const char *nick, const char *user, const char *host, const char *account);
void irc_user_nick(struct irc *s, const char *old, const char *nick);
void irc_user_gone(struct irc *s, const char *nick);
void irc_users_clear(struct irc *s);

#endif
