/* Small helpers with no dependencies: strings, a growing buffer, names. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include "i18n.h"

static bool buf_reserve(struct mvn_buf *b, size_t extra)
{
	size_t want;
	char *p;

	if (b->oom)
		return false;
	if (b->len + extra + 1 <= b->cap)
		return true;
	want = b->cap ? b->cap : 256;
	while (want < b->len + extra + 1)
		want *= 2;
	p = realloc(b->data, want);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->data = p;
	b->cap = want;
	return true;
}

void mvn_buf_add(struct mvn_buf *b, const char *s, size_t n)
{
	if (!buf_reserve(b, n))
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static __attribute__((format(printf, 2, 0))) void
buf_vprintf(struct mvn_buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0 || !buf_reserve(b, (size_t)n)) {
		b->oom = true;
		return;
	}
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void mvn_buf_printf(struct mvn_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void mvn_buf_line(struct mvn_buf *b, const char *fmt, ...)
{
	va_list ap;
	int i;

	for (i = 0; i < b->indent; i++)
		mvn_buf_add(b, " ", 1);
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void mvn_buf_escape(struct mvn_buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<':
			mvn_buf_add(b, "&lt;", 4);
			break;
		case '>':
			mvn_buf_add(b, "&gt;", 4);
			break;
		case '&':
			mvn_buf_add(b, "&amp;", 5);
			break;
		case '"':
			mvn_buf_add(b, "&quot;", 6);
			break;
		case '\'':
			mvn_buf_add(b, "&apos;", 6);
			break;
		default:
			mvn_buf_add(b, s, 1);
		}
	}
}

char *mvn_buf_steal(struct mvn_buf *b)
{
	char *s;

	if (b->oom) {
		mvn_buf_free(b);
		return NULL;
	}
	if (!b->data) {
		if (!buf_reserve(b, 0))
			return NULL;
		b->data[0] = '\0';
	}
	s = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

void mvn_buf_free(struct mvn_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->oom = false;
}

char *mvn_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

size_t mvn_hash_name(const char *s)
{
	uint64_t h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	/* Mixed so that every bit of h reaches the low ones. */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return (size_t)h;
}

bool mvn_ifname_valid(const char *name)
{
	size_t n;
	const char *p;

	if (!name)
		return false;
	n = strlen(name);
	if (n == 0 || n > 15)
		return false;
	if (name[0] == '.' && (n == 1 || (n == 2 && name[1] == '.')))
		return false;
	for (p = name; *p; p++) {
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p) ||
		    (unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	}
	return true;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

bool mvn_mac_parse(const char *s, unsigned char mac[6])
{
	int i, hi, lo;

	if (!s)
		return false;
	for (i = 0; i < 6; i++) {
		hi = hexval((unsigned char)s[0]);
		lo = hi < 0 ? -1 : hexval((unsigned char)s[1]);
		if (lo < 0)
			return false;
		mac[i] = (unsigned char)(hi << 4 | lo);
		s += 2;
		if (i < 5 && *s++ != ':')
			return false;
	}
	return *s == '\0';
}

void mvn_mac_format(const unsigned char mac[6], char out[18])
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 6; i++) {
		out[3 * i] = hex[mac[i] >> 4];
		out[3 * i + 1] = hex[mac[i] & 15];
		out[3 * i + 2] = i < 5 ? ':' : '\0';
	}
}

bool mvn_uuid_parse(const char *s, unsigned char uuid[16])
{
	int i, hi, lo;

	if (!s)
		return false;
	while (*s == ' ')
		s++;
	for (i = 0; i < 16; i++) {
		while (*s == '-')
			s++;
		hi = hexval((unsigned char)s[0]);
		lo = hi < 0 ? -1 : hexval((unsigned char)s[1]);
		if (lo < 0)
			return false;
		uuid[i] = (unsigned char)(hi << 4 | lo);
		s += 2;
	}
	while (*s == ' ')
		s++;
	return *s == '\0';
}

void mvn_uuid_format(const unsigned char u[16], char out[37])
{
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		 u[10], u[11], u[12], u[13], u[14], u[15]);
}

int mvn_uuid_generate(unsigned char uuid[16])
{
	ssize_t n = getrandom(uuid, 16, 0);

	if (n != 16)
		return n < 0 ? -errno : -EIO;
	uuid[6] = (uuid[6] & 0x0f) | 0x40;
	uuid[8] = (uuid[8] & 0x3f) | 0x80;
	return 0;
}

