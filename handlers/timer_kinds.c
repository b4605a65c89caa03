/*
 * timer_kinds: the table of durable timer kinds, the handler that fires
 * each and, for the kinds that must always have a next one, the function
 * that adds the first (seed).  The daemon passes it to timers_new(); the
 * engine (bot/durable/timers.c) never includes handlers.  A member is
 * "<kind>|<arg>|...".
 */
#include "handlers/handlers.h"

const struct timer_kind timer_kinds[] = {
	{ .kind = "remind", .fire = shifts_remind_fire },
	{ .kind = "late", .fire = shifts_late_fire },
	{ .kind = "checkout", .fire = shifts_checkout_fire },
	{ .kind = "weekclose", .fire = attendance_week_close_fire, .seed = attendance_week_close_seed },
	{ .kind = "esc", .fire = emergency_escalate_fire },
	{ .kind = "pagesum", .fire = emergency_page_summary_fire },
	{ .kind = "notice", .fire = notify_fire },
	{ .kind = "cal", .fire = calendar_fire },
	{ .kind = "sla", .fire = complaints_sla_fire },
	{ .kind = "release", .fire = complaints_release_fire },
	{ .kind = "qbatch", .fire = complaints_qbatch_fire },
	{ .kind = "shiftstart", .fire = complaints_shift_start_fire, .seed = complaints_shift_start_seed },
	{ .kind = "dayreport", .fire = reports_day_fire, .seed = reports_day_seed },
	{ .kind = "stuck", .fire = approvals_stuck_fire },
	{ .kind = "brief", .fire = briefing_fire, .seed = briefing_seed },
	{ .kind = "close", .fire = briefing_close_fire, .seed = briefing_close_seed },
	{ .kind = "hoack", .fire = handover_ack_fire },
};

const size_t n_timer_kinds = sizeof(timer_kinds) / sizeof(timer_kinds[0]);
