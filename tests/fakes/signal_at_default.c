/*
 * An LD_PRELOAD fault for the e2e tests: the moment a program gives SIGTERM
 * back its default action, a SIGTERM is sent to it, as a service manager's
 * second SIGTERM would arrive in the worst instant of a shutdown. A program
 * that lets that instant be seen dies of it (-15); one that blocks the signal
 * across the change and then ignores it exits cleanly.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <signal.h>
#include <unistd.h>

typedef int (*sigaction_fn)(int, const struct sigaction *, struct sigaction *);

int sigaction(int signum, const struct sigaction *act, struct sigaction *oldact)
{
	static sigaction_fn real;
	int rc;

	if (real == NULL)
		real = (sigaction_fn)dlsym(RTLD_NEXT, "sigaction");
	rc = real(signum, act, oldact);
	if (rc == 0 && signum == SIGTERM && act != NULL && act->sa_handler == SIG_DFL &&
	    !(act->sa_flags & SA_SIGINFO))
		kill(getpid(), SIGTERM);
	return rc;
}
