/*
 * config_sections: the sections of the config file that config.c leaves to
 * files of their own; config.c calls each once per load, in file order.
 */
#ifndef DUTYBOT_CONFIG_SECTIONS_H
#define DUTYBOT_CONFIG_SECTIONS_H

#include "config/config_reader.h"

/* config_connections.c */
void cfg_read_connections(struct cfg_ctx *ctx, const config_setting_t *root);     /* needs default_lang */
/* Each Mattermost connection's button callback URL, from http.public_url. */
void cfg_actions_urls(struct cfg_ctx *ctx);
/* config_staff.c */
void cfg_read_staff(struct cfg_ctx *ctx, const config_setting_t *root);   /* needs the connections */
void cfg_read_shifts(struct cfg_ctx *ctx, const config_setting_t *root);  /* needs the staff */

/* config_areas.c: the groups of the later areas. */
void cfg_read_careers(struct cfg_ctx *ctx, const config_setting_t *root);
void cfg_read_approvals(struct cfg_ctx *ctx, const config_setting_t *root);
void cfg_read_healthcheck(struct cfg_ctx *ctx, const config_setting_t *root);
void cfg_read_complaints(struct cfg_ctx *ctx, const config_setting_t *root);
void cfg_read_groups(struct cfg_ctx *ctx, const config_setting_t *root);

#endif
