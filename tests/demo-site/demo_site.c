/*
 * dutybot-demo-site: a stand-in for the chat site, for two audiences.  A new
 * user runs it next to dutybot and chats at the terminal as any configured
 * person ("mia> !ping"); the end-to-end tests run it with --machine, type
 * lines into its stdin (including misbehaviour: drops, close codes, rate
 * limits, malformed frames) and read one JSON event per line from stdout.
 *
 * This file is the program around the server: options, the dutybot config,
 * one libuv loop, stdin as a stream of lines (a TTY, a pipe or a file),
 * SIGINT/SIGTERM as uv signals, and the shutdown order of
 * shared/NOTES-libs.md: our handles, then the websockets, then lws.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "config/config.h"
#include "console.h"
#include "day.h"
#include "people.h"
#include "report.h"
#include "site_server.h"

#define LINE_MAX_BYTES  (4 * 1024 * 1024)       /* /raw may carry a big frame */
#define READ_CHUNK      65536
#define WEB_HOST        "127.0.0.1"     /* --web PORT: loopback only */
#define WEB_INSTALLED   "/../share/dutybot-demo-site/web"       /* from the binary's folder */

enum input_kind { INPUT_NONE, INPUT_STREAM, INPUT_FILE };

struct demo {
	uv_loop_t loop;
	uv_signal_t sigint, sigterm, sigpipe;
	uv_timer_t quit_timer;          /* runs the shutdown outside any other callback */

	enum input_kind input;
	bool input_tty, input_open;
	union {
		uv_tty_t tty;
		uv_pipe_t pipe;
	} in;
	uv_fs_t fsreq;                  /* INPUT_FILE: one read at a time */
	bool fs_busy;
	char readbuf[READ_CHUNK];
	char *line;                     /* owned: the partial line */
	size_t line_len, line_cap;
	bool line_skip;                 /* the current line was too long: drop to '\n' */

	struct config *cfg;             /* owned */
	struct people *people;          /* owned */
	struct report report;
	struct site_server *srv;        /* owned */
	struct console con;
	struct day *day;                /* --day; freed by its close */
	char *url;                      /* borrowed from cfg */

	bool quitting;
	bool bot_running;               /* --bot-running: whoever started us started dutybot too */
	int exit_code;
};

/* --- shutdown ------------------------------------------------------------------- */

static void demo_close_input(struct demo *d)
{
	if (!d->input_open)
		return;
	d->input_open = false;
	if (d->input == INPUT_STREAM) {
		uv_read_stop((uv_stream_t *)&d->in);
		uv_close((uv_handle_t *)&d->in, NULL);
	}
	/* INPUT_FILE: a read in flight finishes and starts no other. */
}

static void demo_shutdown_cb(uv_timer_t *t)
{
	struct demo *d = t->data;

	demo_close_input(d);
	uv_close((uv_handle_t *)&d->sigint, NULL);
	uv_close((uv_handle_t *)&d->sigterm, NULL);
	uv_close((uv_handle_t *)&d->sigpipe, NULL);
	uv_close((uv_handle_t *)&d->quit_timer, NULL);
	day_close(d->day);
	d->day = NULL;
	site_server_shutdown(d->srv);
}

static void demo_quit(struct demo *d, int code)
{
	if (d->quitting)
		return;
	d->quitting = true;
	d->exit_code = code;
	uv_timer_start(&d->quit_timer, demo_shutdown_cb, 0, 0);
}

static void demo_quit_cmd(void *arg)
{
	demo_quit(arg, 0);
}

static void demo_output_broken(void *arg)
{
	demo_quit(arg, 1);
}

static void demo_signal_cb(uv_signal_t *s, int signum)
{
	struct demo *d = s->data;

	if (signum == SIGPIPE)
		return;         /* a socket or stdout write fails instead; handled there */
	report_say(&d->report, "* %s: shutting down", signum == SIGINT ? "SIGINT" : "SIGTERM");
	demo_quit(d, 0);
}

/* --- stdin ------------------------------------------------------------------------- */

/*
 * End of stdin: Ctrl-D at a terminal, or (--machine) the test that drives
 * the site has gone, so quit.  A person piping a script of lines in keeps
 * the site serving until a signal.
 */
