/*
 * handlers: every command's handler, one file per area.  The command table
 * (bot/commands.c) is the only caller.
 */
#ifndef DUTYBOT_HANDLERS_H
#define DUTYBOT_HANDLERS_H

#include "bot/chat.h"

/* core.c */
void core_ping_cmd(struct request *req);
void core_whoami_cmd(struct request *req);
void core_lang_cmd(struct request *req);
/* help.c */
void help_cmd(struct request *req);
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

#endif
