/* The runtime state of an active network, as text in the run directory. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "util.h"

/*
 * Both files are line based, "KEY VALUE", the value running to the end of
 * the line; lines starting with '#' are comments.  A state file:
 *   store ID                 the store that wrote it
 *   network NAME
 *   status active|starting|stopping
 *   group N
 *   mode MODE
 *   uuid UUID                (the network's, as started)
 *   hairpin yes|no           (its <macvnet:switch hairpin>, when stated)
 *   lower DEV                (once per pool device, in order)
 *   host NAME IFINDEX LOWER  (the host shim)
 *   moved DEV IFINDEX KIND HEX
 *                            (an address, route or rule the shim took from
 *                            DEV, ifindex IFINDEX then: KIND addr, route or
 *                            rule, HEX the kernel's message body, link.h)
 *   moved-addr DEV CIDR      (an address, as earlier versions wrote it)
 * A port file:
 *   port NAME
 *   ifindex N                (0 while it is being created)
 *   netnsid N                (only when it was moved to another namespace)
 *   lower DEV
 *   mac MAC
 *   uid U / gid G / perm OOOO / static 0|1 / owner TAG / tap PATH
 *   saved-mac MAC            (passthrough: the lower device's own MAC)
 * Unknown keys are kept out of the model but are not damage, so that a
 * newer macvnet's files can be read; a key with a bad value is damage.
 */

static const char *const status_names[] = {
	[MVN_STATE_ACTIVE] = "active",
	[MVN_STATE_STARTING] = "starting",
	[MVN_STATE_STOPPING] = "stopping",
};

const char *mvn_state_status_name(enum mvn_state_status s)
{
	return s <= MVN_STATE_STOPPING ? status_names[s] : "?";
}

/* Free what a light load kept of the endpoints it did not read whole. */
static void rest_free(struct mvn_port_names *r)
{
	free(r->name);
	free(r->lower);
	free(r->slot);
	free(r->devs);
	free(r->count);
	memset(r, 0, sizeof(*r));
}

void mvn_state_free(struct mvn_state *s)
{
	size_t i;

	if (!s)
		return;
	free(s->network);
	for (i = 0; i < s->nlowers; i++)
		free(s->lowers[i]);
	free(s->lowers);
	free(s->ports);
	rest_free(&s->rest);
	mvn_state_clear_moved(s);
	free(s);
}

static int damaged(struct mvn_error *err, const char *what, int line)
{
	return mvn_error_setl(err, -EINVAL, line,
			      _("state file %1$s is damaged at line %2$d"),
			      what, line);
}

static bool copy_field(char *dst, size_t size, const char *src)
{
	if (!*src || strlen(src) >= size)
		return false;
	strcpy(dst, src);
	return true;
}

/*
 * A number in base 8 or 10 in [min, max] (a '-' before it where min is
 * negative), nothing else on the line.  Written out rather than strtol():
 * the ports log holds several per endpoint, and replaying it is what every
 * port command costs.
 */
static bool parse_num(const char *s, int base, long min, long max, long *out)
{
	unsigned long long v = 0;
	bool neg = *s == '-';
	long x;

	if (neg)
		s++;
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned int d = (unsigned int)((unsigned char)*s - '0');

		if (d >= (unsigned int)base)
			return false;
		v = v * (unsigned int)base + d;
		if (v > 0xffffffffffULL) /* far past any max */
			return false;
	}
	x = neg ? -(long)v : (long)v;
	if (x < min || x > max)
		return false;
	*out = x;
	return true;
}

/*
 * Split text into lines and call one(key, value) for each line that is not
 * a comment; a line without a value is damage.  Returns the first error
 * with the line's number.
 */
static int each_line(const char *text, const char *what,
		     int (*one)(void *arg, const char *key, char *value),
		     void *arg, struct mvn_error *err)
{
	char *copy = strdup(text), *line, *save = NULL;
	int n = 0, ret = 0;

	if (!copy)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	for (line = strtok_r(copy, "\n", &save); line && ret == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');

		n++;
		if (line[0] == '#')
			continue;
		if (!sp || !sp[1]) {
			ret = damaged(err, what, n);
			break;
		}
		*sp = '\0';
		ret = one(arg, line, sp + 1);
		if (ret == -ENOMEM)
			ret = mvn_error_set(err, ret, _("out of memory"));
		else if (ret < 0)
			ret = damaged(err, what, n);
	}
	free(copy);
	return ret;
}

static const char *const l3_kinds[] = { "addr", "route", "rule" };

