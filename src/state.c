/* The runtime state of an active network, as text in the run directory. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "util.h"

/*
 * The text is line based:
 *   network NAME             (the rest of the line)
 *   group N
 *   mode MODE
 *   lower DEV                (once per pool device, in order)
 *   saved-mac DEV MAC
 *   host NAME IFINDEX LOWER  (the host shim)
 *   moved-addr DEV CIDR      (an address the shim took from DEV)
 *   port NAME ifindex=N lower=DEV mac=MAC uid=U gid=G perm=OOOO static=0|1
 *        owner=TAG tap=PATH  (tap last: it takes the rest of the line)
 */

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
	free(s->saved);
	free(s->moved);
	free(s);
}

static int bad_line(struct mvn_error *err, const char *what, int line)
{
	return mvn_error_set(err, -EINVAL,
			     _("state file %1$s is damaged at line %2$d; run "
			       "'macvnet reconcile' or remove the file"),
			     what, line);
}

static bool copy_field(char *dst, size_t size, const char *src)
{
	if (strlen(src) >= size)
		return false;
	strcpy(dst, src);
	return true;
}

static int parse_port(struct mvn_state *s, char *rest)
{
	struct mvn_port_state p = { 0 };
	char *tok, *save = NULL, *tap;

	tap = strstr(rest, " tap=");
	if (!tap)
		return -1;
	*tap = '\0';
	if (!copy_field(p.tap, sizeof(p.tap), tap + 5))
		return -1;
	tok = strtok_r(rest, " ", &save);
	if (!tok || !copy_field(p.name, sizeof(p.name), tok))
		return -1;
	while ((tok = strtok_r(NULL, " ", &save))) {
		char *v = strchr(tok, '=');

		if (!v)
			return -1;
		*v++ = '\0';
		if (!strcmp(tok, "ifindex"))
			p.ifindex = atoi(v);
		else if (!strcmp(tok, "lower")) {
			if (!copy_field(p.lower, sizeof(p.lower), v))
				return -1;
		} else if (!strcmp(tok, "mac")) {
			if (!mvn_mac_parse(v, p.mac))
				return -1;
		} else if (!strcmp(tok, "uid"))
			p.uid = (unsigned int)strtoul(v, NULL, 10);
		else if (!strcmp(tok, "gid"))
			p.gid = (unsigned int)strtoul(v, NULL, 10);
		else if (!strcmp(tok, "perm"))
			p.perm = (unsigned int)strtoul(v, NULL, 8);
		else if (!strcmp(tok, "static"))
			p.is_static = !strcmp(v, "1");
		else if (!strcmp(tok, "owner")) {
			if (!copy_field(p.owner, sizeof(p.owner), v))
				return -1;
		}
	}
	if (p.ifindex <= 0 || !p.lower[0])
		return -1;
	return mvn_state_add_port(s, &p);
}

int mvn_state_parse(const char *text, const char *what, struct mvn_state **out,
		    struct mvn_error *err)
{
	struct mvn_state *s = calloc(1, sizeof(*s));
	char *copy = strdup(text), *line, *save = NULL;
	int n = 0, ret = 0;

	if (!s || !copy) {
		ret = mvn_error_set(err, -ENOMEM, _("out of memory"));
		goto cleanup;
	}
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');
		char *rest = sp ? sp + 1 : NULL;

		n++;
		if (line[0] == '#')
			continue;
		if (!rest) {
			ret = bad_line(err, what, n);
			goto cleanup;
		}
		*sp = '\0';
		if (!strcmp(line, "network")) {
			free(s->network);
			s->network = strdup(rest);
			if (!s->network)
				ret = -ENOMEM;
		} else if (!strcmp(line, "group")) {
			s->group = (uint32_t)strtoul(rest, NULL, 10);
		} else if (!strcmp(line, "mode")) {
			int m = mvn_fwd_mode_from_name(rest);

			if (m < 0 || !mvn_fwd_mode_is_macvtap(m))
				ret = -EINVAL;
			else
				s->mode = (enum mvn_fwd_mode)m;
		} else if (!strcmp(line, "lower")) {
			char **v = realloc(s->lowers,
					   (s->nlowers + 1) * sizeof(*v));

			if (!v || !(v[s->nlowers] = strdup(rest))) {
				if (v)
					s->lowers = v;
				ret = -ENOMEM;
			} else {
				s->lowers = v;
				s->nlowers++;
			}
		} else if (!strcmp(line, "saved-mac")) {
			char *mac = strchr(rest, ' ');
			unsigned char m[6];

			if (!mac || (*mac++ = '\0', !mvn_mac_parse(mac, m)))
				ret = -EINVAL;
			else
				ret = mvn_state_save_mac(s, rest, m);
		} else if (!strcmp(line, "port")) {
			ret = parse_port(s, rest);
		} else if (!strcmp(line, "host")) {
			if (sscanf(rest, "%15s %d %15s", s->host_name,
				   &s->host_ifindex, s->host_lower) != 3)
				ret = -EINVAL;
			else
				s->has_host = true;
		} else if (!strcmp(line, "moved-addr")) {
			char dev[16], cidr[64];

			if (sscanf(rest, "%15s %63s", dev, cidr) != 2)
				ret = -EINVAL;
			else
				ret = mvn_state_add_moved(s, dev, cidr);
		}
		if (ret < 0) {
			ret = ret == -ENOMEM ?
				      mvn_error_set(err, ret,
						    _("out of memory")) :
				      bad_line(err, what, n);
			goto cleanup;
		}
	}
	if (!s->network || !s->group) {
		ret = bad_line(err, what, n);
		goto cleanup;
	}
	*out = s;
	s = NULL;
