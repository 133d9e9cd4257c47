/*
 * tapio: send frames from one macvtap character device and tell whether
 * they arrive on another, for the kernel tests.
 *
 *   tapio FROM TO FROM_MAC TO_MAC
 *
 * writes one unicast frame (to TO_MAC) and one broadcast frame from FROM,
 * each with a random tag, then reads TO for up to 500 ms and prints
 * "unicast delivered|dropped" and "broadcast delivered|dropped".  Frames
 * carry the 10-byte virtio-net header the devices are opened with.
 *
 *   tapio -l TAP MS
 *
 * counts the frames of tapio's own ethertype (sent by -b) that arrive on
 * TAP within MS milliseconds; other traffic (neighbour discovery and the
 * like) is not counted.
 *
 *   tapio -b IFNAME
 *
 * sends a broadcast frame out of the host interface IFNAME (packet socket),
 * as the host itself would.
 *
 *   tapio -a TAP SRC_MAC SRC_IP DST_IP MS [DST_MAC]
 *
 * writes an ARP request for DST_IP from TAP (broadcast, or unicast to
 * DST_MAC when given) and prints "reply" if an ARP reply from DST_IP to
 * SRC_IP comes back on TAP within MS milliseconds, else "none".
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "util.h"

#define VNET_HDR 10
#define ETHERTYPE 0x88b5 /* IEEE local experimental */
#define ETH_ARP 0x0806
#define ARP_LEN 28 /* Ethernet and IPv4: 8 bytes of header, 2 pairs */

static int frame(unsigned char *buf, const unsigned char dst[6],
		 const unsigned char src[6], const unsigned char tag[8])
{
	memset(buf, 0, VNET_HDR);
	memcpy(buf + VNET_HDR, dst, 6);
	memcpy(buf + VNET_HDR + 6, src, 6);
	buf[VNET_HDR + 12] = ETHERTYPE >> 8;
	buf[VNET_HDR + 13] = ETHERTYPE & 0xff;
	memset(buf + VNET_HDR + 14, 0, 46);
	memcpy(buf + VNET_HDR + 14, tag, 8);
	return VNET_HDR + 60;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int broadcast_from(const char *ifname)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	unsigned char buf[128], tag[8] = { 0 };
	unsigned char bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	unsigned char src[6] = { 0x52, 0x54, 0x00, 0xff, 0xff, 0xfe };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0), len;

	sll.sll_ifindex = (int)if_nametoindex(ifname);
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, bcast, 6);
	if (fd < 0 || !sll.sll_ifindex) {
		fprintf(stderr, "tapio: cannot send on %s: %s\n", ifname,
			strerror(errno));
		return 1;
	}
	len = frame(buf, bcast, src, tag) - VNET_HDR;
	if (sendto(fd, buf + VNET_HDR, (size_t)len, 0, (struct sockaddr *)&sll,
		   sizeof(sll)) != len) {
		fprintf(stderr, "tapio: send: %s\n", strerror(errno));
		return 1;
	}
	close(fd);
	return 0;
}

static int listen_for(const char *path, long ms)
{
	unsigned char buf[2048];
	long deadline = now_ms() + ms;
	int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC), n = 0;

	if (fd < 0) {
		fprintf(stderr, "tapio: cannot open %s: %s\n", path,
			strerror(errno));
		return 1;
	}
	while (now_ms() < deadline) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, (int)(deadline - now_ms())) <= 0)
			continue;
		ssize_t len;

		while ((len = read(fd, buf, sizeof(buf))) > 0)
			if (len >= VNET_HDR + 14 &&
			    buf[VNET_HDR + 12] == (ETHERTYPE >> 8) &&
			    buf[VNET_HDR + 13] == (ETHERTYPE & 0xff))
				n++;
	}
	printf("%d\n", n);
	close(fd);
	return 0;
}

/* An ARP request from sha/spa for tpa, to dst; the frame's length. */
static int arp_request(unsigned char *buf, const unsigned char dst[6],
		       const unsigned char sha[6], const unsigned char spa[4],
		       const unsigned char tpa[4])
{
	static const unsigned char head[8] = { 0, 1, 8, 0, 6, 4, 0, 1 };
	unsigned char *a = buf + VNET_HDR + 14;

	memset(buf, 0, VNET_HDR + 60);
	memcpy(buf + VNET_HDR, dst, 6);
	memcpy(buf + VNET_HDR + 6, sha, 6);
	buf[VNET_HDR + 12] = ETH_ARP >> 8;
	buf[VNET_HDR + 13] = ETH_ARP & 0xff;
	memcpy(a, head, 8);
	memcpy(a + 8, sha, 6);
	memcpy(a + 14, spa, 4);
	memcpy(a + 24, tpa, 4);
	return VNET_HDR + 60;
}