/* "DEV IFINDEX KIND HEX": one record of what the shim took. */
static int moved_line(struct mvn_state *s, char *v)
{
	char dev[16], kind[8], *hex;
	struct mvn_l3 rec;
	long ifindex;
	int k, n = 0, ret;

	if (sscanf(v, "%15s %ld %7s %n", dev, &ifindex, kind, &n) != 3 ||
	    n == 0 || ifindex < 0 || ifindex > 0x7fffffffL)
		return -EINVAL;
	hex = v + n;
	for (k = 0; k < 3 && strcmp(kind, l3_kinds[k]); k++)
		;
	if (k == 3 || mvn_l3_unhex((enum mvn_l3_kind)k, hex, &rec) < 0)
		return -EINVAL;
	ret = mvn_state_add_moved(s, dev, (int)ifindex, &rec);
	free(rec.data);
	return ret;
}

static int header_line(void *arg, const char *key, char *v)
{
	struct mvn_state *s = arg;
	long num;
	size_t i;

	if (!strcmp(key, "store")) {
		if (strlen(v) != 16 || strspn(v, "0123456789abcdef") != 16)
			return -EINVAL;
		memcpy(s->store_id, v, 17);
	} else if (!strcmp(key, "network")) {
		free(s->network);
		s->network = strdup(v);
		if (!s->network)
			return -ENOMEM;
	} else if (!strcmp(key, "status")) {
		for (i = 0; i <= MVN_STATE_STOPPING; i++)
			if (!strcmp(v, status_names[i]))
				break;
		if (i > MVN_STATE_STOPPING)
			return -EINVAL;
		s->status = (enum mvn_state_status)i;
	} else if (!strcmp(key, "group")) {
		if (!parse_num(v, 10, 1, 0xffffffffL, &num))
			return -EINVAL;
		s->group = (uint32_t)num;
	} else if (!strcmp(key, "mode")) {
		int m = mvn_fwd_mode_from_name(v);

		if (m < 0 || !mvn_fwd_mode_is_macvtap(m))
			return -EINVAL;
		s->mode = (enum mvn_fwd_mode)m;
	} else if (!strcmp(key, "uuid")) {
		if (!mvn_uuid_parse(v, s->uuid))
			return -EINVAL;
		s->has_uuid = true;
	} else if (!strcmp(key, "hairpin")) {
		if (strcmp(v, "yes") && strcmp(v, "no"))
			return -EINVAL;
		s->hairpin = v[0] == 'y' ? MVN_YES : MVN_NO;
	} else if (!strcmp(key, "lower")) {
		char **grown =
			realloc(s->lowers, (s->nlowers + 1) * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		s->lowers = grown;
		if (!mvn_ifname_valid(v))
			return -EINVAL;
		grown[s->nlowers] = strdup(v);
		if (!grown[s->nlowers])
			return -ENOMEM;
		s->nlowers++;
	} else if (!strcmp(key, "host")) {
		char name[16], lower[16], tail;

		if (sscanf(v, "%15s %ld %15s %c", name, &num, lower, &tail) !=
			    3 ||
		    num <= 0 || num > 0x7fffffffL || !mvn_ifname_valid(name) ||
		    !mvn_ifname_valid(lower))
			return -EINVAL;
		memcpy(s->host_name, name, sizeof(name));
		memcpy(s->host_lower, lower, sizeof(lower));
		s->host_ifindex = (int)num;
		s->has_host = true;
	} else if (!strcmp(key, "moved-addr")) {
		char dev[16], cidr[64], tail;
		struct mvn_addr a;
		struct mvn_l3 rec;
		int ret;

		if (sscanf(v, "%15s %63s %c", dev, cidr, &tail) != 2 ||
		    !mvn_addr_parse(cidr, &a))
			return -EINVAL;
		if (mvn_l3_from_addr(&a, 0, &rec) < 0)
			return -ENOMEM;
		ret = mvn_state_add_moved(s, dev, 0, &rec);
		free(rec.data);
		return ret;
	} else if (!strcmp(key, "moved")) {
		return moved_line(s, v);
	}
	return 0;
}

int mvn_state_parse(const char *text, const char *what, struct mvn_state **out,
		    struct mvn_error *err)
{
	struct mvn_state *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	ret = each_line(text, what, header_line, s, err);
	if (ret == 0 && (!s->network || !s->group || !s->store_id[0]))
		ret = mvn_error_set(err, -EINVAL,
				    _("state file %s is damaged: it lacks its "
				      "network, group or store"),
				    what);
	if (ret < 0) {
		mvn_state_free(s);
		return ret;
	}
	*out = s;
	return 0;
}

char *mvn_state_format(const struct mvn_state *s)
{
	struct mvn_buf b = { 0 };
	size_t i;

	mvn_buf_printf(&b, "# macvnet runtime state; written by macvnet\n");
	mvn_buf_printf(&b, "store %s\nnetwork %s\nstatus %s\ngroup %u\n",
		       s->store_id, s->network,
		       mvn_state_status_name(s->status), s->group);
	mvn_buf_printf(&b, "mode %s\n", mvn_fwd_mode_name(s->mode));
	if (s->has_uuid) {
		char uuid[37];

		mvn_uuid_format(s->uuid, uuid);
		mvn_buf_printf(&b, "uuid %s\n", uuid);
	}
	if (s->hairpin != MVN_ABSENT)
		mvn_buf_printf(&b, "hairpin %s\n",
			       s->hairpin == MVN_YES ? "yes" : "no");
	for (i = 0; i < s->nlowers; i++)
		mvn_buf_printf(&b, "lower %s\n", s->lowers[i]);
	if (s->has_host)
		mvn_buf_printf(&b, "host %s %d %s\n", s->host_name,
			       s->host_ifindex, s->host_lower);
	for (i = 0; i < s->nmoved; i++) {
		char *hex = mvn_l3_hex(&s->moved[i].rec);

		if (!hex) {
			mvn_buf_free(&b);
			return NULL;
		}
		mvn_buf_printf(&b, "moved %s %d %s %s\n", s->moved[i].dev,
			       s->moved[i].ifindex,
			       l3_kinds[s->moved[i].rec.kind], hex);
		free(hex);
	}
	return mvn_buf_steal(&b);
}

/* Whether key (klen bytes) is the word w. */
#define KEY_IS(key, klen, w) ((klen) == sizeof(w) - 1 && !memcmp(key, w, klen))

/*
 * One line of a port, its key klen bytes long: the log's replay runs this
 * for every line, so keys are told apart by length before any comparison.
 */
static int port_kv(struct mvn_port_state *p, const char *key, size_t klen,
		   const char *v)
{
	long num;

	if (KEY_IS(key, klen, "port")) {
		if (!mvn_ifname_valid(v))
			return -EINVAL;
		strcpy(p->name, v); /* valid: at most 15 bytes */
	} else if (KEY_IS(key, klen, "perm")) {
		if (!parse_num(v, 8, 0, 07777, &num))
			return -EINVAL;
		p->perm = (unsigned int)num;
	} else if (KEY_IS(key, klen, "ifindex")) {
		if (!parse_num(v, 10, 0, 0x7fffffffL, &num))
			return -EINVAL;
		p->ifindex = (int)num;
	} else if (KEY_IS(key, klen, "netnsid")) {
		if (!parse_num(v, 10, -1, 0x7fffffffL, &num))
			return -EINVAL;
		p->netnsid = (int)num;
	} else if (KEY_IS(key, klen, "lower")) {
		if (!mvn_ifname_valid(v))
			return -EINVAL;
		strcpy(p->lower, v); /* valid: at most 15 bytes */
	} else if (KEY_IS(key, klen, "mac")) {
		if (!mvn_mac_parse(v, p->mac))
			return -EINVAL;
	} else if (KEY_IS(key, klen, "saved-mac")) {
		if (!mvn_mac_parse(v, p->saved_mac))
			return -EINVAL;
		p->has_saved_mac = true;
	} else if (KEY_IS(key, klen, "static")) {
		if ((v[0] != '0' && v[0] != '1') || v[1])
			return -EINVAL;
		p->is_static = v[0] == '1';
	} else if (KEY_IS(key, klen, "uid") || KEY_IS(key, klen, "gid")) {
		if (!parse_num(v, 10, 0, 0xfffffffeL, &num))
			return -EINVAL;
		*(key[0] == 'u' ? &p->uid : &p->gid) = (unsigned int)num;
	} else if (KEY_IS(key, klen, "owner")) {
		if (!copy_field(p->owner, sizeof(p->owner), v))
			return -EINVAL;
	} else if (KEY_IS(key, klen, "tap")) {
		if (!copy_field(p->tap, sizeof(p->tap), v))
			return -EINVAL;
	}
	return 0;
}

static int port_line(void *arg, const char *key, char *v)
{
	return port_kv(arg, key, strlen(key), v);
}

int mvn_port_parse(const char *text, const char *what,
		   struct mvn_port_state *out, struct mvn_error *err)
{
	struct mvn_port_state p = { .netnsid = -1 };
	int ret;

	ret = each_line(text, what, port_line, &p, err);
	if (ret < 0)
		return ret;
	if (!p.name[0] || !p.lower[0] || !p.owner[0] ||
	    (p.ifindex && !p.tap[0]))
		return mvn_error_set(err, -EINVAL,
				     _("state file %s is damaged: it lacks the "
				       "endpoint's name, lower device, owner "
				       "or device node"),
				     what);
	*out = p;
	return 0;
}

char *mvn_port_format(const struct mvn_port_state *p)
{
	struct mvn_buf b = { 0 };
	char mac[18];

	mvn_mac_format(p->mac, mac);
	mvn_buf_printf(&b, "port %s\nifindex %d\n", p->name, p->ifindex);
	if (p->netnsid >= 0)
		mvn_buf_printf(&b, "netnsid %d\n", p->netnsid);
	mvn_buf_printf(&b, "lower %s\nmac %s\nuid %u\ngid %u\nperm %04o\n",
		       p->lower, mac, p->uid, p->gid, p->perm);
	mvn_buf_printf(&b, "static %d\nowner %s\n", p->is_static ? 1 : 0,
		       p->owner[0] ? p->owner : "cli");
	if (p->tap[0])
		mvn_buf_printf(&b, "tap %s\n", p->tap);
	if (p->has_saved_mac) {
		mvn_mac_format(p->saved_mac, mac);
		mvn_buf_printf(&b, "saved-mac %s\n", mac);
	}
	return mvn_buf_steal(&b);
}

int mvn_state_add_port(struct mvn_state *s, const struct mvn_port_state *p)
{
	struct mvn_port_state *v;
	size_t cap;

	if (s->nports >= s->portcap) {
		cap = s->portcap ? s->portcap * 2 : 8;
		v = realloc(s->ports, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->ports = v;
		s->portcap = cap;
	}
	s->ports[s->nports++] = *p;
	return 0;
}

/* Close body (the record so far, in b) with its "end LEN" line. */
static char *log_close(struct mvn_buf *b, size_t *len)
{
	size_t body = b->len;

	mvn_buf_printf(b, "end %zu\n", body);
	*len = b->len;
	return mvn_buf_steal(b);
}

char *mvn_port_log_put(const struct mvn_port_state *p, size_t *len)
{
	struct mvn_buf b = { 0 };
	char *text = mvn_port_format(p);

	if (!text)
		return NULL;
	mvn_buf_printf(&b, "%s", text);
	free(text);
	return log_close(&b, len);
}

char *mvn_port_log_drop(const char *ifname, size_t *len)
{
	struct mvn_buf b = { 0 };

	mvn_buf_printf(&b, "drop %s\n", ifname);
	return log_close(&b, len);
}

/*
 * The replay's index from port names to their place in s->ports (open
 * addressing, never emptied: a dropped port keeps its place, marked dead,
 * until the end).  It doubles when half full.
 */
struct replay {
	struct mvn_state *s;
	size_t *slot; /* place + 1; 0: empty */
	size_t mask;
	bool *dead; /* per place */
	size_t deadcap;
};

/* The slot of name: where it is, or the empty one where it would go. */
static size_t *replay_slot(const struct replay *r, const char *name)
{
	size_t i = mvn_hash_name(name) & r->mask;

	while (r->slot[i] && strcmp(r->s->ports[r->slot[i] - 1].name, name))
		i = (i + 1) & r->mask;
	return &r->slot[i];
}

/* Make room for one more name: a table twice the size, every place in it. */
static int replay_grow(struct replay *r)
{
	size_t size = (r->mask + 1) * 2, i;
	size_t *old = r->slot;

	if ((r->s->nports + 1) * 2 <= r->mask + 1)
		return 0;
	r->slot = calloc(size, sizeof(*r->slot));
	if (!r->slot) {
		r->slot = old;
		return -ENOMEM;
	}
	r->mask = size - 1;
	for (i = 0; i < r->s->nports; i++)
		*replay_slot(r, r->s->ports[i].name) = i + 1;
	free(old);
	return 0;
}

/* Put p in its place (a new one at the end), alive. */
static int replay_put(struct replay *r, const struct mvn_port_state *p)
{
	size_t *slot = replay_slot(r, p->name);
	bool *dead;

	if (*slot) {
		r->s->ports[*slot - 1] = *p;
		r->dead[*slot - 1] = false;
		return 0;
	}
	if (r->s->nports >= r->deadcap) {
		size_t cap = r->deadcap ? r->deadcap * 2 : 64;

		dead = realloc(r->dead, cap * sizeof(*dead));
		if (!dead)
			return -ENOMEM;
		r->dead = dead;
		r->deadcap = cap;
	}
	if (replay_grow(r) < 0 || mvn_state_add_port(r->s, p) < 0)
		return -ENOMEM;
	r->dead[r->s->nports - 1] = false;
	*replay_slot(r, p->name) = r->s->nports;
	return 0;
}

/*
 * Copy the len bytes at src, NUL-ended, into buf (size bytes); false when
 * they do not fit.  The log is read where it lies, one line at a time.
 */
static bool take(char *buf, size_t size, const char *src, size_t len)
{
	if (len >= size)
		return false;
	memcpy(buf, src, len);
	buf[len] = '\0';
	return true;
}

/*
 * One "KEY VALUE" line of a port record (len bytes, no newline) into p.
 * Values of the keys the model knows are shorter than 256 bytes; a longer
 * one is damage for them and left alone for any other key.
 */
static int replay_line(struct mvn_port_state *p, const char *line, size_t len)
{
	char value[256];
	size_t k;

	for (k = 0; k < len && line[k] != ' '; k++)
		;
	if (k + 1 >= len)
		return -EINVAL; /* no space, or nothing after it */
	/* Too long: "" is no valid value of any key the model knows. */
	if (!take(value, sizeof(value), line + k + 1, len - k - 1))
		value[0] = '\0';
	return port_kv(p, line, k, value);
}

/* A live port's place, and its name where the sort finds it at hand. */
struct sort_key {
	uint64_t hi, lo; /* the name's 16 bytes, NUL-padded, big-endian */
	size_t place;
};

static uint64_t big_endian(const char *b)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | (unsigned char)b[i];
	return v;
}

/* Ordered as strcmp() orders the names. */
static int compare_keys(const void *a, const void *b)
{
	const struct sort_key *x = a, *y = b;

	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/*
 * Keep the live ports only, sorted by name, in the array they are in: the
 * live ones are moved down, their names and places sorted, then each port
 * moved once along the cycles of that order (sorting the ports themselves
 * would move every one of them many times, and a second array would cost
 * as much memory again).
 */
static int replay_finish(struct replay *r)
{
	struct mvn_state *s = r->s;
	struct mvn_port_state held;
	struct sort_key *key;
	size_t i, j, k, n = 0;
	bool sorted = true;
	char name[16];

	key = malloc((s->nports ? s->nports : 1) * sizeof(*key));
	if (!key)
		return -ENOMEM;
	for (i = 0; i < s->nports; i++) {
		if (r->dead[i])
			continue;
		if (n != i)
			s->ports[n] = s->ports[i];
		memset(name, 0, sizeof(name));
		strcpy(name, s->ports[n].name);
		key[n].hi = big_endian(name);
		key[n].lo = big_endian(name + 8);
		key[n].place = n;
		if (n && compare_keys(&key[n - 1], &key[n]) > 0)
			sorted = false;
		n++;
	}
	if (!sorted)
		qsort(key, n, sizeof(*key), compare_keys);
	/* Place i takes the port at key[i].place; SIZE_MAX marks it done. */
	for (i = 0; i < n && !sorted; i++) {
		if (key[i].place == SIZE_MAX || key[i].place == i)
			continue;
		held = s->ports[i];
		for (j = i; key[j].place != i; j = k) {
			k = key[j].place;
			s->ports[j] = s->ports[k];
			key[j].place = SIZE_MAX;
		}
		s->ports[j] = held;
		key[j].place = SIZE_MAX;
	}
	free(key);
	s->nports = n;
	return 0;
}

/* Records end at a line "end LEN" (len bytes) whose LEN is the bytes before it. */
static bool record_end(const char *line, size_t len, size_t body)
{
	char num[24];
	long v;

	return len > 4 && !memcmp(line, "end ", 4) &&
	       take(num, sizeof(num), line + 4, len - 4) &&
	       parse_num(num, 10, 0, 0x7fffffffL, &v) && (size_t)v == body;
}

/* What the record being read is, from its lines so far. */
enum record_kind { REC_NONE, REC_PORT, REC_DROP, REC_BAD };

/* The record being read: its kind, its port or dropped name, or its flaw. */
struct record {
	enum record_kind kind;
	int first; /* its first line */
	int bad; /* REC_BAD: the line to name */
	struct mvn_port_state p;
	char drop[16];
};

/* Read one line (len bytes at line, line n of the file) of record c. */
static void record_line(struct record *c, const char *line, size_t len, int n)
{
	if (c->kind == REC_NONE && len > 5 && !memcmp(line, "drop ", 5)) {
		c->kind = REC_DROP;
		if (!take(c->drop, sizeof(c->drop), line + 5, len - 5) ||
		    !mvn_ifname_valid(c->drop))
			c->kind = REC_BAD, c->bad = n;
		return;
	}
	if (c->kind == REC_NONE) {
		c->kind = REC_PORT;
		if (len < 5 || memcmp(line, "port ", 5)) {
			c->kind = REC_BAD, c->bad = n;
			return;
		}
	} else if (c->kind == REC_DROP) {
		/* A drop is one line. */
		c->kind = REC_BAD, c->bad = c->first;
		return;
	}
	if (c->kind == REC_PORT && replay_line(&c->p, line, len) < 0)
		c->kind = REC_BAD, c->bad = n;
}

/* Apply record c, whole, to the replay. */
static int record_apply(struct replay *r, struct record *c, const char *what,
			struct mvn_error *err)
{
	const struct mvn_port_state *p = &c->p;
	size_t *slot;

	if (c->kind == REC_BAD)
		return damaged(err, what, c->bad);
	if (c->kind == REC_DROP) {
		slot = replay_slot(r, c->drop);
		if (*slot)
			r->dead[*slot - 1] = true;
		return 0;
	}
	if (!p->name[0] || !p->lower[0] || !p->owner[0] ||
	    (p->ifindex && !p->tap[0]))
		return damaged(err, what, c->first);
	if (replay_put(r, p) < 0)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	return 0;
}

int mvn_port_log_replay(struct mvn_state *s, const char *text, size_t len,
			const char *what, struct mvn_error *err)
{
	static const struct mvn_port_state blank = { .netnsid = -1 };
	struct replay r = { .s = s, .mask = 255 };
	struct record c = { .kind = REC_NONE, .first = 1, .p = blank };
	const char *line, *nl, *body = text, *stop = text + len, *nul;
	size_t good = 0, records = 0;
	int n = 1, ret = 0;

	r.slot = calloc(r.mask + 1, sizeof(*r.slot));
	if (!r.slot)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	/* A NUL byte is damage on its line, if that line is read. */
	nul = memchr(text, '\0', len);
	for (line = text;
	     ret == 0 && (nl = memchr(line, '\n', (size_t)(stop - line)));
	     line = nl + 1, n++) {
		size_t ll = (size_t)(nl - line);

		if (nul && nul < nl)
			ret = damaged(err, what, n);
		else if (ll < 4 || memcmp(line, "end ", 4))
			record_line(&c, line, ll, n);
		else if (!record_end(line, ll, (size_t)(line - body)) ||
			 line == body)
			ret = damaged(err, what, n);
		else {
			ret = record_apply(&r, &c, what, err);
			good = (size_t)(nl + 1 - text);
			records++;
			body = nl + 1;
			c.kind = REC_NONE;
			c.first = n + 1;
			c.p = blank;
		}
	}
	/*
	 * What follows the last whole record is one cut short (left out),
	 * unless it does not even start as a record does.
	 */
	if (ret == 0 && good < len &&
	    strncmp(text + good, "port ", len - good < 5 ? len - good : 5) &&
	    strncmp(text + good, "drop ", len - good < 5 ? len - good : 5))
		ret = damaged(err, what, c.first);
	if (ret == 0 && replay_finish(&r) < 0)
		ret = mvn_error_set(err, -ENOMEM, _("out of memory"));
	if (ret == 0) {
		s->log_len = good;
		s->log_records = records;
	}
	free(r.slot);
	free(r.dead);
	return ret;
}

/*
 * A light replay's names that are not read whole: places in the order
 * they come, a dropped one marked dead, and a hash of the names (place
 * + 1) that doubles when half full.
 */
struct scan {
	char (*name)[16];
	unsigned short *lower; /* index into devs */
	bool *dead;
	size_t n, cap;
	size_t *slot, mask;
	char (*devs)[16];
	size_t ndevs;
};

static size_t *scan_slot(const struct scan *sc, const char *name)
{
	size_t i = mvn_hash_name(name) & sc->mask;

	while (sc->slot[i] && strcmp(sc->name[sc->slot[i] - 1], name))
		i = (i + 1) & sc->mask;
	return &sc->slot[i];
}

/* Room for one more place, in the arrays and in the hash. */
static int scan_room(struct scan *sc)
{
	size_t i;

	if (sc->n == sc->cap) {
		size_t cap = sc->cap ? sc->cap * 2 : 256;
		char(*name)[16] = realloc(sc->name, cap * sizeof(*name));
		unsigned short *lower;
		bool *dead;

		if (name)
			sc->name = name;
		lower = name ? realloc(sc->lower, cap * sizeof(*lower)) : NULL;
		if (lower)
			sc->lower = lower;
		dead = lower ? realloc(sc->dead, cap * sizeof(*dead)) : NULL;
		if (!dead)
			return -ENOMEM;
		sc->dead = dead;
		sc->cap = cap;
	}
	if ((sc->n + 1) * 2 > sc->mask + 1) {
		size_t size = sc->mask ? (sc->mask + 1) * 2 : 512;
		size_t *slot = calloc(size, sizeof(*slot));

		if (!slot)
			return -ENOMEM;
		free(sc->slot);
		sc->slot = slot;
		sc->mask = size - 1;
		for (i = 0; i < sc->n; i++)
			*scan_slot(sc, sc->name[i]) = i + 1;
	}
	return 0;
}

/* The index of device dev among the scan's, added if new. */
static int scan_dev(struct scan *sc, const char *dev)
{
	char(*devs)[16];
	size_t i;

	for (i = 0; i < sc->ndevs; i++)
		if (!strcmp(sc->devs[i], dev))
			return (int)i;
	if (sc->ndevs == 0xffff)
		return -ENOSPC;
	devs = realloc(sc->devs, (sc->ndevs + 1) * sizeof(*devs));
	if (!devs)
		return -ENOMEM;
	sc->devs = devs;
	strcpy(devs[sc->ndevs], dev); /* valid: at most 15 bytes */
	return (int)sc->ndevs++;
}

/* name is live on dev (a later record replaces an earlier one). */
static int scan_put(struct scan *sc, const char *name, const char *dev)
{
	int d = scan_dev(sc, dev);
	size_t *slot;

	if (d < 0 || scan_room(sc) < 0)
		return -ENOMEM;
	slot = scan_slot(sc, name);
	if (!*slot) {
		memset(sc->name[sc->n], 0, 16);
		strcpy(sc->name[sc->n], name); /* valid: at most 15 bytes */
		*slot = ++sc->n;
	}
	sc->lower[*slot - 1] = (unsigned short)d;
	sc->dead[*slot - 1] = false;
	return 0;
}

static void scan_drop(struct scan *sc, const char *name)
{
	size_t *slot;

	if (!sc->slot)
		return;
	slot = scan_slot(sc, name);
	if (*slot)
		sc->dead[*slot - 1] = true;
}

/* The live names of sc into r, hashed for look-ups, with counts per device. */
static int scan_finish(struct scan *sc, struct mvn_port_names *r)
{
	size_t i, k = 0, size = 64;

	while (size < sc->n * 2)
		size *= 2;
	r->name = malloc((sc->n ? sc->n : 1) * sizeof(*r->name));
	r->lower = malloc((sc->n ? sc->n : 1) * sizeof(*r->lower));
	r->slot = calloc(size, sizeof(*r->slot));
	r->count = calloc(sc->ndevs + 1, sizeof(*r->count));
	if (!r->name || !r->lower || !r->slot || !r->count)
		return -ENOMEM;
	r->mask = size - 1;
	for (i = 0; i < sc->n; i++) {
		size_t j;

		if (sc->dead[i])
			continue;
		memcpy(r->name[k], sc->name[i], 16);
		r->lower[k] = sc->lower[i];
		r->count[sc->lower[i]]++;
		for (j = mvn_hash_name(r->name[k]) & r->mask; r->slot[j];
		     j = (j + 1) & r->mask)
			;
		r->slot[j] = ++k;
	}
	r->n = k;
	r->devs = sc->devs;
	r->ndevs = sc->ndevs;
	sc->devs = NULL;
	return 0;
}

static void scan_free(struct scan *sc)
{
	free(sc->name);
	free(sc->lower);
	free(sc->dead);
	free(sc->slot);
	free(sc->devs);
}

/* Whether name is one of the n in want. */
static bool wanted(const char *const *want, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(want[i], name))
			return true;
	return false;
}

/* What a light replay saw of a record's lines while it looked for its end. */
struct seen {
	const char *end; /* its "end" line */
	const char *lower; /* the value of its first "lower" line, or NULL */
	size_t lowerlen;
	bool two_ports; /* a "port" line after the first */
};

/*
 * One whole record, from body to its "end" line, into the light replay;
 * false when it is not plainly one macvnet writes.
 */
static bool scan_record(struct replay *r, struct scan *sc,
			const char *const *want, size_t nwant, const char *body,
			const struct seen *w)
{
	const char *l1 = memchr(body, '\n', (size_t)(w->end - body));
	struct record c = { .kind = REC_NONE, .p = { .netnsid = -1 } };
	const char *line, *nl;
	char name[16], lower[16];
	size_t *slot;

	if (!l1 || l1 - body < 6 ||
	    !take(name, sizeof(name), body + 5, (size_t)(l1 - body - 5)) ||
	    !mvn_ifname_valid(name))
		return false;
	if (!memcmp(body, "drop ", 5)) {
		if (l1 + 1 != w->end)
			return false;
		if (wanted(want, nwant, name)) {
			slot = replay_slot(r, name);
			if (*slot)
				r->dead[*slot - 1] = true;
		} else {
			scan_drop(sc, name);
		}
		return true;
	}
	if (memcmp(body, "port ", 5) || w->two_ports)
		return false;
	if (!wanted(want, nwant, name))
		return w->lower &&
		       take(lower, sizeof(lower), w->lower, w->lowerlen) &&
		       mvn_ifname_valid(lower) &&
		       scan_put(sc, name, lower) == 0;
	for (line = body; line < w->end; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(w->end - line));
		record_line(&c, line, (size_t)(nl - line), 1);
	}
	return record_apply(r, &c, "", NULL) == 0;
}