static void demo_input_eof(struct demo *d)
{
	demo_close_input(d);
	if (d->input_tty || d->report.machine) {
		report_event(&d->report, report_ev("eof"), NULL);
		demo_quit(d, 0);
		return;
	}
	report_event(&d->report, report_ev("eof"),
		     "* end of input; still serving (Ctrl-C or SIGTERM to stop)");
}

static void demo_input(struct demo *d, const char *buf, size_t len)
{
	while (len && !d->quitting) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl ? (size_t)(nl - buf) : len;

		if (!d->line_skip) {
			if (d->line_len + n + 1 > LINE_MAX_BYTES) {
				report_error(&d->report, "line longer than %d bytes ignored", LINE_MAX_BYTES);
				d->line_skip = true;
				d->line_len = 0;
			} else {
				if (d->line_len + n + 1 > d->line_cap) {
					size_t cap = d->line_cap ? d->line_cap : 1024;
					char *p;

					while (cap < d->line_len + n + 1)
						cap *= 2;
					p = realloc(d->line, cap);
					if (!p) {
						report_error(&d->report, "out of memory");
						demo_quit(d, 1);
						return;
					}
					d->line = p;
					d->line_cap = cap;
				}
				memcpy(d->line + d->line_len, buf, n);
				d->line_len += n;
			}
		}
		if (!nl)
			return;
		if (!d->line_skip) {
			d->line[d->line_len] = '\0';
			console_line(&d->con, d->line);
		}
		d->line_skip = false;
		d->line_len = 0;
		buf = nl + 1;
		len -= n + 1;
	}
}

static void demo_alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct demo *d = h->data;

	*buf = uv_buf_init(d->readbuf, sizeof(d->readbuf));
}

static void demo_read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct demo *d = s->data;

	if (n > 0)
		demo_input(d, buf->base, (size_t)n);
	else if (n == UV_EOF)
		demo_input_eof(d);
	else if (n < 0) {
		report_error(&d->report, "stdin: %s", uv_strerror((int)n));
		demo_input_eof(d);
	}
}

static void demo_fs_read_cb(uv_fs_t *req);

static void demo_fs_read(struct demo *d)
{
	uv_buf_t b = uv_buf_init(d->readbuf, sizeof(d->readbuf));

	d->fs_busy = uv_fs_read(&d->loop, &d->fsreq, 0, &b, 1, -1, demo_fs_read_cb) == 0;
	if (!d->fs_busy)
		demo_input_eof(d);
}

static void demo_fs_read_cb(uv_fs_t *req)
{
	struct demo *d = req->data;
	ssize_t n = req->result;

	uv_fs_req_cleanup(req);
	d->fs_busy = false;
	if (!d->input_open)
		return;
	if (n > 0) {
		demo_input(d, d->readbuf, (size_t)n);
		if (d->input_open)
			demo_fs_read(d);
		return;
	}
	if (n < 0)
		report_error(&d->report, "stdin: %s", uv_strerror((int)n));
	demo_input_eof(d);
}

static int demo_open_input(struct demo *d)
{
	int r = 0;

	d->fsreq.data = d;
	switch (uv_guess_handle(0)) {
	case UV_TTY:
		r = uv_tty_init(&d->loop, &d->in.tty, 0, 1);
		d->input = INPUT_STREAM;
		d->input_tty = true;
		break;
	case UV_FILE:
		d->input = INPUT_FILE;
		d->input_open = true;
		demo_fs_read(d);
		return 0;
	case UV_UNKNOWN_HANDLE:
		d->input = INPUT_NONE;  /* stdin closed: run until a signal */
		return 0;
	default:                        /* a pipe or a socket */
		r = uv_pipe_init(&d->loop, &d->in.pipe, 0);
		if (!r) {
			r = uv_pipe_open(&d->in.pipe, 0);
			if (r)
				uv_close((uv_handle_t *)&d->in.pipe, NULL);
		}
		d->input = INPUT_STREAM;
		break;
	}
	if (r) {
		d->input = INPUT_NONE;
		report_error(&d->report, "stdin: %s", uv_strerror(r));
		return -1;
	}
	d->in.pipe.data = d;
	d->input_open = true;
	return uv_read_start((uv_stream_t *)&d->in, demo_alloc_cb, demo_read_cb);
}