/* Whether buf (len bytes read from a tap) is tpa's ARP reply to spa. */
static bool is_reply(const unsigned char *buf, ssize_t len,
		     const unsigned char spa[4], const unsigned char tpa[4])
{
	const unsigned char *a = buf + VNET_HDR + 14;

	return len >= VNET_HDR + 14 + ARP_LEN &&
	       buf[VNET_HDR + 12] == (ETH_ARP >> 8) &&
	       buf[VNET_HDR + 13] == (ETH_ARP & 0xff) && a[6] == 0 &&
	       a[7] == 2 && !memcmp(a + 14, tpa, 4) && !memcmp(a + 24, spa, 4);
}

/* tapio -a: ask for DST_IP's MAC from TAP and wait for the reply. */
static int arp_probe(int argc, char **argv)
{
	unsigned char sha[6], dst[6], spa[4], tpa[4], buf[2048];
	long deadline;
	bool got = false;
	int fd, len;

	memset(dst, 0xff, 6);
	if (!mvn_mac_parse(argv[3], sha) ||
	    inet_pton(AF_INET, argv[4], spa) != 1 ||
	    inet_pton(AF_INET, argv[5], tpa) != 1 ||
	    (argc == 8 && !mvn_mac_parse(argv[7], dst))) {
		fprintf(stderr, "usage: tapio -a TAP SRC_MAC SRC_IP DST_IP MS "
				"[DST_MAC]\n");
		return 2;
	}
	fd = open(argv[2], O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "tapio: cannot open %s: %s\n", argv[2],
			strerror(errno));
		return 1;
	}
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	len = arp_request(buf, dst, sha, spa, tpa);
	if (write(fd, buf, (size_t)len) != len)
		fprintf(stderr, "tapio: write: %s\n", strerror(errno));
	deadline = now_ms() + atol(argv[6]);
	while (!got && now_ms() < deadline) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, (int)(deadline - now_ms())) <= 0)
			continue;
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			got = got || is_reply(buf, n, spa, tpa);
	}
	printf("%s\n", got ? "reply" : "none");
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned char src[6], dst[6], bcast[6], uni_tag[8], b_tag[8];
	unsigned char buf[2048];
	bool got_uni = false, got_b = false;
	int from, to, len;
	long deadline;

	if (argc == 3 && !strcmp(argv[1], "-b"))
		return broadcast_from(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "-l"))
		return listen_for(argv[2], atol(argv[3]));
	if ((argc == 7 || argc == 8) && !strcmp(argv[1], "-a"))
		return arp_probe(argc, argv);
	if (argc != 5 || !mvn_mac_parse(argv[3], src) ||
	    !mvn_mac_parse(argv[4], dst)) {
		fprintf(stderr, "usage: tapio FROM TO FROM_MAC TO_MAC\n");
		return 2;
	}
	memset(bcast, 0xff, 6);
	if (getrandom(uni_tag, 8, 0) != 8 || getrandom(b_tag, 8, 0) != 8)
		return 1;
	from = open(argv[1], O_RDWR | O_CLOEXEC);
	to = open(argv[2], O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (from < 0 || to < 0) {
		fprintf(stderr, "tapio: cannot open %s: %s\n",
			from < 0 ? argv[1] : argv[2], strerror(errno));
		return 1;
	}
	/* Drain what is already queued (router solicitations and such). */
	while (read(to, buf, sizeof(buf)) > 0)
		;
	len = frame(buf, dst, src, uni_tag);
	if (write(from, buf, (size_t)len) != len)
		fprintf(stderr, "tapio: write: %s\n", strerror(errno));
	len = frame(buf, bcast, src, b_tag);
	if (write(from, buf, (size_t)len) != len)
		fprintf(stderr, "tapio: write: %s\n", strerror(errno));
	deadline = now_ms() + 500;
	while (!(got_uni && got_b) && now_ms() < deadline) {
		struct pollfd p = { .fd = to, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, (int)(deadline - now_ms())) <= 0)
			continue;
		while ((n = read(to, buf, sizeof(buf))) > 0) {
			if (n < VNET_HDR + 22)
				continue;
			if (!memcmp(buf + VNET_HDR + 14, uni_tag, 8))
				got_uni = true;
			if (!memcmp(buf + VNET_HDR + 14, b_tag, 8))
				got_b = true;
		}
	}
	printf("unicast %s\nbroadcast %s\n", got_uni ? "delivered" : "dropped",
	       got_b ? "delivered" : "dropped");
	close(from);
	close(to);
	return 0;
}
