/*
 * curl_lib: loading libcurl on first use (see curl_lib.h for why).
 */
#include "bot/rest/curl_lib.h"
#include "bot/lib/log.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#define CURL_SONAME "libcurl.so.4"

struct curl_lib curl_lib;

int curl_lib_load(void)
{
	static void *handle;
	static const struct { const char *name; size_t off; } syms[] = {
#define SYM(field, name) { name, offsetof(struct curl_lib, field) }
		SYM(global_init, "curl_global_init"), SYM(global_cleanup, "curl_global_cleanup"),
		SYM(multi_init, "curl_multi_init"), SYM(multi_setopt, "curl_multi_setopt"),
		SYM(multi_socket_action, "curl_multi_socket_action"), SYM(multi_info_read, "curl_multi_info_read"),
		SYM(multi_assign, "curl_multi_assign"), SYM(multi_add_handle, "curl_multi_add_handle"),
		SYM(multi_remove_handle, "curl_multi_remove_handle"), SYM(multi_cleanup, "curl_multi_cleanup"),
		SYM(easy_init, "curl_easy_init"), SYM(easy_setopt, "curl_easy_setopt"),
		SYM(easy_getinfo, "curl_easy_getinfo"), SYM(easy_reset, "curl_easy_reset"),
		SYM(easy_cleanup, "curl_easy_cleanup"), SYM(easy_strerror, "curl_easy_strerror"),
		SYM(slist_append, "curl_slist_append"), SYM(slist_free_all, "curl_slist_free_all"),
#undef SYM
	};

	if (handle != NULL)
		return 0;
	/* never closed: libcurl's global state lives as long as the process */
	if ((handle = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		log_warnx("cannot load %s for the Discord and Slack connections (install libcurl4): %s",
		    CURL_SONAME, dlerror());
		return -1;
	}
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *p = dlsym(handle, syms[i].name);
		if (p == NULL) {
			log_warnx("%s has no %s", CURL_SONAME, syms[i].name);
			dlclose(handle);
			handle = NULL;
			return -1;
		}
		/* POSIX guarantees a data pointer from dlsym converts to a function pointer */
		memcpy((char *)&curl_lib + syms[i].off, &p, sizeof(p));
	}
	return 0;
}
