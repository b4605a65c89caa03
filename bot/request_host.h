/*
 * request_host: the daemon's side of every request (bot/chat/chat.h's struct
 * chat_host); the dispatcher sets it on each request it makes.
 */
#ifndef DUTYBOT_REQUEST_HOST_H
#define DUTYBOT_REQUEST_HOST_H

#include "bot/chat/chat.h"

extern const struct chat_host request_host;

#endif
