/*
 * ws.h: the small pieces of RFC 6455 the bench tools need (header only):
 * growable byte buffers, frame headers, frame parsing with unmasking in
 * place, the Sec-WebSocket-Accept key, a monotonic clock and a few helpers
 * for finding fields in the daemon's JSON (whose layout we know: json_out).
 * Written for speed: no allocation per frame, no JSON parser.
 */
#ifndef BENCH_WS_H
#define BENCH_WS_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/sha.h>

#define WS_TEXT 0x1
#define WS_CONT 0x0
#define WS_CLOSE 0x8
#define WS_PING 0x9
#define WS_PONG 0xA

static inline int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- buffers ---- */

struct buf {
	unsigned char *p;
	size_t off, len, cap;   /* data is p[off .. off+len) */
};

static inline void buf_reserve(struct buf *b, size_t more)
{
	if (b->off > 0 && b->off + b->len + more > b->cap) {
		memmove(b->p, b->p + b->off, b->len);
		b->off = 0;
	}
	if (b->len + more > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;
		while (cap < b->len + more)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (b->p == NULL) {
			perror("realloc");
			exit(2);
		}
		b->cap = cap;
	}
}

static inline unsigned char *buf_tail(struct buf *b)
{
	return b->p + b->off + b->len;
}

static inline void buf_add(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	memcpy(buf_tail(b), p, n);
	b->len += n;
}

static inline void buf_consume(struct buf *b, size_t n)
{
	b->off += n;
	b->len -= n;
	if (b->len == 0)
		b->off = 0;
}

/* Writes what the socket takes; returns -1 on a hard error. */
static inline int buf_flush(struct buf *b, int fd)
{
	while (b->len > 0) {
		ssize_t n = send(fd, b->p + b->off, b->len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		buf_consume(b, (size_t)n);
	}
	return 0;
}

/* ---- frames ---- */

/* Header for a frame of LEN bytes; MASK (4 bytes) or NULL.  Returns its size. */
static inline size_t ws_header(unsigned char *h, int opcode, size_t len, const unsigned char *mask)
{
	size_t n = 0;

	h[n++] = (unsigned char)(0x80 | opcode);
	if (len < 126) {
		h[n++] = (unsigned char)len;
	} else if (len < 65536) {
		h[n++] = 126;
		h[n++] = (unsigned char)(len >> 8);
		h[n++] = (unsigned char)len;
	} else {
		h[n++] = 127;
		for (int i = 7; i >= 0; i--)
			h[n++] = (unsigned char)((uint64_t)len >> (8 * i));
	}
	if (mask != NULL) {
		h[1] |= 0x80;
		memcpy(h + n, mask, 4);
		n += 4;
	}
	return n;
}

/* An unmasked (server) text frame with payload P. */
static inline void ws_add_frame(struct buf *b, int opcode, const void *p, size_t len)
{
	unsigned char h[14];
	size_t hn = ws_header(h, opcode, len, NULL);

	buf_reserve(b, hn + len);
	memcpy(buf_tail(b), h, hn);
	memcpy(buf_tail(b) + hn, p, len);
	b->len += hn + len;
}

/* A masked (client) frame.  The mask is fixed: a benchmark, not a browser. */
static inline void ws_add_masked(struct buf *b, int opcode, const void *p, size_t len)
{
	static const unsigned char mask[4] = { 0x12, 0x34, 0x56, 0x78 };
	unsigned char h[14], *dst;
	const unsigned char *src = p;
	size_t hn = ws_header(h, opcode, len, mask);

	buf_reserve(b, hn + len);
	dst = buf_tail(b);
	memcpy(dst, h, hn);
	dst += hn;
	for (size_t i = 0; i < len; i++)
		dst[i] = src[i] ^ mask[i & 3];
	b->len += hn + len;
}

struct ws_frame {
	int opcode, fin;
	unsigned char *payload;
	size_t len;
};

/* Parses one frame at P (AVAIL bytes), unmasking in place.  Returns the
 * bytes it takes, 0 when incomplete, -1 when malformed. */
static inline long ws_parse(unsigned char *p, size_t avail, struct ws_frame *f)
{
	size_t need = 2, len;
	int masked;

	if (avail < 2)
		return 0;
	f->fin = (p[0] & 0x80) != 0;
	f->opcode = p[0] & 0x0f;
	masked = (p[1] & 0x80) != 0;
	len = p[1] & 0x7f;
	if (len == 126) {
		need += 2;
		if (avail < need)
			return 0;
		len = ((size_t)p[2] << 8) | p[3];
	} else if (len == 127) {
		need += 8;
		if (avail < need)
			return 0;
		len = 0;
		for (int i = 0; i < 8; i++)
			len = (len << 8) | p[2 + i];
		if (len > (1u << 30))
			return -1;
	}
	if (masked)
		need += 4;
	if (avail < need + len)
		return 0;
	f->payload = p + need;
	f->len = len;
	if (masked) {
		const unsigned char *m = p + need - 4;
		for (size_t i = 0; i < len; i++)
			f->payload[i] ^= m[i & 3];
	}
	return (long)(need + len);
}

/* ---- handshake ---- */

static inline void ws_accept_key(const char *key, size_t klen, char out[29])
{
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char in[128], md[20];
	int o = 0;

	if (klen > sizeof(in) - sizeof(guid))
		klen = sizeof(in) - sizeof(guid);
	memcpy(in, key, klen);
	memcpy(in + klen, guid, sizeof(guid) - 1);
	SHA1(in, klen + sizeof(guid) - 1, md);
	for (int i = 0; i < 20; i += 3) {
		uint32_t v = (uint32_t)md[i] << 16 | (i + 1 < 20 ? (uint32_t)md[i + 1] << 8 : 0) |
		    (i + 2 < 20 ? md[i + 2] : 0);
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = i + 1 < 20 ? b64[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < 20 ? b64[v & 63] : '=';
	}
	out[o] = '\0';
}

/* Value of header NAME (case-insensitive, "Name:") in an HTTP head, or NULL. */
static inline const char *http_header(const char *head, const char *name, size_t *vlen)
{
	size_t nlen = strlen(name);

	for (const char *p = head; (p = strchr(p, '\n')) != NULL;) {
		p++;
		if (strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
			const char *v = p + nlen + 1, *e;
			while (*v == ' ')
				v++;
			for (e = v; *e && *e != '\r' && *e != '\n'; e++)
				;
			*vlen = (size_t)(e - v);
			return v;
		}
	}
	return NULL;
}

/* A blocking TCP connection to 127.0.0.1:PORT without Nagle; -1 (perror'd) if refused. */
static inline int loopback_connect(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
	                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		perror("connect");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* ---- JSON fields (known layouts, no escapes in the fields we read) ---- */

/* The string value of "KEY":"..." in P[0..n), or NULL; *vlen its length. */
static inline const char *json_str(const char *p, size_t n, const char *key, size_t *vlen)
{
	char pat[64];
	int pl = snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	const char *v = memmem(p, n, pat, (size_t)pl), *e;

	if (v == NULL)
		return NULL;
	v += pl;
	for (e = v; e < p + n && *e != '"'; e++)
		if (*e == '\\')
			e++;
	if (e >= p + n)
		return NULL;
	*vlen = (size_t)(e - v);
	return v;
}

/* Appends the decimal V at D; returns the new end. */
static inline char *put_u64(char *d, uint64_t v)
{
	char t[24];
	int n = 0;

	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*d++ = t[--n];
	return d;
}

static inline char *put_str(char *d, const char *s)
{
	size_t n = strlen(s);

	memcpy(d, s, n);
	return d + n;
}

#endif
