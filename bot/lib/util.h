/*
 * util: the small macros every layer may use (part of bot/lib: includes
 * nothing of ours).
 */
#ifndef DUTYBOT_UTIL_H
#define DUTYBOT_UTIL_H

/* The number of elements of array A (an array, not a pointer). */
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#endif
