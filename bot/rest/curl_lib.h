/*
 * curl_lib: libcurl, loaded (dlopen "libcurl.so.4") when the first REST
 * connection starts instead of linked.  Linked, libcurl brings some 27
 * libraries into every dutybot (GnuTLS via librtmp, Kerberos, LDAP, SASL,
 * ...) whose relocations and constructors cost about 3 MiB of resident
 * memory, measured by bench/run.sh -- paid by the many departments that
 * only run the site connection.  Loaded, only a Discord or Slack deployment
 * pays it.
 *
 * Include this instead of <curl/curl.h>: the curl_* calls the daemon makes
 * become calls through the table, unchanged at the call sites.  Call
 * curl_lib_load() (idempotent) before any of them.
 */
#ifndef DUTYBOT_CURL_LIB_H
#define DUTYBOT_CURL_LIB_H

#define CURL_DISABLE_TYPECHECK  /* its macros would wrap the names we redirect */
#include <curl/curl.h>

struct curl_lib {
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_setopt)(CURLM *m, CURLMoption option, ...);
	CURLMcode (*multi_socket_action)(CURLM *m, curl_socket_t s, int ev_bitmask, int *running);
	CURLMsg *(*multi_info_read)(CURLM *m, int *msgs_in_queue);
	CURLMcode (*multi_assign)(CURLM *m, curl_socket_t s, void *sockp);
	CURLMcode (*multi_add_handle)(CURLM *m, CURL *e);
	CURLMcode (*multi_remove_handle)(CURLM *m, CURL *e);
	CURLMcode (*multi_cleanup)(CURLM *m);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *e, CURLoption option, ...);
	CURLcode (*easy_getinfo)(CURL *e, CURLINFO info, ...);
	void (*easy_reset)(CURL *e);
	void (*easy_cleanup)(CURL *e);
	const char *(*easy_strerror)(CURLcode code);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
};

extern struct curl_lib curl_lib;

/* 0, or -1 with the reason logged (libcurl4 not installed). */
int curl_lib_load(void);

/* curl.h defines these three as function-like macros of themselves */
#undef curl_multi_setopt
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init curl_lib.global_init
#define curl_global_cleanup curl_lib.global_cleanup
#define curl_multi_init curl_lib.multi_init
#define curl_multi_setopt curl_lib.multi_setopt
#define curl_multi_socket_action curl_lib.multi_socket_action
#define curl_multi_info_read curl_lib.multi_info_read
#define curl_multi_assign curl_lib.multi_assign
#define curl_multi_add_handle curl_lib.multi_add_handle
#define curl_multi_remove_handle curl_lib.multi_remove_handle
#define curl_multi_cleanup curl_lib.multi_cleanup
#define curl_easy_init curl_lib.easy_init
#define curl_easy_setopt curl_lib.easy_setopt
#define curl_easy_getinfo curl_lib.easy_getinfo
#define curl_easy_reset curl_lib.easy_reset
#define curl_easy_cleanup curl_lib.easy_cleanup
#define curl_easy_strerror curl_lib.easy_strerror
#define curl_slist_append curl_lib.slist_append
#define curl_slist_free_all curl_lib.slist_free_all

#endif
