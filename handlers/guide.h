/*
 * guide: the commands section of dutybot(7), from the command table.
 */
#ifndef DUTYBOT_GUIDE_H
#define DUTYBOT_GUIDE_H

#include <stdio.h>

/* The roff of every command, area by area, with PREFIX ("!") before each. */
void guide_print(FILE *f, const char *prefix);

#endif