int mvn_file_read(const char *path, size_t max, char **out, size_t *len)
{
	struct stat st;
	char *data = NULL;
	size_t used = 0, cap;
	ssize_t n;
	int fd, ret;

	if (!strcmp(path, "-"))
		fd = dup(STDIN_FILENO);
	else
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto cleanup;
	}
	if (S_ISDIR(st.st_mode)) {
		ret = -EISDIR;
		goto cleanup;
	}
	if (S_ISREG(st.st_mode) && (size_t)st.st_size > max) {
		ret = -EFBIG;
		goto cleanup;
	}
	cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 4096;
	data = malloc(cap);
	if (!data) {
		ret = -ENOMEM;
		goto cleanup;
	}
	for (;;) {
		if (used + 1 >= cap) {
			char *p;

			if (cap > max + 1) {
				ret = -EFBIG;
				goto cleanup;
			}
			cap *= 2;
			p = realloc(data, cap);
			if (!p) {
				ret = -ENOMEM;
				goto cleanup;
			}
			data = p;
		}
		n = read(fd, data + used, cap - used - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto cleanup;
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > max) {
			ret = -EFBIG;
			goto cleanup;
		}
	}
	data[used] = '\0';
	*out = data;
	if (len)
		*len = used;
	data = NULL;
	ret = 0;
cleanup:
	free(data);
	close(fd);
	return ret;
}

int mvn_doc_read(const char *path, char **text, size_t *len,
		 struct mvn_error *err)
{
	size_t n = 0;
	int ret = mvn_file_read(path, MVN_XML_MAX_SIZE, text, &n);

	if (ret == -EFBIG)
		return mvn_error_set(err, ret,
				     _("%s: larger than 1 MiB; a network or "
				       "domain document is never that big"),
				     path);
	if (ret < 0)
		return mvn_error_set(err, ret, _("cannot read %1$s: %2$s"),
				     path, strerror(-ret));
	ret = mvn_doc_check_nul(*text, n, path, err);
	if (ret < 0) {
		free(*text);
		*text = NULL;
		return ret;
	}
	if (len)
		*len = n;
	return 0;
}

int mvn_doc_check_nul(const char *text, size_t len, const char *name,
		      struct mvn_error *err)
{
	const char *nul = memchr(text, '\0', len), *p;
	int line = 1;

	if (!nul)
		return 0;
	for (p = text; p < nul && line < INT32_MAX; p++)
		line += *p == '\n';
	return mvn_error_setl(err, -EINVAL, line,
			      _("%1$s:%2$d: byte %3$zu is a NUL byte, which "
				"XML never holds (save the document as UTF-8 "
				"text)"),
			      name, line, (size_t)(nul - text));
}

size_t mvn_utf8_char(const unsigned char *s, uint32_t *cp)
{
	unsigned char lo = 0x80, hi = 0xbf;
	uint32_t v = s[0];
	size_t len, i;

	if (s[0] < 0x80) {
		if (cp)
			*cp = v;
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	v = s[0] & (0x7f >> len);
	for (i = 1; i < len; i++) {
		if (i > 1 && (s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (cp)
		*cp = v;
	return len;
}

/* How the character of n bytes at s is shown; returns the length in out. */
static size_t shown_char(const unsigned char *s, size_t n, char out[16])
{
	/* U+0080..U+009F: C1 controls, which some terminals obey. */
	bool c1 = n == 2 && s[0] == 0xc2 && s[1] < 0xa0;

	if (n == 1 && (s[0] < 0x20 || s[0] == 0x7f)) {
		if (s[0] == '\n' || s[0] == '\t' || s[0] == '\r') {
			out[0] = '\\';
			out[1] = s[0] == '\n' ? 'n' : s[0] == '\t' ? 't' : 'r';
			return 2;
		}
		return (size_t)snprintf(out, 16, "\\x%02x", s[0]);
	}
	if (n == 0)
		return (size_t)snprintf(out, 16, "\\x%02x", s[0]);
	if (c1)
		return (size_t)snprintf(out, 16, "\\x%02x\\x%02x", s[0], s[1]);
	memcpy(out, s, n);
	return n;
}

const char *mvn_shown(const char *s, char *buf, size_t size)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t used = 0, n, k;
	char piece[16];

	if (!size)
		return buf;
	while (*p) {
		n = mvn_utf8_char(p, NULL);
		k = shown_char(p, n, piece);
		if (used + k >= size)
			break;
		memcpy(buf + used, piece, k);
		used += k;
		p += n ? n : 1;
	}
	buf[used] = '\0';
	return buf;
}

int mvn_strv_add(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] = strdup(s);
	if (!nv[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

void mvn_strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}
