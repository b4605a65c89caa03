/*
 * timer_kinds: the table of durable timer kinds and the handler that fires
 * each (bot/timers.c calls them).  A member is "<kind>|<arg>|...".
 */
#include "bot/timers.h"
#include "handlers/handlers.h"

const struct timer_kind timer_kinds[] = {
	{ .kind = "remind", .fire = shifts_remind_fire },
	{ .kind = "late", .fire = shifts_late_fire },
	{ .kind = "checkout", .fire = shifts_checkout_fire },
	{ .kind = "weekclose", .fire = attendance_week_close_fire },
	{ .kind = "esc", .fire = emergency_escalate_fire },
	{ .kind = "notice", .fire = notify_fire },
	{ .kind = "cal", .fire = calendar_fire },
	{ .kind = "sla", .fire = complaints_sla_fire },
	{ .kind = "release", .fire = complaints_release_fire },
	{ .kind = "shiftstart", .fire = complaints_shift_start_fire },
	{ .kind = "dayreport", .fire = reports_day_fire },
	{ .kind = "stuck", .fire = approvals_stuck_fire },
};

const unsigned n_timer_kinds = sizeof(timer_kinds) / sizeof(timer_kinds[0]);
