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
	X(MSG_INTERNAL_ERROR, "Something went wrong on my side; nothing was changed. ({error})") \
	X(MSG_DELIVERY_FAILED, "I could not deliver a message to {target}: {code}.") \
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
	X(MSG_STAFF_BAD_IDENTITY, "\"{identity}\" is not an identity: write <connection>:<user id> with a configured connection ({connections}).") \
	X(MSG_STAFF_REMOVED, "Removed {name}.") \
	X(MSG_STAFF_REMOVED_CONFIG, "Removed {name}. They are also in the config file and come back at the next restart unless removed there.") \
	X(MSG_STAFF_BAD_FIELD, "Unknown field \"{field}\"; one of: name, email, role, level, lang.") \
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
	X(MSG_BAD_COUNT, "\"{value}\" is not a number from {min} to {max}.")
