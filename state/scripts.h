/*
 * scripts: the Lua scripts of state/scripts/, embedded at build time, and the
 * enum by which the state layer calls them.  Adding a script = a .lua file and
 * a row here; state_init() refuses to start if a row has no source.
 */
#ifndef DUTYBOT_STATE_SCRIPTS_H
#define DUTYBOT_STATE_SCRIPTS_H

struct state_script_source {
	const char *name;
	const char *source;
};

extern const struct state_script_source state_script_sources[];
extern const unsigned state_script_count;

#define STATE_SCRIPTS(X) \
	X(SCRIPT_BEGIN_BATCH, "begin_batch") \
	X(SCRIPT_STAFF_UPSERT, "staff_upsert") \
	X(SCRIPT_STAFF_ADD, "staff_add") \
	X(SCRIPT_STAFF_SET, "staff_set") \
	X(SCRIPT_STAFF_LINK, "staff_link") \
	X(SCRIPT_STAFF_REMOVE, "staff_remove") \
	X(SCRIPT_STAFF_READ, "staff_read") \
	X(SCRIPT_LANG_SET, "lang_set") \
	X(SCRIPT_AUDIT_READ, "audit_read") \
	X(SCRIPT_TIMER_CLAIM, "timer_claim") \
	X(SCRIPT_OUTBOX_DONE, "outbox_done") \
	X(SCRIPT_OUTBOX_GROUP, "outbox_group") \
	X(SCRIPT_ROSTER_READ, "roster_read") \
	X(SCRIPT_ROSTER_SET, "roster_set") \
	X(SCRIPT_CHECKIN, "checkin") \
	X(SCRIPT_CHECKOUT, "checkout") \
	X(SCRIPT_HANDOVER_SET, "handover_set") \
	X(SCRIPT_LATE_FIRE, "late_fire") \
	X(SCRIPT_REMIND_FIRE, "remind_fire") \
	X(SCRIPT_WEEK_CLOSE, "week_close") \
	X(SCRIPT_SWAP_REQUEST, "swap_request") \
	X(SCRIPT_APPROVAL_DECIDE, "approval_decide") \
	X(SCRIPT_LEAVE_REQUEST, "leave_request") \
	X(SCRIPT_EXCUSE_REQUEST, "excuse_request") \
	X(SCRIPT_APPROVALS_PENDING, "approvals_pending") \
	X(SCRIPT_ATTENDANCE_READ, "attendance_read") \
	X(SCRIPT_EMERGENCY_NEW, "emergency_new") \
	X(SCRIPT_EMERGENCY_FIRE, "emergency_fire") \
	X(SCRIPT_EMERGENCY_CLOSE, "emergency_close") \
	X(SCRIPT_EMERGENCIES_READ, "emergencies_read") \
	X(SCRIPT_TECH_REPORT, "tech_report") \
	X(SCRIPT_CONTACTS, "contacts") \
	X(SCRIPT_NOTICE, "notice") \
	X(SCRIPT_CAREERS, "careers") \
	X(SCRIPT_COMPLAINTS, "complaints") \
	X(SCRIPT_REPORT, "report")

#define STATE_SCRIPT_ENUM(id, name) id,
enum state_script { STATE_SCRIPTS(STATE_SCRIPT_ENUM) SCRIPT_MAX };
#undef STATE_SCRIPT_ENUM

#endif