/*
 * The lines after a record's first (which ends at nl), up to its "end"
 * line, into *w; false when the text ends first (a record cut short).
 */
static bool scan_lines(const char *nl, const char *stop, struct seen *w)
{
	const char *line;
	size_t ll;

	memset(w, 0, sizeof(*w));
	for (line = nl + 1; line < stop; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(stop - line));
		if (!nl)
			return false;
		ll = (size_t)(nl - line);
		if (line[0] == 'e' && ll >= 4 && !memcmp(line, "end ", 4)) {
			w->end = line;
			return true;
		}
		if (line[0] == 'l' && !w->lower && ll > 6 &&
		    !memcmp(line, "lower ", 6)) {
			w->lower = line + 6;
			w->lowerlen = ll - 6;
		}
		if (line[0] == 'p' && ll >= 5 && !memcmp(line, "port ", 5))
			w->two_ports = true;
	}
	return false;
}

int mvn_port_log_scan(struct mvn_state *s, const char *text, size_t len,
		      const char *const *want, size_t n, const char *what,
		      struct mvn_error *err)
{
	struct replay r = { .s = s, .mask = 255 };
	struct scan sc = { 0 };
	const char *pos = text, *stop = text + len, *nl, *enl;
	size_t good = 0, records = 0;
	bool plain = !memchr(text, '\0', len);
	struct seen w;

