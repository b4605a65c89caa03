/*
 * handlers: every command's handler, one file per area; the command table
 * (handlers/commands.c) calls them.  Also what runs when a timer fires (the timer
 * kinds of handlers/timer_kinds.c call those), the schedulers the daemon
 * calls at start, and the few entry points one area lends another
 * (approvals to careers, complaints to shifts).
 */
#ifndef DUTYBOT_HANDLERS_H
#define DUTYBOT_HANDLERS_H

#include "bot/chat/chat.h"
#include "bot/durable/timers.h"

/* core.c */
void core_ping_cmd(struct request *req);
void core_whoami_cmd(struct request *req);
void core_lang_cmd(struct request *req);
/* help.c */
void help_cmd(struct request *req);
/* complaints.c: what the reports count of the chat friends' suggestions */
void suggestions_cmd(struct request *req);
/* staff.c */
void staff_list_cmd(struct request *req);
void staff_show_cmd(struct request *req);
void staff_add_cmd(struct request *req);
void staff_set_cmd(struct request *req);
void staff_link_cmd(struct request *req);
void staff_unlink_cmd(struct request *req);
void staff_remove_cmd(struct request *req);
/* audit.c */
void audit_cmd(struct request *req);
/* shifts.c */
void roster_show_cmd(struct request *req);
void roster_lead_cmd(struct request *req);
void roster_minister_cmd(struct request *req);
void roster_add_cmd(struct request *req);
void roster_remove_cmd(struct request *req);
void duty_cmd(struct request *req);
void checkin_cmd(struct request *req);
void checkout_cmd(struct request *req);
void handover_cmd(struct request *req);
void handover_show_cmd(struct request *req);
void handover_ack_cmd(struct request *req);
void handover_ack_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv);
/* changes.c */
void upcoming_cmd(struct request *req);
void fairness_cmd(struct request *req);
/* swaps.c */
void swap_cmd(struct request *req);
void swap_arrange_cmd(struct request *req);
void swap_withdraw_cmd(struct request *req);
void swap_undo_cmd(struct request *req);
void leave_cmd(struct request *req);
/* approvals.c */
void swap_accept_cmd(struct request *req);
void swap_decline_cmd(struct request *req);
void pending_cmd(struct request *req);
void approve_cmd(struct request *req);
void deny_cmd(struct request *req);
void approval_show_cmd(struct request *req);
void approval_cancel_cmd(struct request *req);
/* attendance.c */
void hours_cmd(struct request *req);
void attendance_cmd(struct request *req);
void excuse_cmd(struct request *req);

/* emergency.c */
void emergency_cmd(struct request *req);
void ack_cmd(struct request *req);
void resolve_cmd(struct request *req);
void emergencies_cmd(struct request *req);
void contacts_cmd(struct request *req);
void contacts_set_cmd(struct request *req);
void plan_cmd(struct request *req);
void plan_set_cmd(struct request *req);
void tech_cmd(struct request *req);
void tech_resolve_cmd(struct request *req);
void tech_list_cmd(struct request *req);
/* notify.c */
void notify_cmd(struct request *req);
void notify_confirm_cmd(struct request *req);
void notify_cancel_cmd(struct request *req);
void notify_list_cmd(struct request *req);

/* Decides the current step of approval ARG ("S-3") for the caller (approvals.c). */
void approval_decide_as(struct request *req, const char *arg, const char *verdict, const char *reason);
/* Approves it with score=<1-5> and the words from FIRST on as the note (approvals.c). */
void approval_evaluate(struct request *req, const char *arg, int first);
/* careers.c */
void levels_cmd(struct request *req);
void promote_cmd(struct request *req);
void probation_apply_cmd(struct request *req);
void probation_consult_cmd(struct request *req);
void probation_evaluate_cmd(struct request *req);
void training_log_cmd(struct request *req);
void internship_talk_cmd(struct request *req);
void internship_summary_cmd(struct request *req);
void internship_status_cmd(struct request *req);
void internship_recommend_cmd(struct request *req);
void internship_cmd(struct request *req);
void internship_apply_cmd(struct request *req);
void internship_defense_cmd(struct request *req);
void staff_verify_cmd(struct request *req);
/* calendar.c */
void calendar_cmd(struct request *req);
void calendar_add_cmd(struct request *req);
void calendar_remove_cmd(struct request *req);
/* calendar_feed.c: !calendar feed, and the page of a feed's link (GET
 * /calendar/<secret>.ics, the daemon's HTTP pages hand it over): -1 when URI
 * is not a feed's, else 0 and REPLY is answered later (http_answer). */
void calendar_feed_cmd(struct request *req);
struct http_reply;
int calendar_feed_page(struct state *st, const struct config *cfg, int64_t now, const char *uri,
                       struct http_reply *reply);

/* complaints.c */
void complain_cmd(struct request *req);
void suggest_cmd(struct request *req);
void complaint_new_cmd(struct request *req);
void complaint_take_cmd(struct request *req);
void complaint_assign_cmd(struct request *req);
void complaint_note_cmd(struct request *req);
void complaint_reply_cmd(struct request *req);
void complaint_group_cmd(struct request *req);
void complaint_resolve_cmd(struct request *req);
void complaints_cmd(struct request *req);
void task_cmd(struct request *req);
void rate_cmd(struct request *req);
/* Capacity may have appeared (a check-in): routes the queue in the background. */
void complaints_route_queue(const struct request *req);
/* briefing.c */
void briefing_cmd(struct request *req);
void briefing_post_cmd(struct request *req);
void close_cmd(struct request *req);
void close_amend_cmd(struct request *req);
/* A lead's first check-in to DATE SHIFT (shifts.c): the briefing, if its time has come. */
void briefing_after_checkin(const struct request *req, const char *date, const char *shift);
/* complaints.c, for visits.c: the head of a routing script's call (op OP),
 * and TEXT that pings nobody when repeated (malloc'd) */
struct state_args *complaints_state_args(struct request *req, const char *op);
char *complaints_unmention(const char *text);

/* visits.c */
void ask_cmd(struct request *req);
void reply_cmd(struct request *req);
void visit_note_cmd(struct request *req);
void visit_close_cmd(struct request *req);
void visits_cmd(struct request *req);
void visits_line(struct request *req);

/* reports.c */
void report_cmd(struct request *req);
void evaluate_cmd(struct request *req);

/* The table of durable timer kinds (handlers/timer_kinds.c): the daemon
 * passes it to timers_new(); each kind's fire and seed live in its area's file. */
extern const struct timer_kind timer_kinds[];
extern const size_t n_timer_kinds;
void shifts_remind_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv);
void shifts_late_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv);
void shifts_checkout_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv);
void attendance_week_close_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv);
void attendance_week_close_seed(const struct timer_ctx *ctx);
void emergency_escalate_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv);
/* "pagesum|<staff id>": the one page summarising the pages held back from a person. */
void emergency_page_summary_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv);
/* Pages this process held back over escalation.pages_per_minute (/metrics). */
uint64_t emergency_pages_held(void);
void notify_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv);
void calendar_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv);
void complaints_sla_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv);
void complaints_release_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv);
void complaints_qbatch_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv);
void complaints_shift_start_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv);
void complaints_shift_start_seed(const struct timer_ctx *ctx);
void reports_day_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv);
void reports_day_seed(const struct timer_ctx *ctx);
void briefing_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv);
void briefing_seed(const struct timer_ctx *ctx);
void briefing_close_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv);
void briefing_close_seed(const struct timer_ctx *ctx);
void approvals_stuck_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv);

#endif
