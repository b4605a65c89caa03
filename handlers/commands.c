/*
 * commands: the table.  Rows with the same name sit together; a row without
 * sub-command is the plain form.  Every row has a handler of its own (rows
 * that share a body reach it through thin wrappers, as Redis's SETNX wraps
 * setGenericCommand), so a handler never asks which row called it and the
 * sub-command names are written here alone.  tests/unit/test_commands.c
 * checks that every row has its own handler, help and a usage that starts
 * with its name.
 */
#include "handlers/commands.h"
#include "handlers/handlers.h"
#include "generated/languages.h"

#include <stdio.h>
#include <string.h>

const struct command commands[] = {
	{ .name = "complain", .min_role = ROLE_FRIEND, .arity = -2, .flags = CMD_WRITE,
	  .proc = complain_cmd, .help = MSG_HELP_COMPLAIN, .usage = "complain <text>" },
	{ .name = "suggest", .min_role = ROLE_FRIEND, .arity = -2, .flags = CMD_WRITE,
	  .proc = suggest_cmd, .help = MSG_HELP_SUGGEST, .usage = "suggest <text>" },
	{ .name = "rate", .min_role = ROLE_FRIEND, .arity = -3, .flags = CMD_WRITE,
	  .proc = rate_cmd, .help = MSG_HELP_RATE, .usage = "rate <C-n> <1-5> [comment]" },
	{ .name = "help", .min_role = ROLE_FRIEND, .arity = -1, .flags = 0,
	  .proc = help_cmd, .help = MSG_HELP_HELP, .usage = "help [command]" },
	{ .name = "ping", .min_role = ROLE_FRIEND, .arity = 1, .flags = CMD_NO_STATE,
	  .proc = core_ping_cmd, .help = MSG_HELP_PING, .usage = "ping" },
	{ .name = "whoami", .min_role = ROLE_FRIEND, .arity = 1,
	  .proc = core_whoami_cmd, .help = MSG_HELP_WHOAMI, .usage = "whoami" },
	{ .name = "lang", .min_role = ROLE_FRIEND, .arity = -1, .flags = CMD_WRITE | CMD_QUIET,
	  .proc = core_lang_cmd, .help = MSG_HELP_LANG, .usage = "lang [" I18N_LANGUAGE_CHOICES "]" },

	{ .name = "staff", .sub = "list", .min_role = ROLE_MINISTER, .arity = -2,
	  .proc = staff_list_cmd, .help = MSG_HELP_STAFF_LIST, .usage = "staff list [role]" },
	{ .name = "staff", .sub = "show", .min_role = ROLE_MINISTER, .arity = 3, .flags = CMD_PRIVATE,
	  .proc = staff_show_cmd, .help = MSG_HELP_STAFF_SHOW, .usage = "staff show <person>" },
	{ .name = "staff", .sub = "add", .min_role = ROLE_MINISTER, .arity = -3, .flags = CMD_WRITE | CMD_QUIET,
	  .proc = staff_add_cmd, .help = MSG_HELP_STAFF_ADD,
	  .usage = "staff add <id> name=\"<full name>\" email=<e-mail> role=<role> [level=<TRN|CCS|PAM|SAM>] [lang=<code>] [<connection>:<user id>…]" },
	{ .name = "staff", .sub = "set", .min_role = ROLE_MINISTER, .arity = -5, .flags = CMD_WRITE | CMD_QUIET,
	  .proc = staff_set_cmd, .help = MSG_HELP_STAFF_SET,
	  .usage = "staff set <person> name|email|role|level|lang|skills|langs <value>" },
	{ .name = "staff", .sub = "link", .min_role = ROLE_MINISTER, .arity = 4, .flags = CMD_WRITE | CMD_QUIET,
	  .proc = staff_link_cmd, .help = MSG_HELP_STAFF_LINK, .usage = "staff link <person> <connection>:<user id>" },
	{ .name = "staff", .sub = "unlink", .min_role = ROLE_MINISTER, .arity = 4, .flags = CMD_WRITE | CMD_QUIET,
	  .proc = staff_unlink_cmd, .help = MSG_HELP_STAFF_UNLINK, .usage = "staff unlink <person> <connection>:<user id>" },
	{ .name = "staff", .sub = "remove", .min_role = ROLE_MINISTER, .arity = -3, .flags = CMD_WRITE,
	  .proc = staff_remove_cmd, .help = MSG_HELP_STAFF_REMOVE, .usage = "staff remove <person> [force]" },

	{ .name = "staff", .sub = "verify", .min_role = ROLE_MINISTER, .arity = 3, .flags = CMD_WRITE | CMD_QUIET,
	  .proc = staff_verify_cmd, .help = MSG_HELP_STAFF_VERIFY, .usage = "staff verify <person>" },
	{ .name = "audit", .min_role = ROLE_MINISTER, .arity = -1, .flags = CMD_PRIVATE,
	  .proc = audit_cmd, .help = MSG_HELP_AUDIT, .usage = "audit [n] [person]" },

	{ .name = "roster", .min_role = ROLE_AGENT, .arity = -1,
	  .proc = roster_show_cmd, .help = MSG_HELP_ROSTER, .usage = "roster [date]" },
	{ .name = "roster", .sub = "lead", .min_role = ROLE_MINISTER, .arity = 5, .flags = CMD_WRITE,
	  .proc = roster_lead_cmd, .help = MSG_HELP_ROSTER_LEAD, .usage = "roster lead <date|range> <shift> <person>" },
	{ .name = "roster", .sub = "minister", .min_role = ROLE_MINISTER, .arity = 5, .flags = CMD_WRITE,
	  .proc = roster_minister_cmd, .help = MSG_HELP_ROSTER_MINISTER, .usage = "roster minister <date|range> <shift> <person>" },
	{ .name = "roster", .sub = "add", .min_role = ROLE_MINISTER, .arity = -5, .flags = CMD_WRITE,
	  .proc = roster_add_cmd, .help = MSG_HELP_ROSTER_ADD, .usage = "roster add <date|range> <shift> <person> […]" },
	{ .name = "roster", .sub = "remove", .min_role = ROLE_MINISTER, .arity = 5, .flags = CMD_WRITE,
	  .proc = roster_remove_cmd, .help = MSG_HELP_ROSTER_REMOVE, .usage = "roster remove <date|range> <shift> <person>" },
	{ .name = "duty", .min_role = ROLE_AGENT, .arity = 1,
	  .proc = duty_cmd, .help = MSG_HELP_DUTY, .usage = "duty" },
	{ .name = "checkin", .min_role = ROLE_AGENT, .arity = -1, .flags = CMD_WRITE,
	  .proc = checkin_cmd, .help = MSG_HELP_CHECKIN, .usage = "checkin [shift]" },
	{ .name = "checkout", .min_role = ROLE_AGENT, .arity = 1, .flags = CMD_WRITE,
	  .proc = checkout_cmd, .help = MSG_HELP_CHECKOUT, .usage = "checkout" },
	{ .name = "handover", .min_role = ROLE_VICE_MINISTER, .arity = -2, .flags = CMD_WRITE | CMD_QUIET,
	  .proc = handover_cmd, .help = MSG_HELP_HANDOVER, .usage = "handover <notes>" },
	{ .name = "handover", .sub = "show", .min_role = ROLE_AGENT, .arity = -2,
	  .proc = handover_show_cmd, .help = MSG_HELP_HANDOVER_SHOW, .usage = "handover show [date] [shift]" },
	{ .name = "swap", .min_role = ROLE_AGENT, .arity = 5, .flags = CMD_WRITE,
	  .proc = swap_cmd, .help = MSG_HELP_SWAP, .usage = "swap <date> <shift> with <person>" },
	{ .name = "swap", .sub = "accept", .min_role = ROLE_AGENT, .arity = 3, .flags = CMD_WRITE,
	  .proc = swap_accept_cmd, .help = MSG_HELP_SWAP_ACCEPT, .usage = "swap accept <S-n>" },
	{ .name = "swap", .sub = "decline", .min_role = ROLE_AGENT, .arity = -3, .flags = CMD_WRITE,
	  .proc = swap_decline_cmd, .help = MSG_HELP_SWAP_DECLINE, .usage = "swap decline <S-n> [reason]" },
	{ .name = "leave", .min_role = ROLE_AGENT, .arity = -3, .flags = CMD_WRITE | CMD_PRIVATE,
	  .proc = leave_cmd, .help = MSG_HELP_LEAVE, .usage = "leave <date|range> <reason>" },
	{ .name = "pending", .min_role = ROLE_AGENT, .arity = 1, .flags = CMD_PRIVATE,
	  .proc = pending_cmd, .help = MSG_HELP_PENDING, .usage = "pending" },
	{ .name = "approve", .min_role = ROLE_AGENT, .arity = -2, .flags = CMD_WRITE,
	  .proc = approve_cmd, .help = MSG_HELP_APPROVE, .usage = "approve <id> [score=<1-5>] [note]" },
	{ .name = "deny", .min_role = ROLE_AGENT, .arity = -3, .flags = CMD_WRITE,
	  .proc = deny_cmd, .help = MSG_HELP_DENY, .usage = "deny <id> <reason>" },
	{ .name = "approval", .sub = "show", .min_role = ROLE_AGENT, .arity = 3, .flags = CMD_PRIVATE,
	  .proc = approval_show_cmd, .help = MSG_HELP_APPROVAL_SHOW, .usage = "approval show <id>" },
	{ .name = "approval", .sub = "cancel", .min_role = ROLE_AGENT, .arity = -3, .flags = CMD_WRITE,
	  .proc = approval_cancel_cmd, .help = MSG_HELP_APPROVAL_CANCEL, .usage = "approval cancel <id> [reason]" },
	{ .name = "hours", .min_role = ROLE_AGENT, .arity = -1, .flags = CMD_PRIVATE,
	  .proc = hours_cmd, .help = MSG_HELP_HOURS, .usage = "hours [person] [week]" },
	{ .name = "attendance", .min_role = ROLE_VICE_MINISTER, .arity = -1, .flags = CMD_PRIVATE,
	  .proc = attendance_cmd, .help = MSG_HELP_ATTENDANCE, .usage = "attendance [week]" },
	{ .name = "excuse", .min_role = ROLE_AGENT, .arity = -4, .flags = CMD_WRITE | CMD_PRIVATE,
	  .proc = excuse_cmd, .help = MSG_HELP_EXCUSE, .usage = "excuse <person> <week> <reason>" },

	{ .name = "emergency", .min_role = ROLE_AGENT, .arity = -2, .flags = CMD_WRITE,
	  .proc = emergency_cmd, .help = MSG_HELP_EMERGENCY, .usage = "emergency <text>" },
	{ .name = "ack", .min_role = ROLE_AGENT, .arity = 2, .flags = CMD_WRITE,
	  .proc = ack_cmd, .help = MSG_HELP_ACK, .usage = "ack <E-n>" },
	{ .name = "resolve", .min_role = ROLE_AGENT, .arity = -3, .flags = CMD_WRITE,
	  .proc = resolve_cmd, .help = MSG_HELP_RESOLVE, .usage = "resolve <E-n> <note>" },
	{ .name = "emergencies", .min_role = ROLE_AGENT, .arity = -1,
	  .proc = emergencies_cmd, .help = MSG_HELP_EMERGENCIES, .usage = "emergencies [all]" },
	{ .name = "contacts", .min_role = ROLE_MINISTER, .arity = -1, .flags = CMD_PRIVATE,
	  .proc = contacts_cmd, .help = MSG_HELP_CONTACTS, .usage = "contacts [person]" },
	{ .name = "contacts", .sub = "set", .min_role = ROLE_AGENT, .arity = -4, .flags = CMD_WRITE | CMD_QUIET | CMD_PRIVATE,
	  .proc = contacts_set_cmd, .help = MSG_HELP_CONTACTS_SET, .usage = "contacts set phone|address|backup <value>" },
	{ .name = "plan", .min_role = ROLE_AGENT, .arity = 1,
	  .proc = plan_cmd, .help = MSG_HELP_PLAN, .usage = "plan" },
	{ .name = "plan", .sub = "set", .min_role = ROLE_MINISTER, .arity = -3, .flags = CMD_WRITE | CMD_QUIET,
	  .proc = plan_set_cmd, .help = MSG_HELP_PLAN_SET, .usage = "plan set <text>" },
	{ .name = "tech", .min_role = ROLE_AGENT, .arity = -2, .flags = CMD_WRITE,
	  .proc = tech_cmd, .help = MSG_HELP_TECH, .usage = "tech <text>" },
	{ .name = "tech", .sub = "resolve", .min_role = ROLE_AGENT, .arity = -4, .flags = CMD_WRITE,
	  .proc = tech_resolve_cmd, .help = MSG_HELP_TECH_RESOLVE, .usage = "tech resolve <T-n> <note>" },
	{ .name = "tech", .sub = "list", .min_role = ROLE_AGENT, .arity = 2,
	  .proc = tech_list_cmd, .help = MSG_HELP_TECH_LIST, .usage = "tech list" },
	{ .name = "notify", .min_role = ROLE_VICE_MINISTER, .arity = -3, .flags = CMD_WRITE,
	  .proc = notify_cmd, .help = MSG_HELP_NOTIFY, .usage = "notify <room|*> [at <HH:MM|date HH:MM>] <text>" },
	{ .name = "notify", .sub = "confirm", .min_role = ROLE_VICE_MINISTER, .arity = 3, .flags = CMD_WRITE,
	  .proc = notify_confirm_cmd, .help = MSG_HELP_NOTIFY_CONFIRM, .usage = "notify confirm <N-n>" },
	{ .name = "notify", .sub = "cancel", .min_role = ROLE_VICE_MINISTER, .arity = 3, .flags = CMD_WRITE,
	  .proc = notify_cancel_cmd, .help = MSG_HELP_NOTIFY_CANCEL, .usage = "notify cancel <N-n>" },
	{ .name = "notify", .sub = "list", .min_role = ROLE_VICE_MINISTER, .arity = 2,
	  .proc = notify_list_cmd, .help = MSG_HELP_NOTIFY_LIST, .usage = "notify list" },

	{ .name = "complaint", .sub = "new", .min_role = ROLE_AGENT, .arity = -4, .flags = CMD_WRITE,
	  .proc = complaint_new_cmd, .help = MSG_HELP_COMPLAINT_NEW,
	  .usage = "complaint new <friend> [priority=urgent|high|normal|low] [topic=<topic>] [lang=<code>] [group=<group>] <text>" },
	{ .name = "complaint", .sub = "take", .min_role = ROLE_AGENT, .arity = 3, .flags = CMD_WRITE,
	  .proc = complaint_take_cmd, .help = MSG_HELP_COMPLAINT_TAKE, .usage = "complaint take <C-n>" },
	{ .name = "complaint", .sub = "assign", .min_role = ROLE_VICE_MINISTER, .arity = -4, .flags = CMD_WRITE,
	  .proc = complaint_assign_cmd, .help = MSG_HELP_COMPLAINT_ASSIGN, .usage = "complaint assign <C-n> <person> [force]" },
	{ .name = "complaint", .sub = "note", .min_role = ROLE_AGENT, .arity = -4, .flags = CMD_WRITE | CMD_QUIET,
	  .proc = complaint_note_cmd, .help = MSG_HELP_COMPLAINT_NOTE, .usage = "complaint note <C-n> <text>" },
	{ .name = "complaint", .sub = "reply", .min_role = ROLE_AGENT, .arity = -4, .flags = CMD_WRITE,
	  .proc = complaint_reply_cmd, .help = MSG_HELP_COMPLAINT_REPLY, .usage = "complaint reply <C-n> <text>" },
	{ .name = "complaint", .sub = "group", .min_role = ROLE_AGENT, .arity = 4, .flags = CMD_WRITE,
	  .proc = complaint_group_cmd, .help = MSG_HELP_COMPLAINT_GROUP, .usage = "complaint group <C-n> <group|none>" },
	{ .name = "complaint", .sub = "resolve", .min_role = ROLE_AGENT, .arity = -4, .flags = CMD_WRITE,
	  .proc = complaint_resolve_cmd, .help = MSG_HELP_COMPLAINT_RESOLVE, .usage = "complaint resolve <C-n> <text>" },
	{ .name = "complaints", .min_role = ROLE_AGENT, .arity = -1, .flags = CMD_PRIVATE,
	  .proc = complaints_cmd, .help = MSG_HELP_COMPLAINTS, .usage = "complaints [open|mine|queue|all]" },
	{ .name = "report", .min_role = ROLE_VICE_MINISTER, .arity = -2, .flags = CMD_PRIVATE,
	  .proc = report_cmd, .help = MSG_HELP_REPORT, .usage = "report day|week|month [date]" },
	{ .name = "evaluate", .min_role = ROLE_MINISTER, .arity = -1, .flags = CMD_PRIVATE,
	  .proc = evaluate_cmd, .help = MSG_HELP_EVALUATE, .usage = "evaluate [YYYY-MM]" },
	{ .name = "task", .min_role = ROLE_MINISTER, .arity = -4, .flags = CMD_WRITE,
	  .proc = task_cmd, .help = MSG_HELP_TASK, .usage = "task <person> <friend> <note>" },
	{ .name = "levels", .min_role = ROLE_AGENT, .arity = 1,
	  .proc = levels_cmd, .help = MSG_HELP_LEVELS, .usage = "levels" },
	{ .name = "promote", .min_role = ROLE_MINISTER, .arity = -3, .flags = CMD_WRITE | CMD_PRIVATE,
	  .proc = promote_cmd, .help = MSG_HELP_PROMOTE,
	  .usage = "promote <person> <level> cycle=in|off name=\"<full name>\" email=<e-mail> [reason=\"<text>\"]" },
	{ .name = "probation", .sub = "apply", .min_role = ROLE_AGENT, .arity = -3, .flags = CMD_WRITE | CMD_PRIVATE,
	  .proc = probation_apply_cmd, .help = MSG_HELP_PROBATION_APPLY, .usage = "probation apply <self-evaluation>" },
	{ .name = "probation", .sub = "evaluate", .min_role = ROLE_VICE_MINISTER, .arity = -3, .flags = CMD_WRITE | CMD_PRIVATE,
	  .proc = probation_evaluate_cmd, .help = MSG_HELP_PROBATION_EVALUATE,
	  .usage = "probation evaluate <PR-n> score=<1-5> [text]" },
	{ .name = "probation", .sub = "consult", .min_role = ROLE_MINISTER, .arity = 4, .flags = CMD_WRITE | CMD_PRIVATE,
	  .proc = probation_consult_cmd, .help = MSG_HELP_PROBATION_CONSULT, .usage = "probation consult <PR-n> <person>" },
	{ .name = "training", .sub = "log", .min_role = ROLE_AGENT, .arity = -4, .flags = CMD_WRITE | CMD_PRIVATE,
	  .proc = training_log_cmd, .help = MSG_HELP_TRAINING_LOG, .usage = "training log [intern] <hours> <topic>" },
	{ .name = "internship", .sub = "talk", .min_role = ROLE_AGENT, .arity = -4, .flags = CMD_WRITE,
	  .proc = internship_talk_cmd, .help = MSG_HELP_INTERNSHIP_TALK, .usage = "internship talk <person> <notes>" },
	{ .name = "internship", .sub = "summary", .min_role = ROLE_AGENT, .arity = -3, .flags = CMD_WRITE | CMD_QUIET,
	  .proc = internship_summary_cmd, .help = MSG_HELP_INTERNSHIP_SUMMARY, .usage = "internship summary <text>" },
	{ .name = "internship", .sub = "status", .min_role = ROLE_AGENT, .arity = -2, .flags = CMD_PRIVATE,
	  .proc = internship_status_cmd, .help = MSG_HELP_INTERNSHIP_STATUS, .usage = "internship status [person]" },
	{ .name = "internship", .sub = "recommend", .min_role = ROLE_MINISTER, .arity = 3, .flags = CMD_WRITE | CMD_PRIVATE,
	  .proc = internship_recommend_cmd, .help = MSG_HELP_INTERNSHIP_RECOMMEND, .usage = "internship recommend <person>" },
	{ .name = "calendar", .min_role = ROLE_AGENT, .min_level = LEVEL_SAM, .arity = -1, .flags = CMD_PRIVATE,
	  .proc = calendar_cmd, .help = MSG_HELP_CALENDAR, .usage = "calendar [date]" },
	{ .name = "calendar", .sub = "add", .min_role = ROLE_AGENT, .min_level = LEVEL_SAM, .arity = -5, .flags = CMD_WRITE | CMD_PRIVATE,
	  .proc = calendar_add_cmd, .help = MSG_HELP_CALENDAR_ADD, .usage = "calendar add <date> <HH:MM> <text>" },
	{ .name = "calendar", .sub = "remove", .min_role = ROLE_AGENT, .min_level = LEVEL_SAM, .arity = 3, .flags = CMD_WRITE | CMD_PRIVATE,
	  .proc = calendar_remove_cmd, .help = MSG_HELP_CALENDAR_REMOVE, .usage = "calendar remove <id>" },
};

const size_t n_commands = sizeof(commands) / sizeof(commands[0]);

const struct command *commands_lookup(const char *name, const char *sub, bool *known_name)
{
	const struct command *plain = NULL;

	*known_name = false;
	for (size_t i = 0; i < n_commands; i++) {
		const struct command *c = &commands[i];
		if (c->name[0] != name[0] || strcmp(c->name, name) != 0)
			continue;       /* the first letter settles most rows without a call */
		*known_name = true;
		if (c->sub == NULL)
			plain = c;
		else if (sub != NULL && strcmp(c->sub, sub) == 0)
			return c;
	}
	return plain;
}

size_t command_index(const struct command *c)
{
	return (size_t)(c - commands);
}