/* --- startup ------------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dutybot-demo-site -c CONFIG [--connection NAME] [--machine]\n"
		"                         [--heartbeat-ms N] [--max-rate N] [--first-id N] [--bot-running]\n"
		"                         [--web [ADDR:]PORT] [--web-root DIR] [--day]\n"
		"Serves the site protocol on the url of the config's site connection\n"
		"(the named one, else the first); type NAME> TEXT to chat, /help for more.\n"
		"--web: the same chat as a page for a browser (loopback unless ADDR says otherwise);\n"
		"--day: once dutybot is connected, set up a day through its commands.\n");
}

static int parse_num(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	v = strtol(s, &end, 10);
	if (*end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* "ws://HOST[:PORT][/PATH]" -> HOST (an IPv4 literal), PORT, PATH. */
static int parse_url(const char *url, char host[64], int *port, const char **path)
{
	const char *p, *slash, *colon;
	size_t hlen;
	long v = 80;
	struct in_addr a;
	char portbuf[8];

	if (strncmp(url, "ws://", 5))
		return -1;
	p = url + 5;
	slash = strchr(p, '/');
	*path = slash ? slash : "/";
	if (!slash)
		slash = p + strlen(p);
	colon = memchr(p, ':', (size_t)(slash - p));
	hlen = (size_t)((colon ? colon : slash) - p);
	if (!hlen || hlen >= 64)
		return -1;
	memcpy(host, p, hlen);
	host[hlen] = '\0';
	if (colon) {
		size_t plen = (size_t)(slash - colon - 1);

		if (!plen || plen >= sizeof(portbuf))
			return -1;
		memcpy(portbuf, colon + 1, plen);
		portbuf[plen] = '\0';
		if (parse_num(portbuf, 1, 65535, &v))
			return -1;
	}
	if (!strcmp(host, "localhost"))
		strcpy(host, "127.0.0.1");
	if (inet_pton(AF_INET, host, &a) != 1)
		return -1;
	*port = (int)v;
	return 0;
}

static const struct config_connection *pick_connection(const struct config *cfg, const char *name)
{
	if (name) {
		const struct config_connection *c = config_connection(cfg, name);

		return c && c->type == PLATFORM_SITE ? c : NULL;
	}
	for (size_t i = 0; i < cfg->n_connections; i++)
		if (cfg->connections[i].type == PLATFORM_SITE)
			return &cfg->connections[i];
	return NULL;
}

static void demo_banner(struct demo *d, const char *conn, const char *url)
{
	const struct person *p, *first = people_at(d->people, 0);
	const char *ex;
	char line[512];
	size_t n = 0;

	for (size_t i = 0; (p = people_at(d->people, i)); i++)
		if (!strcmp(p->key, "mia"))
			first = p;      /* the example of the docs, when configured */
	ex = first ? first->key : "anna";
	report_say(&d->report, "dutybot demo site: the chat site \"%s\" on %s", conn, url);
	if (d->bot_running)
		report_say(&d->report, "dutybot is running on the same config; chat here as anyone:");
	else
		report_say(&d->report, "Start dutybot with the same config (dutybot -c %s), then chat here as anyone:",
			   d->cfg->path);
	snprintf(line, sizeof(line), "%s> !ping", ex);
	report_say(&d->report, "  %-22s %s says \"!ping\" in the lobby", line,
		   first ? first->name : "Anna");
	snprintf(line, sizeof(line), "%s@ops> !help", ex);
	report_say(&d->report, "  %-22s ... in room ops", line);
	snprintf(line, sizeof(line), "%s@dm> !help", ex);
	report_say(&d->report, "  %-22s ... privately to the bot", line);
	report_say(&d->report, "  %-22s any other name is a chat friend", "anna> !complain ...");
	report_say(&d->report, "People on this site:");
	for (size_t i = 0; (p = people_at(d->people, i)); i++) {
		char item[160];

		snprintf(item, sizeof(item), "%.40s (%.100s)", p->key, p->name);
		if (n && n + strlen(item) + 2 > 76) {
			report_say(&d->report, "%s", line);
			n = 0;
		}
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%s", n ? ", " : "  ", item);
	}
	if (n)
		report_say(&d->report, "%s", line);
	if (!first)
		report_say(&d->report, "  (no staff have a \"%s:<uid>\" identity)", conn);
	report_say(&d->report, "Site commands: /help lists them (drop, close, rate limits...); /quit exits.");
	if (site_web_address(d->srv))
		report_say(&d->report, "The same chat in a browser: http://%s/", site_web_address(d->srv));
}

