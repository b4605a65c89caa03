/*
 * config_sections: the sections of the config file that config.c leaves to
 * files of their own; config.c calls each once per load, in file order.
 */
#ifndef DUTYBOT_CONFIG_SECTIONS_H
#define DUTYBOT_CONFIG_SECTIONS_H

#include "config/config_reader.h"

/* config_connections.c */
void parse_connections(struct cfg_ctx *ctx, const config_setting_t *root);     /* needs default_lang */
/* config_staff.c */
void parse_staff(struct cfg_ctx *ctx, const config_setting_t *root);   /* needs the connections */
void parse_shifts(struct cfg_ctx *ctx, const config_setting_t *root);  /* needs the staff */

/* config_areas.c: the groups of the later areas. */
void parse_careers(struct cfg_ctx *ctx, const config_setting_t *root);
void parse_approvals(struct cfg_ctx *ctx, const config_setting_t *root);
void parse_complaints(struct cfg_ctx *ctx, const config_setting_t *root);
void parse_groups(struct cfg_ctx *ctx, const config_setting_t *root);

#endif