	r.slot = calloc(r.mask + 1, sizeof(*r.slot));
	if (!r.slot)
		plain = false;
	while (plain && pos < stop) {
		if (stop - pos >= 4 && !memcmp(pos, "end ", 4)) {
			plain = false; /* an empty record */
			break;
		}
		nl = memchr(pos, '\n', (size_t)(stop - pos));
		if (!nl || !scan_lines(nl, stop, &w))
			break; /* the last record, cut short */
		enl = memchr(w.end, '\n', (size_t)(stop - w.end));
		if (!record_end(w.end, (size_t)(enl - w.end),
				(size_t)(w.end - pos)) ||
		    !scan_record(&r, &sc, want, n, pos, &w)) {
			plain = false;
			break;
		}
		records++;
		pos = enl + 1;
		good = (size_t)(pos - text);
	}
	if (plain && good < len &&
	    strncmp(text + good, "port ", len - good < 5 ? len - good : 5) &&
	    strncmp(text + good, "drop ", len - good < 5 ? len - good : 5))
		plain = false;
	if (plain && (replay_finish(&r) < 0 || scan_finish(&sc, &s->rest) < 0))
		plain = false;
	free(r.slot);
	free(r.dead);
	scan_free(&sc);
	if (!plain) {
		/* Not plain: the full replay judges it, as always. */
		rest_free(&s->rest);
		s->nports = 0;
		return mvn_port_log_replay(s, text, len, what, err);
	}
	s->light = true;
	s->log_len = good;
	s->log_records = records;
	return 0;
}