/* --- the page and the day ------------------------------------------------------------ */

/* A line from the page or the day: exactly what a line typed at the prompt does. */
static void demo_line(void *arg, char *line)
{
	struct demo *d = arg;

	if (!d->quitting)
		console_line(&d->con, line);
}

static void demo_on_event(void *arg, const cJSON *ev)
{
	struct demo *d = arg;

	if (d->srv)
		site_web_event(d->srv, ev);
	day_event(d->day, ev);
}

/* "ADDR:PORT" or "PORT" (loopback) -> HOST, PORT; -1 if neither. */
static int parse_web(const char *s, char host[64], int *port)
{
	const char *colon = strrchr(s, ':');
	struct in_addr a;
	long v;

	snprintf(host, 64, "%s", WEB_HOST);
	if (colon) {
		if (colon == s || (size_t)(colon - s) >= 64)
			return -1;
		snprintf(host, 64, "%.*s", (int)(colon - s), s);
		if (!strcmp(host, "localhost"))
			strcpy(host, WEB_HOST);
		s = colon + 1;
	}
	if (inet_pton(AF_INET, host, &a) != 1 || parse_num(s, 1, 65535, &v))
		return -1;
	*port = (int)v;
	return 0;
}

/*
 * The page's folder: --web-root, else where an install puts it next to the
 * binary (PREFIX/bin -> PREFIX/share/dutybot-demo-site/web), else the source
 * tree the binary was built from.  NULL if none holds index.html.
 */
static char *demo_web_root(const char *given)
{
	char exe[PATH_MAX], cand[PATH_MAX + 64], *slash, *real;
	const char *tries[3] = { given, NULL, DEMO_WEB_DIR };
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (!given && n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(cand, sizeof(cand), "%s%s", exe, WEB_INSTALLED);
			tries[1] = cand;
		}
	}
	for (size_t i = 0; i < 3; i++) {
		char index[PATH_MAX + 80];

		if (!tries[i] || (given && i))
			continue;
		snprintf(index, sizeof(index), "%s/index.html", tries[i]);
		if (access(index, R_OK) == 0 && (real = realpath(tries[i], NULL)))
			return real;
	}
	return NULL;
}

