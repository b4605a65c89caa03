/*
 * scripts: the Lua scripts of state/scripts/, embedded at build time, and the
 * enum by which the state layer calls them.  Adding a script = adding its
 * .lua file: the build generates the list (state_script_list.h, one row
 * SCRIPT_<NAME> per file) and the embedded text with its library prelude
 * (state/embed_scripts.cmake and state/scripts/README say how).
 */
#ifndef DUTYBOT_STATE_SCRIPTS_H
#define DUTYBOT_STATE_SCRIPTS_H

#include <stddef.h>

#include "state_script_list.h"      /* generated: #define STATE_SCRIPTS(X) */

/* Lines FROM.. of an embedded text come from FILE, from its line FILE_LINE on. */
struct state_script_line {
	unsigned from;
	const char *file;               /* "_1lib.lua", "checkin.lua" */
	unsigned file_line;
};

struct state_script_source {
	const char *name;
	const char *source;             /* the helpers it uses, then the script */
	const struct state_script_line *lines;  /* ordered by from; the first from is 1 */
	unsigned n_lines;
};

extern const struct state_script_source state_script_sources[];
extern const unsigned state_script_count;

#define STATE_SCRIPT_ENUM(id, name) id,
enum state_script { STATE_SCRIPTS(STATE_SCRIPT_ENUM) SCRIPT_MAX };
#undef STATE_SCRIPT_ENUM

/*
 * Where Redis's error ERR about script S points ("user_script:57: ...", a
 * line of the embedded text): " (at _1lib.lua:93)" into BUF, or "" when ERR
 * names no line.  Returns BUF.
 */
const char *state_script_where(const struct state_script_source *s, const char *err, char *buf, size_t n);

#endif