void mvn_state_remove_port(struct mvn_state *s, size_t i)
{
	if (i >= s->nports)
		return;
	memmove(&s->ports[i], &s->ports[i + 1],
		(s->nports - i - 1) * sizeof(s->ports[0]));
	s->nports--;
}

int mvn_state_find_port(const struct mvn_state *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nports; i++)
		if (!strcmp(s->ports[i].name, name))
			return (int)i;
	return -1;
}

/* The place of name in a light load's rest, or -1. */
static long rest_find(const struct mvn_port_names *r, const char *name)
{
	size_t i;

	if (!r->slot)
		return -1;
	for (i = mvn_hash_name(name) & r->mask; r->slot[i];
	     i = (i + 1) & r->mask)
		if (!strcmp(r->name[r->slot[i] - 1], name))
			return (long)(r->slot[i] - 1);
	return -1;
}

bool mvn_state_has_port(const struct mvn_state *s, const char *name)
{
	return mvn_state_find_port(s, name) >= 0 ||
	       rest_find(&s->rest, name) >= 0;
}

size_t mvn_state_count_lower(const struct mvn_state *s, const char *dev)
{
	size_t i, n = 0;

	for (i = 0; i < s->nports; i++)
		if (!strcmp(s->ports[i].lower, dev))
			n++;
	for (i = 0; i < s->rest.ndevs; i++)
		if (!strcmp(s->rest.devs[i], dev))
			n += s->rest.count[i];
	return n;
}

size_t mvn_state_live(const struct mvn_state *s)
{
	return s->nports + s->rest.n;
}

int mvn_state_add_moved(struct mvn_state *s, const char *dev, int ifindex,
			const struct mvn_l3 *rec)
{
	struct mvn_moved *v;
	unsigned char *copy;

	if (!mvn_ifname_valid(dev))
		return -EINVAL;
	v = realloc(s->moved, (s->nmoved + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->moved = v;
	copy = malloc(rec->len);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, rec->data, rec->len);
	strcpy(v[s->nmoved].dev, dev);
	v[s->nmoved].ifindex = ifindex;
	v[s->nmoved].rec = *rec;
	v[s->nmoved].rec.data = copy;
	s->nmoved++;
	return 0;
}

void mvn_state_clear_moved(struct mvn_state *s)
{
	size_t i;

	for (i = 0; i < s->nmoved; i++)
		free(s->moved[i].rec.data);
	free(s->moved);
	s->moved = NULL;
	s->nmoved = 0;
}