cleanup:
	mvn_state_free(s);
	free(copy);
	return ret;
}

char *mvn_state_format(const struct mvn_state *s)
{
	struct mvn_buf b = { 0 };
	char mac[18];
	size_t i;

	mvn_buf_printf(&b, "# macvnet runtime state; written by macvnet\n");
	mvn_buf_printf(&b, "network %s\ngroup %u\nmode %s\n", s->network,
		       s->group, mvn_fwd_mode_name(s->mode));
	for (i = 0; i < s->nlowers; i++)
		mvn_buf_printf(&b, "lower %s\n", s->lowers[i]);
	for (i = 0; i < s->nsaved; i++) {
		mvn_mac_format(s->saved[i].mac, mac);
		mvn_buf_printf(&b, "saved-mac %s %s\n", s->saved[i].dev, mac);
	}
	if (s->has_host)
		mvn_buf_printf(&b, "host %s %d %s\n", s->host_name,
			       s->host_ifindex, s->host_lower);
	for (i = 0; i < s->nmoved; i++)
		mvn_buf_printf(&b, "moved-addr %s %s\n", s->moved[i].dev,
			       s->moved[i].cidr);
	for (i = 0; i < s->nports; i++) {
		const struct mvn_port_state *p = &s->ports[i];

		mvn_mac_format(p->mac, mac);
		mvn_buf_printf(&b,
			       "port %s ifindex=%d lower=%s mac=%s uid=%u "
			       "gid=%u perm=%04o static=%d owner=%s tap=%s\n",
			       p->name, p->ifindex, p->lower, mac, p->uid,
			       p->gid, p->perm, p->is_static ? 1 : 0,
			       p->owner[0] ? p->owner : "cli", p->tap);
	}
	return mvn_buf_steal(&b);
}

int mvn_state_add_port(struct mvn_state *s, const struct mvn_port_state *p)
{
	struct mvn_port_state *v;

	v = realloc(s->ports, (s->nports + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->ports = v;
	s->ports[s->nports++] = *p;
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

int mvn_state_save_mac(struct mvn_state *s, const char *dev,
		       const unsigned char mac[6])
{
	struct mvn_saved_mac *v;
	size_t i;

	for (i = 0; i < s->nsaved; i++)
		if (!strcmp(s->saved[i].dev, dev))
			return 0; /* the first saved MAC is the device's own */
	if (strlen(dev) >= sizeof(v->dev))
		return -EINVAL;
	v = realloc(s->saved, (s->nsaved + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->saved = v;
	strcpy(v[s->nsaved].dev, dev);
	memcpy(v[s->nsaved].mac, mac, 6);
	s->nsaved++;
	return 0;
}

void mvn_state_forget_mac(struct mvn_state *s, const char *dev)
{
	size_t i;

	for (i = 0; i < s->nsaved; i++) {
		if (strcmp(s->saved[i].dev, dev))
			continue;
		memmove(&s->saved[i], &s->saved[i + 1],
			(s->nsaved - i - 1) * sizeof(s->saved[0]));
		s->nsaved--;
		return;
	}
}

size_t mvn_state_count_lower(const struct mvn_state *s, const char *dev)
{
	size_t i, n = 0;

	for (i = 0; i < s->nports; i++)
		if (!strcmp(s->ports[i].lower, dev))
			n++;
	return n;
}

int mvn_state_add_moved(struct mvn_state *s, const char *dev, const char *cidr)
{
	struct mvn_moved_addr *v;

	if (strlen(dev) >= sizeof(v->dev) || strlen(cidr) >= sizeof(v->cidr))
		return -EINVAL;
	v = realloc(s->moved, (s->nmoved + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->moved = v;
	strcpy(v[s->nmoved].dev, dev);
	strcpy(v[s->nmoved].cidr, cidr);
	s->nmoved++;
	return 0;
}