/* The page's first frame: who may be played, the rooms, the command prefix. */
static char *demo_web_hello(const struct demo *d, const struct config_connection *conn)
{
	static const char *const friends[] = { "anna", "ben", "chloe" };
	cJSON *h = report_ev("hello"), *people = cJSON_AddArrayToObject(h, "people");
	cJSON *rooms = cJSON_AddArrayToObject(h, "rooms");
	cJSON *fr = cJSON_AddArrayToObject(h, "friends");
	const struct person *p;
	char *s;

	for (size_t i = 0; (p = people_at(d->people, i)); i++) {
		const struct config_staff *st = p->staff ? config_staff_by_id(d->cfg, p->key) : NULL;
		cJSON *o;

		if (!st)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "key", p->key);
		cJSON_AddStringToObject(o, "name", p->name);
		cJSON_AddStringToObject(o, "role", config_role_name(st->role));
		cJSON_AddStringToObject(o, "level", config_level_name(st->level));
		cJSON_AddStringToObject(o, "lang", st->lang ? st->lang : d->cfg->default_lang);
		cJSON_AddItemToArray(people, o);
	}
	cJSON_AddItemToArray(rooms, cJSON_CreateString("lobby"));
	for (int k = 0; k < CHANNEL_MAX; k++) {
		bool seen = !conn->channel[k];

		for (int j = 0; j < k && !seen; j++)
			seen = conn->channel[j] && !strcmp(conn->channel[j], conn->channel[k]);
		if (!seen && strcmp(conn->channel[k], "lobby"))
			cJSON_AddItemToArray(rooms, cJSON_CreateString(conn->channel[k]));
	}
	for (size_t i = 0; i < sizeof(friends) / sizeof(friends[0]); i++)
		cJSON_AddItemToArray(fr, cJSON_CreateString(friends[i]));
	cJSON_AddStringToObject(h, "prefix", d->cfg->command_prefix);
	cJSON_AddStringToObject(h, "bot", people_self(d->people)->name);
	s = cJSON_PrintUnformatted(h);
	cJSON_Delete(h);
	return s;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "connection", required_argument, NULL, 'n' },
		{ "machine", no_argument, NULL, 'm' },
		{ "heartbeat-ms", required_argument, NULL, 'b' },
		{ "max-rate", required_argument, NULL, 'r' },
		{ "first-id", required_argument, NULL, 'f' },
		{ "bot-running", no_argument, NULL, 'B' },
		{ "web", required_argument, NULL, 'w' },
		{ "web-root", required_argument, NULL, 'W' },
		{ "day", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct demo *d;
	const char *cfg_path = NULL, *conn_name = NULL, *path;
	const struct config_connection *conn;
	long heartbeat = 30000, rate = 20, first_id = 1;
	bool machine = false, bot_running = false, day = false;
	char *errors = NULL, host[64], web_host[64], *web_root = NULL, *hello;
	const char *web_root_opt = NULL, *web_opt = NULL;
	int opt, port, rc, web_port = 0;
	struct site_options so;

	while ((opt = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': cfg_path = optarg; break;
		case 'n': conn_name = optarg; break;
		case 'm': machine = true; break;
		case 'b':
			if (parse_num(optarg, 1, 86400000, &heartbeat)) {
				fprintf(stderr, "dutybot-demo-site: --heartbeat-ms: not 1..86400000: %s\n", optarg);
				return 2;
			}
			break;
		case 'r':
			if (parse_num(optarg, 1, 1000000, &rate)) {
				fprintf(stderr, "dutybot-demo-site: --max-rate: not 1..1000000: %s\n", optarg);
				return 2;
			}
			break;
		case 'f':
			/* a real site's ids never repeat: a demo run after another one must
			 * not hand out ids the bot has already seen (it would drop them) */
			if (parse_num(optarg, 1, 4000000000000000L, &first_id)) {
				fprintf(stderr, "dutybot-demo-site: --first-id: not a positive number: %s\n", optarg);
				return 2;
			}
			break;
		case 'B': bot_running = true; break;
		case 'w':
			if (parse_web(optarg, web_host, &web_port)) {
				fprintf(stderr, "dutybot-demo-site: --web: not [IPv4-ADDRESS:]PORT: %s\n", optarg);
				return 2;
			}
			web_opt = optarg;
			break;
		case 'W': web_root_opt = optarg; break;
		case 'D': day = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!cfg_path || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (web_opt && !(web_root = demo_web_root(web_root_opt))) {
		fprintf(stderr, "dutybot-demo-site: --web: no index.html in %s\n",
			web_root_opt ? web_root_opt : "the installed or the source folder (give --web-root DIR)");
		return 2;
	}

	d = calloc(1, sizeof(*d));
	if (!d)
		return 1;
	d->bot_running = bot_running;
	d->cfg = config_load(cfg_path, &errors);
	if (!d->cfg) {
		fprintf(stderr, "%s", errors ? errors : "dutybot-demo-site: cannot load the config\n");
		if (errors && errors[0] && errors[strlen(errors) - 1] != '\n')
			fputc('\n', stderr);
		free(errors);
		free(d);
		return 1;
	}
	rc = 1;
	conn = pick_connection(d->cfg, conn_name);
	if (!conn) {
		fprintf(stderr, "%s: no connection of type site%s%s\n", cfg_path,
			conn_name ? " named " : "", conn_name ? conn_name : "");
		goto out_cfg;
	}
	if (!conn->url || parse_url(conn->url, host, &port, &path)) {
		fprintf(stderr, "%s: connection %s: the demo site serves ws://IPv4-or-localhost:PORT/PATH, not %s\n",
			cfg_path, conn->name, conn->url ? conn->url : "(no url)");
		goto out_cfg;
	}
	if (!conn->token || !*conn->token) {
		fprintf(stderr, "%s: connection %s has no token\n", cfg_path, conn->name);
		goto out_cfg;
	}
	d->people = people_new(d->cfg, conn->name);
	if (!d->people)
		goto out_cfg;

	setvbuf(stdout, NULL, _IOLBF, 0);
	uv_loop_init(&d->loop);
	d->report.machine = machine;
	d->report.echo = !machine && uv_guess_handle(0) != UV_TTY;
	d->report.on_broken = demo_output_broken;
	d->report.arg = d;
	d->report.on_event = demo_on_event;
	d->report.event_arg = d;

	so = (struct site_options){ .host = host, .port = port, .path = path, .token = conn->token,
				    .heartbeat_ms = (int)heartbeat, .max_rate = (int)rate,
				    .first_id = (unsigned long long)first_id };
	d->srv = site_server_new(&d->loop, &so, d->people, &d->report, &errors);
	if (!d->srv) {
		report_error(&d->report, "%s", errors ? errors : "cannot start");
		fprintf(stderr, "dutybot-demo-site: %s\n", errors ? errors : "cannot start");
		free(errors);
		goto out_loop;
	}
	d->con = (struct console){ .srv = d->srv, .people = d->people, .report = &d->report,
				   .quit = demo_quit_cmd, .arg = d };
	if (web_opt) {
		struct site_web_options wo = { .host = web_host, .port = web_port, .root = web_root,
					       .on_line = demo_line, .arg = d };

		wo.hello = hello = demo_web_hello(d, conn);
		if (!hello || site_web_start(d->srv, &wo, &errors)) {
			report_error(&d->report, "%s", errors ? errors : "--web: out of memory");
			fprintf(stderr, "dutybot-demo-site: %s\n", errors ? errors : "--web: out of memory");
			free(errors);
			errors = NULL;
			d->exit_code = 1;
		}
		cJSON_free(hello);
	}

	uv_timer_init(&d->loop, &d->quit_timer);
	d->quit_timer.data = d;
	uv_signal_init(&d->loop, &d->sigint);
	uv_signal_init(&d->loop, &d->sigterm);
	uv_signal_init(&d->loop, &d->sigpipe);
	d->sigint.data = d->sigterm.data = d->sigpipe.data = d;
	uv_signal_start(&d->sigint, demo_signal_cb, SIGINT);
	uv_signal_start(&d->sigterm, demo_signal_cb, SIGTERM);
	uv_signal_start(&d->sigpipe, demo_signal_cb, SIGPIPE);

	if (!d->exit_code) {
		cJSON *ev = report_ev("listening");

		cJSON_AddNumberToObject(ev, "port", site_server_port(d->srv));
		cJSON_AddStringToObject(ev, "url", conn->url);
		cJSON_AddStringToObject(ev, "connection", conn->name);
		if (site_web_address(d->srv))
			cJSON_AddStringToObject(ev, "web", site_web_address(d->srv));
		report_event(&d->report, ev, NULL);
	}
	if (d->exit_code) {
		demo_quit(d, 1);
	} else {
		if (!machine)
			demo_banner(d, conn->name, conn->url);
		if (day)
			d->day = day_new(&d->loop, d->cfg, d->people, &d->report, demo_line, d);
		if (demo_open_input(d))
			demo_quit(d, 1);
	}

	uv_run(&d->loop, UV_RUN_DEFAULT);
	rc = d->exit_code;
	site_server_free(d->srv);
out_loop:
	if (uv_loop_close(&d->loop)) {
		fprintf(stderr, "dutybot-demo-site: uv_loop_close: handles left open\n");
		rc = rc ? rc : 1;
	}
	if (d->input == INPUT_STREAM && d->input_tty)
		uv_tty_reset_mode();
	people_free(d->people);
out_cfg:
	config_free(d->cfg);
	free(web_root);
	free(d->line);
	free(d);
	return rc;
}
