/*
 * catalog_en: every text the bot says, in English, keyed by message id.  This
 * list defines the ids (enum msg_id); the other languages translate a subset
 * and fall back to these.  Placeholders are {name}; a translation must use
 * exactly the placeholders of the English text (a unit test checks it).
 * Texts shown in command help are here too, so help is translated as well.
 */
#define CATALOG_EN(X) \
	X(MSG_PONG, "pong") \
	X(MSG_PONG_STATE_DOWN, "pong (but the state store is unavailable right now)") \
	X(MSG_UNKNOWN_COMMAND, "Unknown command {cmd}. Try {prefix}help.") \
	X(MSG_UNKNOWN_SUBCOMMAND, "{prefix}{cmd} has no sub-command \"{sub}\". One of: {subs}.") \
	X(MSG_USAGE, "Usage: {usage}") \
	X(MSG_PARSE_ERROR, "Could not read that command: {why}.") \
	X(MSG_REFUSED_ROLE, "{prefix}{cmd} is for {needed} and above; you are {role}.") \
	X(MSG_REFUSED_LEVEL, "{prefix}{cmd} needs level {needed} or above; you are {level}.") \
	X(MSG_STATE_DOWN, "The state store is unavailable right now, so nothing was done. Please try again in a minute.") \
	X(MSG_SLOW_DOWN, "{name}, you are sending commands too fast. The extra ones are ignored; wait {seconds} s.") \
	X(MSG_GUARD_DELAYED, "{name}, you are sending commands faster than I run them: the next ones wait their turn and are all done, in order (in about {seconds} s).") \
	X(MSG_GUARD_QUEUE_FULL, "{name}, {count} of your commands are already waiting, so \"{cmd}\" and what you send right after it were not run. Send them again in {seconds} s.") \
	X(MSG_SENT_PRIVATELY, "{name}, I sent you the answer privately.") \
	X(MSG_INTERNAL_ERROR, "Something went wrong on my side; nothing was changed. ({error})") \
	X(MSG_DELIVERY_FAILED, "I could not deliver a message to {target}: {code}.") \
	X(MSG_DELIVERY_UNANSWERED, "I could not deliver a message to {target}: the chat site did not confirm it, even after 3 tries.") \
	X(MSG_SHUTTING_DOWN, "I am restarting; please send that again in a moment.") \
	X(MSG_ROLE_FRIEND, "chat friend") \
	X(MSG_ROLE_AGENT, "agent") \
	X(MSG_ROLE_VICE_MINISTER, "vice minister") \
	X(MSG_ROLE_MINISTER, "minister") \
	X(MSG_ROLE_WEBMASTER, "webmaster") \
	X(MSG_HELP_HEADER, "Commands you may use as {role}:") \
	X(MSG_HELP_LINE, "{usage} — {help}") \
	X(MSG_HELP_FOOTER, "{prefix}help <command> shows one command in detail.") \
	X(MSG_HELP_DETAIL, "{usage}\n{help}\nFor {role} and above.") \
	X(MSG_HELP_NO_SUCH, "There is no command {cmd} that you may use. Try {prefix}help.") \
	X(MSG_HELP_PING, "check that the bot is alive") \
	X(MSG_HELP_HELP, "list the commands you may use, or explain one") \
	X(MSG_HELP_WHOAMI, "show who the bot thinks you are") \
	X(MSG_HELP_LANG, "show or set the language the bot answers you in") \
	X(MSG_HELP_STAFF_LIST, "list the staff, optionally of one role") \
	X(MSG_HELP_STAFF_SHOW, "show one staff record") \
	X(MSG_HELP_STAFF_ADD, "add a staff member") \
	X(MSG_HELP_STAFF_SET, "change a field of a staff record") \
	X(MSG_HELP_STAFF_LINK, "link a platform identity to a staff member") \
	X(MSG_HELP_STAFF_UNLINK, "remove a platform identity from a staff member") \
	X(MSG_HELP_STAFF_REMOVE, "remove a staff member") \
	X(MSG_HELP_AUDIT, "show the latest changes, optionally by or about one person") \
	X(MSG_WHOAMI_STAFF, "You are {name}, {role}, staff id {id}, seen as {identity}. Language: {lang}.") \
	X(MSG_WHOAMI_FRIEND, "You are {name}, a chat friend, seen as {identity}. Language: {lang}.") \
	X(MSG_LANG_SHOW, "Your language is {lang}. Available: {langs}.") \
	X(MSG_LANG_SET, "Language set to {lang}.") \
	X(MSG_LANG_BAD, "Unknown language \"{lang}\". Available: {langs}.") \
	X(MSG_STAFF_LIST_HEADER, "Staff ({count}):") \
	X(MSG_STAFF_LIST_LINE, "{name} — {role}, id {id}") \
	X(MSG_STAFF_EMPTY, "No staff records match.") \
	X(MSG_STAFF_SHOW, "{name}\nid: {id}\nrole: {role}\ne-mail: {email}\nlanguage: {lang}\nidentities: {identities}\nfrom: {source}") \
	X(MSG_STAFF_ADDED, "Added {name} as {role}.") \
	X(MSG_STAFF_EXISTS, "There is already a staff record with id {id}.") \
	X(MSG_STAFF_NOT_FOUND, "No staff member \"{id}\".") \
	X(MSG_STAFF_UPDATED, "{name}: {field} is now {value}.") \
	X(MSG_STAFF_UNCHANGED, "{name}: {field} is already {value}; nothing changed.") \
	X(MSG_STAFF_LINKED, "{identity} now belongs to {name}.") \
	X(MSG_STAFF_UNLINKED, "{identity} no longer belongs to {name}.") \
	X(MSG_STAFF_NOT_LINKED, "{identity} does not belong to {name}.") \
	X(MSG_STAFF_IDENTITY_TAKEN, "{identity} already belongs to {name}.") \
	X(MSG_STAFF_TOO_MANY_IDENTITIES, "A staff member has at most {max} identities; unlink one first.") \
	X(MSG_STAFF_BAD_IDENTITY, "\"{identity}\" is not an identity: write <connection>:<user id> with a configured connection ({connections}).") \
	X(MSG_STAFF_REMOVED, "Removed {name}.") \
	X(MSG_STAFF_REMOVED_CONFIG, "Removed {name}. They are also in the config file and come back at the next restart unless removed there.") \
	X(MSG_STAFF_REMOVED_FREED, " Freed from the roster: {slots}; ops is told the gaps.") \
	X(MSG_STAFF_REMOVED_GAPS_OPS, "{name} was removed from the staff by {by}. Roster gaps: {gaps}.") \
	X(MSG_STAFF_REMOVE_HOLDS, "{name} is still on the roster: {slots}. Give these to someone else first (!roster lead|minister|add … / !roster remove …), or write !staff remove {id} force to remove them anyway and leave the gaps to ops.") \
	X(MSG_STAFF_REMOVE_MORE, "and {n} more") \
	X(MSG_STAFF_BAD_FIELD, "Unknown field \"{field}\"; one of: name, email, role, level, lang, skills, langs.") \
	X(MSG_STAFF_BAD_VALUE, "Invalid {field} \"{value}\": {why}.") \
	X(MSG_STAFF_MISSING, "Missing {option}=… Usage: {usage}") \
	X(MSG_STAFF_RANK, "You may manage only people below your own role ({role}) and give only roles below it.") \
	X(MSG_STAFF_SELF_REMOVE, "You cannot remove your own staff record.") \
	X(MSG_STAFF_LAST_WEBMASTER, "{name} is the last webmaster; add another one first.") \
	X(MSG_WHY_ID, "use 1-32 characters a-z, 0-9, dot, dash, underscore") \
	X(MSG_WHY_EMAIL, "write it as name@domain.tld") \
	X(MSG_WHY_ROLE, "one of agent, vice_minister, minister, webmaster") \
	X(MSG_WHY_LEVEL, "one of TRN, CCS, PAM, SAM; agents need one") \
	X(MSG_WHY_NAME, "1-100 characters") \
	X(MSG_WHY_LANG, "one of en, de, es, hu, zh") \
	X(MSG_AUDIT_HEADER, "Latest changes{filter}:") \
	X(MSG_AUDIT_LINE, "{time} {actor}: {action} {subject} {detail}") \
	X(MSG_AUDIT_EMPTY, "No changes recorded{filter}.") \
	X(MSG_AUDIT_FILTER, " by or about {name}") \
	X(MSG_BAD_COUNT, "\"{value}\" is not a number from {min} to {max}.") \
	X(MSG_HELP_ROSTER, "show every shift of a day: lead, minister on duty, agents, who checked in") \
	X(MSG_HELP_ROSTER_LEAD, "set the responsible vice minister of a shift") \
	X(MSG_HELP_ROSTER_MINISTER, "set the minister on duty of a shift") \
	X(MSG_HELP_ROSTER_ADD, "put agents on a shift") \
	X(MSG_HELP_ROSTER_REMOVE, "take someone off a shift") \
	X(MSG_HELP_DUTY, "who is on duty right now, and who is next") \
	X(MSG_HELP_CHECKIN, "clock in to your shift") \
	X(MSG_HELP_CHECKOUT, "clock out of your shift") \
	X(MSG_HELP_HANDOVER, "leave notes for the next shift's lead") \
	X(MSG_HELP_HANDOVER_SHOW, "show the handover notes: without a shift named, the ones handed to the running shift (and its own for the next)") \
	X(MSG_HELP_SWAP, "ask someone to take your shift (approved by a minister or webmaster)") \
	X(MSG_HELP_SWAP_ACCEPT, "accept a swap someone asked of you") \
	X(MSG_HELP_SWAP_DECLINE, "decline a swap someone asked of you") \
	X(MSG_HELP_LEAVE, "ask for leave (approved by a minister or webmaster)") \
	X(MSG_HELP_PENDING, "the approvals waiting for your decision") \
	X(MSG_HELP_APPROVE, "approve a request (swap, leave, excuse...)") \
	X(MSG_HELP_DENY, "deny a request, with the reason") \
	X(MSG_HELP_APPROVAL_SHOW, "a request's reason, evidence and steps: who signed, who decided, who may") \
	X(MSG_HELP_APPROVAL_CANCEL, "cancel an open request you asked (webmasters: any)") \
	X(MSG_HELP_HOURS, "hours worked in a week") \
	X(MSG_HELP_ATTENDANCE, "everyone's hours of a week against the minimum") \
	X(MSG_HELP_EXCUSE, "ask a webmaster to excuse hours under the minimum") \
	X(MSG_SHIFT_NONE_CONFIGURED, "No shifts are configured.") \
	X(MSG_SHIFT_UNKNOWN, "There is no shift \"{shift}\"; the shifts are: {shifts}.") \
	X(MSG_DATE_BAD, "\"{date}\" is not a date: write YYYY-MM-DD, today, tomorrow, yesterday, mon..sun, or a range A..B of at most 62 days.") \
	X(MSG_WEEK_BAD, "\"{week}\" is not a week: write it as 2026-W10.") \
	X(MSG_LATE_MARK, " ({minutes} min late)") \
	X(MSG_AUTO_CHECKOUT_MARK, " (checked out automatically)") \
	X(MSG_ROSTER_HEADER, "Roster of {date}:") \
	X(MSG_ROSTER_SHIFT, "{shift} {start}-{end}: lead {lead}, minister on duty {minister}; agents: {agents}; checked in: {checked}") \
	X(MSG_ROSTER_OPEN_SPAN, "{from}–now") \
	X(MSG_ROSTER_REPLACED, " (replaced {who})") \
	X(MSG_ROSTER_MINISTER_REPLACED, " (minister on duty in place of {who})") \
	X(MSG_ROSTER_UPDATED_LEAD, "Roster updated: {shift} on {dates} — lead {who}.") \
	X(MSG_ROSTER_UPDATED_MINISTER, "Roster updated: {shift} on {dates} — minister on duty {who}.") \
	X(MSG_ROSTER_UPDATED_AGENTS, "Roster updated: {shift} on {dates} — agents {who}.") \
	X(MSG_ROSTER_UPDATED_ADDED, "Roster updated: {shift} on {dates} — {who} added as agents.") \
	X(MSG_ROSTER_UPDATED_REMOVED, "Roster updated: {shift} on {dates} — {who} taken off.") \
	X(MSG_ROSTER_MAY_NOT_HOLD, "{id} may not hold the {slot} slot of a shift.") \
	X(MSG_ROSTER_ON_LEAVE, "{id} is on leave on {date}.") \
	X(MSG_ROSTER_ALREADY, "{id} is already on that shift on {date} ({slot}).") \
	X(MSG_ROSTER_NOT_THERE, "{id} is not on the {shift} shift then.") \
	X(MSG_ROSTER_PAST, "{dates} is over; the roster of the past stays as it was.") \
	X(MSG_DUTY_NOW, "On duty now: {shift} until {end}. Lead {lead}, minister on duty {minister}. Checked in: {checked}.") \
	X(MSG_DUTY_NEXT, "Next: {shift} on {date} at {start}, lead {lead}.") \
	X(MSG_DUTY_NONE, "Nobody is on duty and no shift is coming up.") \
	X(MSG_CHECKIN_OK, "{name}, you are checked in to {shift} ({date}).") \
	X(MSG_CHECKIN_LATE, "{name}, you are checked in to {shift} ({date}), {minutes} min after it started (counted as late).") \
	X(MSG_CHECKIN_AGAIN, "{name}, you are checked in to {shift} ({date}) again.") \
	X(MSG_CHECKIN_CLOSED_OTHER, " You are checked out of {prev}.") \
	X(MSG_CHECKIN_ALREADY, "You are already checked in to {shift} ({date}) since {since}.") \
	X(MSG_CHECKIN_NOT_ROSTERED, "You are not on the roster of a shift that is open for check-in now.") \
	X(MSG_CHECKIN_NOT_ON_SHIFT, "You are not on the roster of a {shift} shift that is open for check-in now.") \
	X(MSG_CHECKIN_WHICH, "Which shift? You can check in to {choices}. Write !checkin <shift>, e.g. !checkin {example}.") \
	X(MSG_CHECKOUT_OK, "{name}, you are checked out of {shift}: {worked} worked, {total} this week.") \
	X(MSG_CHECKOUT_NOT_IN, "You are not checked in to any shift.") \
	X(MSG_CHECKOUT_WAS_AUTO, "You are not checked in: {shift} ({date}) ended and you were checked out automatically at {time}.") \
	X(MSG_CHECKOUT_WAS_OUT, "You are not checked in: you checked out of {shift} ({date}) at {time}.") \
	X(MSG_HANDOVER_SAVED, "Handover notes of {shift} ({date}) saved; the next lead gets them at check-in.") \
	X(MSG_HANDOVER_SAVED_SENT, "Handover notes of {shift} ({date}) saved and sent to {lead}, the next lead, who has already checked in.") \
	X(MSG_HANDOVER_NOT_LEAD, "Only the lead of the shift running now writes its handover.") \
	X(MSG_HANDOVER_SHOW, "Handover of {what} by {by} at {time}:\n{notes}") \
	X(MSG_HANDOVER_NONE, "No handover notes for {what}.") \
	X(MSG_HANDOVER_DELIVERY, "Handover notes for {shift} ({date}) from the {pshift} shift of {pdate}, by {by}:\n{notes}") \
	X(MSG_HANDOVER_NO_NOTES, "No handover notes from the {pshift} shift of {pdate}.") \
	X(MSG_HANDOVER_NOT_YET, "No handover notes from the {pshift} shift of {pdate} yet; when its lead writes them, you get them here.") \
	X(MSG_HANDOVER_PENDING, "Pending approvals of this shift: {approvals}") \
	X(MSG_HANDOVER_TO, "Handover to {shift} ({date}) from the {pshift} shift of {pdate}, by {by} at {time}:\n{notes}") \
	X(MSG_HANDOVER_TO_NONE, "No handover notes were handed to {shift} ({date}) from the {pshift} shift of {pdate}.") \
	X(MSG_HANDOVER_FOR_NEXT, "\nNotes of {shift} ({date}) for the next shift, by {by} at {time}:\n{notes}") \
	X(MSG_SHIFT_REMINDER, "Reminder: you lead {shift} on {date} at {start}. Check in with !checkin.") \
	X(MSG_SHIFT_REMINDER_MINISTER, "Reminder: you are minister on duty of {shift} on {date} at {start}. Check in with !checkin.") \
	X(MSG_SHIFT_REMINDER_AGENT, "Reminder: your shift {shift} on {date} starts at {start}. Check in with !checkin.") \
	X(MSG_LATE_WARNING_YOU, "Warning: you lead {shift} ({date}, {start}) and have not checked in. A second time within the window means replacement.") \
	X(MSG_LATE_WARNING_OPS, "{lead}, lead of {shift} ({date}, {start}), has not checked in: first warning.") \
	X(MSG_LATE_REPLACED_YOU, "You did not check in to lead {shift} ({date}) again: {standby} replaces you for this shift.") \
	X(MSG_LATE_STANDBY_YOU, "You now lead {shift} ({date}, {start}) in place of {lead}. Please check in.") \
	X(MSG_LATE_REPLACED_OPS, "{lead} was late again: {standby} now leads {shift} ({date}).") \
	X(MSG_LATE_NO_STANDBY, "{lead} is late again for {shift} ({date}) and no standby is free: webmasters, please act.") \
	X(MSG_LATE_MINISTER_WARNING_YOU, "Warning: you are minister on duty of {shift} ({date}, {start}) and have not checked in. A second time within the window means replacement.") \
	X(MSG_LATE_MINISTER_WARNING_OPS, "{minister}, minister on duty of {shift} ({date}, {start}), has not checked in: first warning.") \
	X(MSG_LATE_MINISTER_REPLACED_YOU, "You did not check in as minister on duty of {shift} ({date}) again: {standby} replaces you for this shift.") \
	X(MSG_LATE_MINISTER_STANDBY_YOU, "You are now minister on duty of {shift} ({date}, {start}) in place of {minister}. Please check in.") \
	X(MSG_LATE_MINISTER_REPLACED_OPS, "{minister} was late again: {standby} is now minister on duty of {shift} ({date}).") \
	X(MSG_LATE_MINISTER_NO_STANDBY, "{minister}, minister on duty of {shift} ({date}, {start}), is late again and no other minister is free: webmasters, please act.") \
	X(MSG_SWAP_REQUESTED, "Swap {id} asked of {other}; they answer with !swap accept {id}, then a minister or webmaster approves.") \
	X(MSG_SWAP_REQUESTED_EXCHANGE, "Swap {id} asked of {other}, who gives you their {theirs} shift that day in exchange; they answer with !swap accept {id}.") \
	X(MSG_SWAP_ASKED, "{from} asks you to swap: {summary}. Answer with !swap accept {id} or !swap decline {id}.") \
	X(MSG_SWAP_NOT_YOURS, "You are not on the {shift} shift of {date}.") \
	X(MSG_SWAP_SELF, "You cannot swap with yourself.") \
	X(MSG_SWAP_ALREADY_THERE_REQ, "{other} is already on that shift.") \
	X(MSG_SWAP_PAST, "{shift} on {date} has already started; a swap must come before.") \
	X(MSG_SWAP_DUPLICATE, "You already asked {id} for that shift.") \
	X(MSG_SWAP_CHANGED_YOURS, "the requester's shift changed since the request") \
	X(MSG_SWAP_CHANGED_THEIRS, "the other person's shift changed since the request") \
	X(MSG_SWAP_ALREADY_THERE, "the other person is on that shift already") \
	X(MSG_SWAP_ON_LEAVE, "one of them is on leave that day") \
	X(MSG_SWAP_DONE_OPS, "Swap {id} approved by {by}: {summary}.") \
	X(MSG_LEAVE_REQUESTED, "Leave {id} for {dates} asked; a minister or webmaster decides.") \
	X(MSG_LEAVE_REQUESTED_LATE, "Leave {id} for {dates} asked at short notice (less than the notice period before the first day); a minister or webmaster decides.") \
	X(MSG_LEAVE_OVERLAP, "You already asked for leave on those days ({id}).") \
	X(MSG_LEAVE_PAST, "{dates} is in the past.") \
	X(MSG_LEAVE_GAP_OPS, "Leave {id} approved by {by}: {summary}. Roster gaps: {gaps}.") \
	X(MSG_LEAVE_NO_GAP_OPS, "Leave {id} approved by {by}: {summary}. It leaves no gap in the roster.") \
	X(MSG_APPROVAL_WAITS, "{id} waits for a {role} or above: {summary}. !approve {id} or !deny {id} <reason>.") \
	X(MSG_APPROVAL_ASKS_YOU, "{id} waits for your answer: {summary} (asked by {from}). Reason: {reason}. Evidence: {evidence}.") \
	X(MSG_APPROVAL_ASKS_YOU_REASON, "{id} waits for your answer: {summary} (asked by {from}). Reason: {reason}.") \
	X(MSG_APPROVAL_ASKS_YOU_EVIDENCE, "{id} waits for your answer: {summary} (asked by {from}). Evidence: {evidence}.") \
	X(MSG_APPROVAL_ASKS_YOU_PLAIN, "{id} waits for your answer: {summary} (asked by {from}).") \
	X(MSG_APPROVAL_WHO_ROLE, "a {role} or above") \
	X(MSG_APPROVAL_NOT_FOUND, "There is no request {id}.") \
	X(MSG_APPROVAL_CLOSED, "{id} is already decided ({state}).") \
	X(MSG_APPROVAL_OWN, "You cannot decide your own request {id}.") \
	X(MSG_APPROVAL_TWICE, "You have already decided a step of {id}.") \
	X(MSG_APPROVAL_NOT_YOURS, "{id} waits for {who}, not for you.") \
	X(MSG_APPROVAL_DENIED_OK, "{id} denied: {summary}.") \
	X(MSG_APPROVAL_ADVANCED, "{id} accepted; it now waits for {who}: {summary}.") \
	X(MSG_APPROVAL_APPROVED_OK, "{id} approved and done: {summary}.") \
	X(MSG_APPROVAL_FAILED, "{id} cannot be done any more: {why}. Nothing changed.") \
	X(MSG_APPROVAL_DENIED, "Your request {id} ({summary}) was denied by {by}: {reason}") \
	X(MSG_APPROVAL_APPROVED, "{id} ({summary}) was approved by {by}.") \
	X(MSG_APPROVAL_FAILED_NOTICE, "{id} ({summary}) could not be done: {why}.") \
	X(MSG_APPROVAL_UNKNOWN_TYPE, "this kind of request is not known") \
	X(MSG_PENDING_HEADER, "Waiting for your decision:") \
	X(MSG_PENDING_LINE, "{id} — {summary} (from {by})") \
	X(MSG_PENDING_NONE, "Nothing waits for your decision.") \
	X(MSG_APPROVAL_WHO_ADVICE, "the opinion of {person}") \
	X(MSG_APPROVAL_REASON, "reason: {reason}") \
	X(MSG_APPROVAL_EVIDENCE, "evidence: {evidence}") \
	X(MSG_LEAVE_SHORT_NOTICE, "asked at short notice (less than the notice period before the first day)") \
	X(MSG_APPROVAL_NEEDS_SCORE, "{id}: step {step} is an evaluation and needs a score from 1 to 5 and a note. Give them: !approve {id} score=4 <note> (or !probation evaluate {id} score=4 <note>).") \
	X(MSG_APPROVAL_NEEDED_LATER, "Not decided: if you took this step, nobody would be left for step {step} of {id} ({who}), and nobody decides two steps. Leave this step to someone else.") \
	X(MSG_APPROVAL_UNCOMPLETABLE, "Nothing was asked: nobody could decide step {step} ({who}). Each step needs a different person, and neither the requester nor the person concerned decides. Ask a webmaster to add staff for that role.") \
	X(MSG_APPROVAL_SIGNED_DONE, "{id} approved and done: {summary}. Your own role signed every step.") \
	X(MSG_APPROVAL_CANCEL_NOT_ALLOWED, "Only whoever asked {id}, or a webmaster, can cancel it.") \
	X(MSG_APPROVAL_CANCELLED_OK, "{id} cancelled: {summary}.") \
	X(MSG_APPROVAL_CANCELLED, "{id} ({summary}) was cancelled by {by}: {reason}") \
	X(MSG_APPROVAL_CANCELLED_OPS, "{id} ({summary}) was cancelled by {by}.") \
	X(MSG_APPROVAL_SHOW_NOT_ALLOWED, "{id} is not about you, and you decide none of its steps.") \
	X(MSG_APPROVAL_STUCK_ROLE, "{id} has waited {hours} h for a {role} or above: {summary}. Decide it, or cancel it with !approval cancel {id} <reason>.") \
	X(MSG_APPROVAL_STUCK_PERSON, "{id} has waited {hours} h for {person}: {summary}. Remind them, or cancel it with !approval cancel {id} <reason>.") \
	X(MSG_APPROVAL_SHOW_HEAD, "{id} ({state}): {summary}, asked by {by} on {when}.") \
	X(MSG_APPROVAL_SHOW_REASON, "Reason: {reason}") \
	X(MSG_APPROVAL_SHOW_EVIDENCE, "Evidence: {evidence}") \
	X(MSG_APPROVAL_STEP_SIGNED, "Step {n}, {who}: signed by the request: {name} is {role}.") \
	X(MSG_APPROVAL_STEP_APPROVED, "Step {n}, {who}: approved by {name}{note}.") \
	X(MSG_APPROVAL_STEP_DENIED, "Step {n}, {who}: denied by {name}{note}.") \
	X(MSG_APPROVAL_STEP_WAITS, "Step {n}, {who}: waits; may decide: {names}.") \
	X(MSG_APPROVAL_STEP_LATER, "Step {n}, {who}: comes later; may decide: {names}.") \
	X(MSG_APPROVAL_STEP_NONE, "Step {n}, {who}: not reached.") \
	X(MSG_APPROVAL_STEP_ROLE, "a {role} or above") \
	X(MSG_APPROVAL_NOBODY, "nobody") \
	X(MSG_APPROVAL_STATE_OPEN, "open") \
	X(MSG_APPROVAL_STATE_APPROVED, "approved") \
	X(MSG_APPROVAL_STATE_DENIED, "denied") \
	X(MSG_APPROVAL_STATE_FAILED, "failed") \
	X(MSG_APPROVAL_STATE_CANCELLED, "cancelled") \
	X(MSG_SUM_LEAVE, "leave for {person}: {dates}") \
	X(MSG_SUM_EXCUSE, "fewer hours excused for {person} in week {week}") \
	X(MSG_SUM_SWAP, "{from} hands the {shift} shift on {date} to {to}") \
	X(MSG_SUM_SWAP_EXCHANGE, "{from} hands the {shift} shift on {date} to {to} and takes their {theirs} shift") \
	X(MSG_SUM_PROMOTION_IN, "promotion of {person} to {level} (in the promotion cycle)") \
	X(MSG_SUM_PROMOTION_OFF, "promotion of {person} to {level} (off-cycle)") \
	X(MSG_SUM_PROBATION, "permanent contract for {person} after probation") \
	X(MSG_SUM_TRAINING, "training of {person}: {hours} h, {topic}") \
	X(MSG_SUM_TRAINING_OPS, "training hours of {person}") \
	X(MSG_SUM_TALK, "internship talk of {person} with {with}") \
	X(MSG_SUM_INTERNSHIP, "early transfer of {person} from TRN to CCS") \
	X(MSG_EVID_EVALUATION, "evaluation by {person}: {note}") \
	X(MSG_EVID_SCORED, "evaluation by {person}: score {score}: {note}") \
	X(MSG_EVID_SCORED_BARE, "evaluation by {person}: score {score}") \
	X(MSG_NOTE_SCORE, "score {score}: {note}") \
	X(MSG_NOTE_SCORE_BARE, "score {score}") \
	X(MSG_EVID_OPINION, "opinion of {person}: {opinion}") \
	X(MSG_EVID_AGREES, "agrees") \
	X(MSG_EVID_INTERNSHIP, "{hours} h confirmed training, {talks} confirmed talks, real name verified") \
	X(MSG_EVID_PROBATION, "{hours} h worked, {late} late check-ins") \
	X(MSG_HOURS, "{name}, week {week}{sofar}: {hours} worked (minimum {min} h), late check-ins: {late}{warnings}; {mark}.") \
	X(MSG_HOURS_NO_MINIMUM, "{name}, week {week}{sofar}: {hours} worked, late check-ins: {late}{warnings}.") \
	X(MSG_HOURS_AUTO, " Automatic check-outs at a shift's end: {auto}.") \
	X(MSG_HOURS_OTHERS, "Only a {role} or above sees someone else's hours.") \
	X(MSG_ATTENDANCE_HEADER, "Attendance {week}{sofar} (minimum {min} h):") \
	X(MSG_ATTENDANCE_SO_FAR, " so far") \
	X(MSG_ATTENDANCE_LINE, "{name}: {hours}, late check-ins: {late}{warnings} — {mark}") \
	X(MSG_ATTENDANCE_WARNINGS, ", late-rule warnings: {warnings}") \
	X(MSG_ATTENDANCE_NOBODY, "Nobody is on shifts or has hours in that week.") \
	X(MSG_ATTENDANCE_OK, "minimum reached") \
	X(MSG_ATTENDANCE_UNDER, "under the minimum") \
	X(MSG_ATTENDANCE_EXCUSED, "under the minimum, excused") \
	X(MSG_ATTENDANCE_EXCUSED_SO_FAR, "excused for this week") \
	X(MSG_ATTENDANCE_NEEDS, "needs {need} more, {rostered} still rostered") \
	X(MSG_ATTENDANCE_OUT_OF_REACH, "cannot reach the minimum with the shifts rostered: needs {need} more, {rostered} rostered") \
	X(MSG_ATTENDANCE_NO_MINIMUM, "no weekly minimum for a {role}") \
	X(MSG_EXCUSE_REQUESTED, "Excuse {id} for {week} asked; a webmaster decides.") \
	X(MSG_WEEK_CLOSED, "Week {week} closed. Under the minimum of {min} h: {under}. Excused: {excused}.") \
	X(MSG_WEEK_CLOSED_UNDER, "Week {week} closed. Under the minimum of {min} h: {under}. Nobody was excused.") \
	X(MSG_WEEK_CLOSED_EXCUSED, "Week {week} closed. Everyone reached the minimum of {min} h except the excused: {excused}.") \
	X(MSG_WEEK_CLOSED_ALL, "Week {week} closed. Everyone reached the minimum of {min} h.") \
	X(MSG_HELP_EMERGENCY, "raise an emergency: it escalates until someone acknowledges it") \
	X(MSG_HELP_ACK, "acknowledge an emergency: stops its escalation") \
	X(MSG_HELP_RESOLVE, "close an emergency with a note") \
	X(MSG_HELP_EMERGENCIES, "the open emergencies (all: with the latest closed ones)") \
	X(MSG_HELP_CONTACTS, "someone's emergency contact card, sent privately") \
	X(MSG_HELP_CONTACTS_SET, "fill in your own emergency contact card") \
	X(MSG_HELP_PLAN, "the department's emergency plan") \
	X(MSG_HELP_PLAN_SET, "write the department's emergency plan") \
	X(MSG_HELP_TECH, "report a technical problem to the tech channel at once") \
	X(MSG_HELP_TECH_RESOLVE, "close a technical problem report") \
	X(MSG_HELP_TECH_LIST, "the unresolved technical problems") \
	X(MSG_HELP_NOTIFY, "draft a system notification; it is checked before anything is sent") \
	X(MSG_HELP_NOTIFY_CONFIRM, "send (or schedule) a checked draft") \
	X(MSG_HELP_NOTIFY_CANCEL, "cancel a draft or a scheduled notification") \
	X(MSG_HELP_NOTIFY_LIST, "drafts and scheduled notifications") \
	X(MSG_EMERGENCY_OPENED, "Emergency {id} raised: it is posted to the alerts channel, and people are paged until someone acknowledges it. I'll tell you privately who is paged and who takes it.") \
	X(MSG_EMERGENCY_ALERT, "EMERGENCY {id} from {by} ({where}): {text}") \
	X(MSG_EMERGENCY_PAGE, "EMERGENCY {id} from {by}: {text}\nAcknowledge with !ack {id}.\nEmergency plan: {plan}") \
	X(MSG_EMERGENCY_PAGE_NO_PLAN, "EMERGENCY {id} from {by}: {text}\nAcknowledge with !ack {id}.") \
	X(MSG_EMERGENCY_PAGING, "{id}: paging {step}, {who}.") \
	X(MSG_EMERGENCY_PAGED, "{id} not acknowledged after {n} {unit}: paging {step}, {who} (round {round} of {rounds}).") \
	X(MSG_EMERGENCY_NOBODY_TO_PAGE, "{id}: nobody on the escalation chain can be paged right now, so only this channel is told: {text}\nWhoever takes it, send !ack {id}.") \
	X(MSG_EMERGENCY_STILL_OPEN, "{id} is still not acknowledged after {n} {unit}, and everyone on the escalation chain was paged: {text}\nWhoever takes it, send !ack {id}.") \
	X(MSG_EMERGENCY_STEP_SHIFT_LEAD, "the shift's lead") \
	X(MSG_EMERGENCY_STEP_DUTY_MINISTER, "the minister on duty") \
	X(MSG_EMERGENCY_STEP_MINISTERS, "the ministers") \
	X(MSG_EMERGENCY_STEP_WEBMASTERS, "the webmasters") \
	X(MSG_EMERGENCY_UNIT_SECONDS, "s") \
	X(MSG_EMERGENCY_UNIT_MINUTES, "min") \
	X(MSG_EMERGENCY_UNIT_HOURS, "h") \
	X(MSG_EMERGENCY_YOURS_PAGING, "Your emergency {id}: paging {step}, {who}. I'll tell you when someone acknowledges it.") \
	X(MSG_EMERGENCY_YOURS_NOBODY, "Your emergency {id}: nobody on the escalation chain can be paged right now; only the alerts channel is told.") \
	X(MSG_EMERGENCY_YOURS_UNANSWERED, "Your emergency {id} is still not acknowledged after {n} {unit}, although everyone on the escalation chain was paged; the alerts channel keeps being reminded.") \
	X(MSG_EMERGENCY_YOURS_ACKED, "Your emergency {id} was acknowledged by {by} at {time}.") \
	X(MSG_EMERGENCY_YOURS_RESOLVED, "Your emergency {id} was resolved by {by} at {time}: {note}") \
	X(MSG_EMERGENCY_ACKED, "{id} acknowledged by {by}; the escalation stops.") \
	X(MSG_EMERGENCY_RESOLVED, "{id} resolved by {by}: {note}") \
	X(MSG_EMERGENCY_ACK_OK, "{id} acknowledged.") \
	X(MSG_EMERGENCY_RESOLVE_OK, "{id} resolved.") \
	X(MSG_EMERGENCY_NOT_FOUND, "There is no emergency {id}.") \
	X(MSG_EMERGENCY_ALREADY_ACKED, "{id} was already acknowledged by {by} at {time}.") \
	X(MSG_EMERGENCY_ALREADY_RESOLVED, "{id} was already resolved by {by}.") \
	X(MSG_EMERGENCIES_HEADER, "Emergencies:") \
	X(MSG_EMERGENCIES_LINE, "{id} {time} {by}: {text} — {state}") \
	X(MSG_EMERGENCIES_NONE, "No open emergencies.") \
	X(MSG_EMERGENCY_STATE_UNACKED, "not acknowledged yet") \
	X(MSG_EMERGENCY_STATE_PAGED, "not acknowledged yet; {who} paged at {time}") \
	X(MSG_EMERGENCY_STATE_ACKED, "acknowledged by {by} at {time}") \
	X(MSG_EMERGENCY_STATE_RESOLVED, "resolved by {by} at {time}") \
	X(MSG_CONTACT_CARD, "Emergency contact card of {name}\nphone: {phone}\naddress: {address}\nbackup contact: {backup}") \
	X(MSG_CONTACT_EMPTY, "not given") \
	X(MSG_CONTACT_CARD_NONE, "{name} has not filled in an emergency contact card yet; everyone fills in their own with !contacts set phone|address|backup <value>.") \
	X(MSG_CONTACT_SAVED, "Your contact card's {field} is saved.") \
	X(MSG_CONTACT_BAD_FIELD, "Unknown field \"{field}\"; one of: phone, address, backup.") \
	X(MSG_PLAN_SHOW, "Emergency plan:\n{plan}") \
	X(MSG_PLAN_NONE, "No emergency plan is written yet; a minister writes it with !plan set <text>.") \
	X(MSG_PLAN_SAVED, "Emergency plan saved.") \
	X(MSG_TECH_REPORT, "Technical problem {id} from {by} ({where}): {text}") \
	X(MSG_TECH_RESOLVED, "Technical problem {id} resolved by {by}: {note}") \
	X(MSG_TECH_FILED, "Technical problem {id} reported to the tech channel.") \
	X(MSG_TECH_RESOLVE_OK, "{id} resolved.") \
	X(MSG_TECH_NOT_FOUND, "There is no technical problem {id}.") \
	X(MSG_TECH_ALREADY, "{id} was already resolved by {by}.") \
	X(MSG_TECH_HEADER, "Unresolved technical problems:") \
	X(MSG_TECH_LINE, "{id} {by} ({where}): {text}") \
	X(MSG_TECH_NONE, "No unresolved technical problems.") \
	X(MSG_HANDOVER_OPEN_ITEMS, "Open emergencies: {emergencies}\nUnresolved technical problems: {tech}") \
	X(MSG_HANDOVER_OPEN_EMERGENCIES, "Open emergencies: {emergencies}") \
	X(MSG_HANDOVER_OPEN_TECH, "Unresolved technical problems: {tech}") \
	X(MSG_HANDOVER_COMPLAINTS_QUEUED, "Open complaints waiting in the queue: {list}.") \
	X(MSG_HANDOVER_COMPLAINTS_TAKEN, "Open complaints being handled: {list}.") \
	X(MSG_NOTIFY_REFUSED, "Not drafted: {count} problem(s) to fix first:") \
	X(MSG_NOTIFY_CHECK_TAG, "position {pos}: it must start with {tag}") \
	X(MSG_NOTIFY_CHECK_LENGTH, "position {pos}: longer than {max} characters ({what})") \
	X(MSG_NOTIFY_CHECK_MENTION, "position {pos}: mass or raw mention {what} is not allowed") \
	X(MSG_NOTIFY_CHECK_PLACEHOLDER, "position {pos}: unfilled placeholder {what}") \
	X(MSG_NOTIFY_CHECK_LINK, "position {pos}: links to {what} are not allowed") \
	X(MSG_NOTIFY_CHECK_BRACKET, "position {pos}: unbalanced bracket {what}") \
	X(MSG_NOTIFY_CHECK_TRAILING, "position {pos}: trailing whitespace") \
	X(MSG_NOTIFY_CHECK_DOUBLE_SPACE, "position {pos}: doubled space") \
	X(MSG_NOTIFY_CHECK_EMPTY, "position {pos}: the text is empty") \
	X(MSG_NOTIFY_DRAFT, "Draft {id} for {room} ({when}), checked:\n{text}\nSend it with !notify confirm {id}, or !notify cancel {id}.") \
	X(MSG_NOTIFY_NOW, "now") \
	X(MSG_NOTIFY_BAD_ROOM, "\"{room}\" is not a room name (or * for every room).") \
	X(MSG_NOTIFY_BAD_TIME, "\"{time}\" is not a time: write at HH:MM or at YYYY-MM-DD HH:MM.") \
	X(MSG_NOTIFY_PAST, "That time is in the past.") \
	X(MSG_NOTIFY_NOT_LEAD, "Only the lead or the minister on duty of the running shift, ministers and webmasters send system notifications.") \
	X(MSG_NOTIFY_NOT_FOUND, "There is no notification {id}.") \
	X(MSG_NOTIFY_STATE, "{id} is {state}; nothing to do.") \
	X(MSG_NOTIFY_NOT_YOURS, "{id} was drafted by {by}; only they, ministers and webmasters decide it.") \
	X(MSG_NOTIFY_SENT, "{id} sent to {room}.") \
	X(MSG_NOTIFY_SCHEDULED, "{id} scheduled for {room} at {when}.") \
	X(MSG_NOTIFY_CANCELLED, "{id} cancelled.") \
	X(MSG_NOTIFY_LIST_HEADER, "Notifications:") \
	X(MSG_NOTIFY_LIST_LINE, "{id} {state} {room}{when} by {by}: {text}") \
	X(MSG_NOTIFY_LIST_NONE, "No drafts and no scheduled notifications.") \
	X(MSG_YES, "yes") \
	X(MSG_NO, "no") \
	X(MSG_HELP_STAFF_VERIFY, "record that someone's real-name registration was checked") \
	X(MSG_HELP_LEVELS, "the levels and what each may not do yet") \
	X(MSG_HELP_PROMOTE, "ask for a promotion to the next level (a minister, then a webmaster approves)") \
	X(MSG_HELP_PROBATION_APPLY, "apply to become permanent at the end of your probation") \
	X(MSG_HELP_PROBATION_EVALUATE, "the shift lead's evaluation of a probation request") \
	X(MSG_HELP_PROBATION_CONSULT, "ask someone of another department for their opinion first") \
	X(MSG_HELP_TRAINING_LOG, "log an intern's training hours") \
	X(MSG_HELP_INTERNSHIP_TALK, "file a talk with the designated person") \
	X(MSG_HELP_INTERNSHIP_SUMMARY, "file your written internship summary") \
	X(MSG_HELP_INTERNSHIP_STATUS, "an intern's hours, talks, summary and verification") \
	X(MSG_HELP_INTERNSHIP_RECOMMEND, "recommend an intern for early transfer to CCS") \
	X(MSG_HELP_CALENDAR, "your appointments with chat friends on a day") \
	X(MSG_HELP_CALENDAR_ADD, "add an appointment; you are reminded privately before it") \
	X(MSG_HELP_CALENDAR_REMOVE, "remove an appointment") \
	X(MSG_LEVELS_HEADER, "Levels and what each may not do yet:") \
	X(MSG_LEVELS_LINE, "{level}: customer groups closed: {groups}; commands closed: {commands}") \
	X(MSG_PROMOTION_REQUESTED, "Promotion {id} of {person} to {level} asked; it waits for {who}.") \
	X(MSG_PROMOTION_NOT_AGENT, "{person} is not an agent; only agents have levels to be promoted in.") \
	X(MSG_PROMOTION_MISMATCH, "The identity of {person} is not confirmed: {fields} does not match the staff record. Nothing was asked.") \
	X(MSG_PROMOTION_SAME, "{person} already is {level}.") \
	X(MSG_PROMOTION_LOWER, "{person} is {level}; that is not a promotion.") \
	X(MSG_PROMOTION_SKIP, "{person} is {level}: a promotion goes one level up, none may be skipped.") \
	X(MSG_PROMOTION_DUPLICATE, "{id} is already open for that person.") \
	X(MSG_PROMOTION_OFF_NEEDS_REASON, "An off-cycle promotion needs its reason: reason=\"...\".") \
	X(MSG_PROMOTION_OUT_OF_CYCLE, "No promotion window is open now; the next one opens on {next}. Use cycle=off with a reason for an exception.") \
	X(MSG_PROMOTION_BAD_CYCLE, "cycle is in or off, not \"{cycle}\".") \
	X(MSG_PROMOTION_DONE_YOU, "Congratulations: {by} approved {id}, your level is now {level}.") \
	X(MSG_PROMOTION_GONE, "the person has no staff record any more") \
	X(MSG_PROMOTION_LEVEL_CHANGED, "the person's level changed since the request") \
	X(MSG_PROBATION_APPLIED, "Probation request {id} filed with your figures ({figures}); your shift lead evaluates it first.") \
	X(MSG_PROBATION_CONSULTED, "{id} now waits for the opinion of {person} first.") \
	X(MSG_PROBATION_PERMANENT, "You are permanent staff already.") \
	X(MSG_PROBATION_NONE, "Your staff record has no probation (start and length) to apply against.") \
	X(MSG_PROBATION_TOO_EARLY, "Too early: you may apply from {from}; your probation ends on {end}.") \
	X(MSG_PROBATION_DUPLICATE, "Your request {id} is already open.") \
	X(MSG_PROBATION_CONSULT_SELF, "The person on probation cannot give the opinion on it.") \
	X(MSG_PROBATION_CONSULT_NOT_NOW, "An opinion is asked for during the minister's review of {id}, by a minister.") \
	X(MSG_PROBATION_BAD_SCORE, "score=\"{score}\": give a score from 1 to 5.") \
	X(MSG_INTERN_NOT_TRN, "{person} is {level}, not an intern (TRN).") \
	X(MSG_INTERN_MISSING, "{person} cannot be recommended yet; missing: {missing} ({hours} of {need} hours, {talks} of {ntalks} talks).") \
	X(MSG_INTERN_STATUS, "{person}: training {hours} of {need} hours, talks {talks} of {ntalks}, summary: {summary}, real name verified: {verified}.") \
	X(MSG_INTERN_TALK_FILED, "Talk filed ({count} so far).") \
	X(MSG_INTERN_SUMMARY_FILED, "Internship summary filed.") \
	X(MSG_INTERN_RECOMMENDED, "{id}: {person} recommended for early transfer to CCS; a webmaster decides.") \
	X(MSG_TRAINING_LOGGED, "Training logged: {person} has {hours} hours now.") \
	X(MSG_TRAINING_OTHERS, "Only a {role} or above does this for someone else.") \
	X(MSG_TRAINING_BAD_HOURS, "\"{hours}\" is not a number of hours from 0.1 to 100.") \
	X(MSG_TRAINING_UNCONFIRMED, "Training {id} logged: {hours} hours, not counted until a vice minister or above confirms it (!approve {id}). Confirmed so far: {total} hours.") \
	X(MSG_INTERN_TALK_UNCONFIRMED, "Talk {id} with {person} filed; it counts once {person} confirms it (!approve {id}). Confirmed so far: {count}.") \
	X(MSG_INTERN_TALK_SELF, "A talk is with the designated person, not with yourself.") \
	X(MSG_INTERN_WAITING, "Waiting for confirmation: {hours} hours, {talks} talks.") \
	X(MSG_STAFF_VERIFIED, "{name}: real-name registration recorded as checked.") \
	X(MSG_CALENDAR_ADDED, "Appointment {id} on {when} added; you are reminded before it.") \
	X(MSG_CALENDAR_REMOVED, "Appointment {id} removed.") \
	X(MSG_CALENDAR_NOT_FOUND, "You have no appointment {id}.") \
	X(MSG_CALENDAR_HEADER, "Your appointments on {date}:") \
	X(MSG_CALENDAR_LINE, "{id} {time} {text}") \
	X(MSG_CALENDAR_EMPTY, "No appointments on {date}.") \
	X(MSG_CALENDAR_REMINDER, "Reminder: appointment {id} at {time}: {text}") \
	X(MSG_WHY_LIST, "write a comma list of lower-case words, e.g. billing,tech") \
	X(MSG_HELP_COMPLAIN, "complain about something on the site; an agent takes it up") \
	X(MSG_HELP_SUGGEST, "make a suggestion to the site") \
	X(MSG_HELP_RATE, "rate how your complaint was handled") \
	X(MSG_HELP_COMPLAINT_NEW, "file a complaint on a chat friend's behalf") \
	X(MSG_HELP_COMPLAINT_TAKE, "take a complaint yourself") \
	X(MSG_HELP_COMPLAINT_ASSIGN, "give a complaint to an agent") \
	X(MSG_HELP_COMPLAINT_NOTE, "add an internal note to a complaint (the friend does not see it)") \
	X(MSG_HELP_COMPLAINT_REPLY, "answer the chat friend privately (the first answer is the response the SLA counts)") \
	X(MSG_HELP_COMPLAINT_GROUP, "set a complaint's customer group (none clears it); it moves if its agent's level cannot serve it") \
	X(MSG_HELP_COMPLAINT_RESOLVE, "resolve a complaint; the friend is told and asked to rate") \
	X(MSG_HELP_COMPLAINTS, "complaints you can act on (yours, the queue you can take), or open, mine, queue, all") \
	X(MSG_HELP_TASK, "assign an agent to look after a designated chat friend") \
	X(MSG_COMPLAINT_RECEIPT, "Thank you. Your complaint {id} was received; an agent takes care of it.") \
	X(MSG_SUGGESTION_RECEIPT, "Thank you for your suggestion {id}.") \
	X(MSG_COMPLAINT_HELD, "You have sent many in the last hour. {id} is kept and goes to an agent at {time}.") \
	X(MSG_COMPLAINT_FILED_ROUTED, "{id} filed and given to {agent}.") \
	X(MSG_COMPLAINT_FILED_QUEUED, "{id} filed; nobody is free, it waits in the queue.") \
	X(MSG_COMPLAINT_ASSIGNED, "Complaint {id} ({priority}, topic {topic}, group {group}) from {friend}: {text}") \
	X(MSG_COMPLAINT_QUEUED_LEAD, "Nobody can take complaint {id} ({priority}) now; it waits in the queue: {text}") \
	X(MSG_COMPLAINT_SLA_BREACH, "Complaint {id} ({priority}) has had no response in time (agent {agent}).") \
	X(MSG_COMPLAINT_RESOLVED_FRIEND, "Your complaint {id} is resolved: {resolution}\nHow did we do? Answer with !rate {id} <1-5> [comment].") \
	X(MSG_COMPLAINT_BAD_FRIEND, "\"{friend}\" is not a chat friend's user id.") \
	X(MSG_COMPLAINT_BAD_PRIORITY, "Priority \"{priority}\": one of urgent, high, normal, low.") \
	X(MSG_COMPLAINT_BAD_GROUP, "There is no customer group \"{group}\".") \
	X(MSG_COMPLAINT_NOT_FOUND, "There is no complaint {id}.") \
	X(MSG_COMPLAINT_ALREADY_RESOLVED, "{id} is already resolved.") \
	X(MSG_COMPLAINT_LEVEL, "{id} is for the {group} group: it needs level {level} or above.") \
	X(MSG_COMPLAINT_ALREADY_THEIRS, "{id} is already with {agent}.") \
	X(MSG_COMPLAINT_TAKEN, "{id} is with {agent}; the lead or a minister reassigns it.") \
	X(MSG_COMPLAINT_NOT_YOURS, "{id} is with {agent}, not with you.") \
	X(MSG_COMPLAINT_ASSIGNED_OK, "{id} is now with {agent}.") \
	X(MSG_COMPLAINT_NOTED, "Note added to {id}.") \
	X(MSG_COMPLAINT_RESOLVED_OK, "{id} resolved; the friend is told.") \
	X(MSG_COMPLAINT_OFF_SHIFT, "{agent} is not on shift now: {id} would wait past its response time. On shift and free: {free}. To give it anyway: !complaint assign {id} {person} force") \
	X(MSG_COMPLAINT_NOBODY_FREE, "nobody") \
	X(MSG_COMPLAINT_REPLY_FRIEND, "Answer to your complaint {id}: {text}") \
	X(MSG_COMPLAINT_REPLIED, "Answer to {id} sent privately to {friend}.") \
	X(MSG_COMPLAINT_GROUP_SET, "{id} is now in the {group} group.") \
	X(MSG_COMPLAINT_GROUP_CLEARED, "{id} is no longer in a customer group.") \
	X(MSG_COMPLAINT_GROUP_UNCHANGED, "{id} is in that group already; nothing changed.") \
	X(MSG_COMPLAINT_GROUP_MOVED, "{id} is now in the {group} group; {old} cannot serve it, so it went to {agent}.") \
	X(MSG_COMPLAINT_GROUP_QUEUED, "{id} is now in the {group} group; {old} cannot serve it and nobody on shift who can is free, so it waits in the queue.") \
	X(MSG_COMPLAINT_MOVED_AWAY, "{id} is no longer yours: it is now for the {group} group, which needs level {level} or above.") \
	X(MSG_COMPLAINTS_HEADER, "Complaints:") \
	X(MSG_COMPLAINTS_LINE, "{id} {state} {priority} {agent}: {text}") \
	X(MSG_COMPLAINTS_NONE, "Nothing in this view. Others: !complaints open|mine|queue|all") \
	X(MSG_COMPLAINTS_YOURS, "Yours ({n}):") \
	X(MSG_COMPLAINTS_YOURS_NONE, "Yours: none.") \
	X(MSG_COMPLAINTS_TAKEABLE, "Queue you can take ({n}):") \
	X(MSG_COMPLAINTS_TAKEABLE_NONE, "Queue: nothing you can take.") \
	X(MSG_COMPLAINTS_VIEW_EMPTY, "You have no open complaints, and the queue has none you can take. Everything open: !complaints open; the whole queue: !complaints queue") \
	X(MSG_TASK_ASSIGNED, "Task {id}: look after {friend}: {note}") \
	X(MSG_TASK_OK, "Task {id} given to {agent}.") \
	X(MSG_RATE_OK, "Thank you for rating {id}.") \
	X(MSG_RATE_NOT_YOURS, "Only the chat friend who filed {id} rates it.") \
	X(MSG_RATE_OPEN, "{id} is not resolved yet.") \
	X(MSG_RATE_ALREADY, "{id} was already rated ({rating}).") \
	X(MSG_HELP_REPORT, "the figures of a day, week or month") \
	X(MSG_HELP_EVALUATE, "the month's best and worst agent, with the score broken down") \
	X(MSG_MONTH_BAD, "\"{month}\" is not a month: write it as 2026-03.") \
	X(MSG_REPORT, "Report {period}\n{complaints}{topics}{priorities}\nSuggestions {suggestions}, emergencies {emergencies}, technical problems {tech}\nHours worked (shifts of {period}): {hours}{week}{agents}") \
	X(MSG_REPORT_COMPLAINTS, "Complaints: {opened} filed, {resolved} resolved, {open} still open; first response median {median}, 90th percentile {p90}; SLA breaches {breaches}") \
	X(MSG_REPORT_COMPLAINTS_NO_RESPONSE, "Complaints: {opened} filed, {resolved} resolved, {open} still open; no first response yet; SLA breaches {breaches}") \
	X(MSG_REPORT_NO_COMPLAINTS, "Complaints: none filed") \
	X(MSG_REPORT_TOPICS, "\nBy topic: ") \
	X(MSG_REPORT_NO_TOPIC, "no topic {n}") \
	X(MSG_REPORT_PRIORITIES, "\nBy priority: {priorities}") \
	X(MSG_REPORT_WEEK_UNDER, "\nUnder the weekly minimum of {min} h: {under}, excused: {excused}") \
	X(MSG_REPORT_AGENTS, "\nAgents:") \
	X(MSG_REPORT_AGENT, "{name}: {handled} handled, median response: {median}, rating: {rating}") \
	X(MSG_REPORT_NO_RESPONSE, "none yet") \
	X(MSG_REPORT_NO_RATING, "none yet") \
	X(MSG_EVALUATION, "Evaluation {period}\nBest: {best}\nWorst: {worst}") \
	X(MSG_EVALUATION_NO_DATA, "Evaluation {period}: not enough data to rank anyone (no agent has hours, lateness, complaints or ratings in that month).") \
	X(MSG_EVALUATION_ONE, "Evaluation {period}\nOnly one agent has data, so there is no ranking: {line}") \
	X(MSG_EVALUATION_TIE, "Evaluation {period}\nEveryone with data ties, so there is no best or worst:\n{lines}") \
	X(MSG_EVALUATION_UNRANKED, "Not ranked (no data): {names}") \
	X(MSG_EVALUATION_LINE, "{name}: {score} (attendance {att}, lateness {lat}, complaints {com}, response {res}, ratings {rat})") \
	X(MSG_EVALUATION_SEP, "; ") \
	X(MSG_BUTTON_APPROVE, "Approve") \
	X(MSG_BUTTON_DENY, "Deny") \
	X(MSG_BUTTON_DENY_REASON, "(denied with the button)") \
	X(MSG_BUTTON_ACK, "Acknowledge")
