/*
 * Semantic checks of network documents, one table row per rule: the
 * document, the stage that must refuse it (the parser, mvn_check_network()
 * or mvn_check_runnable()) or accept it, and what the message must say (the
 * offending value and a word of the fix) on which line.  Also the parser's
 * defences against hostile XML: DOCTYPE and entities, size, well-formedness,
 * with a spy on libxml2's input callbacks proving that no external resource
 * is ever opened.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlIO.h>

#include "check.h"
#include "network.h"

#define DOC "t.xml"

enum stage {
	PARSE, /* mvn_network_parse() gives code */
	CHECK, /* parses; mvn_check_network() gives code */
	RUNNABLE, /* parses and checks; mvn_check_runnable() gives code */
};

struct check_case {
	const char *name;
	const char *xml;
	enum stage stage;
	int code; /* 0 or a negative errno */
	int line; /* err.line */
	const char *value; /* the offending value the message names */
	const char *fix; /* a word of the fix */
	const char *warn; /* what mvn_check_runnable() warns of, or NULL */
	int warn_line;
};

/* The document heads that most cases share. */
#define NET_BRIDGE                      \
	"<network>\n"                   \
	"  <name>lan</name>\n"          \
	"  <forward mode='bridge'>\n"   \
	"    <interface dev='eth0'/>\n" \
	"  </forward>\n"

#define NET_NAT                \
	"<network>\n"          \
	"  <name>nat</name>\n" \
	"  <forward mode='nat'/>\n"

#define NS_MACVNET "xmlns:macvnet='urn:macvnet:1'"

/* A passthrough network over eth0 and eth1, open for what follows. */
#define NET_PT2                            \
	"<network>\n"                      \
	"  <name>pt</name>\n"              \
	"  <forward mode='passthrough'>\n" \
	"    <interface dev='eth0'/>\n"    \
	"    <interface dev='eth1'/>\n"    \
	"  </forward>\n"

/* The metadata's first two static ports, the element left open. */
#define PORTS_2                                 \
	"  <metadata " NS_MACVNET ">\n"         \
	"    <macvnet:port name='macvtap0'/>\n" \
	"    <macvnet:port name='macvtap1'/>\n"

/* One VLAN tag, for what macvtap refuses. */
#define VLAN_42                \
	"  <vlan>\n"           \
	"    <tag id='42'/>\n" \
	"  </vlan>\n"

static const struct check_case cases[] = {
	/* The parser: structure, values, names of modes. */
	{ "parse: mode='default' lists the valid modes",
	  "<network>\n"
	  "  <name>lan</name>\n"
	  "  <forward mode='default'>\n"
	  "    <interface dev='eth0'/>\n"
	  "  </forward>\n"
	  "</network>\n",
	  PARSE, -EINVAL, 3, "'default'", "bridge, vepa, private", NULL, 0 },
	{ "parse: malformed MAC",
	  NET_NAT "  <mac address='52:54:00:zz:00:01'/>\n"
		  "  <ip address='192.168.122.1' prefix='24'/>\n"
		  "</network>\n",
	  PARSE, -EINVAL, 4, "'52:54:00:zz:00:01'", "six hex pairs", NULL, 0 },
	{ "parse: MAC with dashes",
	  NET_NAT "  <mac address='52-54-00-12-34-56'/>\n"
		  "</network>\n",
	  PARSE, -EINVAL, 4, "'52-54-00-12-34-56'", "52:54:00:b8:9c:58", NULL,
	  0 },
	{ "parse: second <name>",
	  "<network>\n"
	  "  <name>lan</name>\n"
	  "  <forward mode='bridge'>\n"
	  "    <interface dev='eth0'/>\n"
	  "  </forward>\n"
	  "  <name>wan</name>\n"
	  "</network>\n",
	  PARSE, -EINVAL, 6, "<name> is given twice", "one name", NULL, 0 },
	{ "parse: unknown element is named",
	  NET_BRIDGE "  <frobnicate/>\n"
		     "</network>\n",
	  PARSE, -EINVAL, 6, "<frobnicate>", "allowed here", NULL, 0 },
	{ "parse: unknown element inside <forward>",
	  "<network>\n"
	  "  <name>lan</name>\n"
	  "  <forward mode='bridge'>\n"
	  "    <iface dev='eth0'/>\n"
	  "  </forward>\n"
	  "</network>\n",
	  PARSE, -EINVAL, 4, "<iface>", "interface", NULL, 0 },
	{ "parse: macvnet:port outside <metadata>",
	  NET_BRIDGE "  <macvnet:port " NS_MACVNET " name='macvtap0'/>\n"
		     "</network>\n",
	  PARSE, -EINVAL, 6, "<macvnet:port>", "inside <metadata>", NULL, 0 },
	{ "parse: unknown element in the macvnet namespace",
	  "<network>\n"
	  "  <name>lan</name>\n"
	  "  <metadata " NS_MACVNET ">\n"
	  "    <macvnet:prot name='macvtap0'/>\n"
	  "  </metadata>\n"
	  "</network>\n",
	  PARSE, -EINVAL, 4, "<prot>", "port, host", NULL, 0 },
	{ "parse: no <name>",
	  "<network>\n"
	  "  <forward mode='bridge'/>\n"
	  "</network>\n",
	  PARSE, -EINVAL, 1, "no <name>", "add one", NULL, 0 },
	{ "parse: not well-formed, with the line",
	  "<network>\n"
	  "  <name>lan</name>\n"
	  "  <forward mode='bridge'>\n"
	  "    <interface dev='eth0'/>\n"
	  "  </forwad>\n"
	  "</network>\n",
	  PARSE, -EINVAL, 5, "not well-formed", "forwad", NULL, 0 },
	{ "parse: unquoted attribute",
	  "<network>\n"
	  "  <name>lan</name>\n"
	  "  <forward mode=bridge/>\n"
	  "</network>\n",
	  PARSE, -EINVAL, 3, "not well-formed", "\" or ' expected", NULL, 0 },
	{ "parse: undeclared entity",
	  "<network>\n"
	  "  <name>&xxe;</name>\n"
	  "</network>\n",
	  PARSE, -EINVAL, 2, "not well-formed", "xxe", NULL, 0 },
	{ "parse: billion laughs refused at the DOCTYPE",
	  "<?xml version='1.0'?>\n"
	  "<!DOCTYPE network [\n"
	  " <!ENTITY lol 'lol'>\n"
	  " <!ENTITY lol1 '&lol;&lol;&lol;&lol;&lol;"
	  "&lol;&lol;&lol;&lol;&lol;'>\n"
	  " <!ENTITY lol2 '&lol1;&lol1;&lol1;&lol1;&lol1;"
	  "&lol1;&lol1;&lol1;&lol1;&lol1;'>\n"
	  " <!ENTITY lol3 '&lol2;&lol2;&lol2;&lol2;&lol2;"
	  "&lol2;&lol2;&lol2;&lol2;&lol2;'>\n"
	  " <!ENTITY lol4 '&lol3;&lol3;&lol3;&lol3;&lol3;"
	  "&lol3;&lol3;&lol3;&lol3;&lol3;'>\n"
	  " <!ENTITY lol5 '&lol4;&lol4;&lol4;&lol4;&lol4;"
	  "&lol4;&lol4;&lol4;&lol4;&lol4;'>\n"
	  " <!ENTITY lol6 '&lol5;&lol5;&lol5;&lol5;&lol5;"
	  "&lol5;&lol5;&lol5;&lol5;&lol5;'>\n"
	  " <!ENTITY lol7 '&lol6;&lol6;&lol6;&lol6;&lol6;"
	  "&lol6;&lol6;&lol6;&lol6;&lol6;'>\n"
	  " <!ENTITY lol8 '&lol7;&lol7;&lol7;&lol7;&lol7;"
	  "&lol7;&lol7;&lol7;&lol7;&lol7;'>\n"
	  " <!ENTITY lol9 '&lol8;&lol8;&lol8;&lol8;&lol8;"
	  "&lol8;&lol8;&lol8;&lol8;&lol8;'>\n"
	  "]>\n"
	  "<network>\n"
	  "  <name>&lol9;</name>\n"
	  "</network>\n",
	  PARSE, -EINVAL, 0, "DOCTYPE", "remove", NULL, 0 },
	{ "parse: external entity file:///etc/passwd refused, never read",
	  "<!DOCTYPE network [\n"
	  " <!ENTITY xxe SYSTEM 'file:///etc/passwd'>\n"
	  "]>\n"
	  "<network>\n"
	  "  <name>&xxe;</name>\n"
	  "</network>\n",
	  PARSE, -EINVAL, 0, "DOCTYPE", "remove", NULL, 0 },
	{ "parse: parameter entity with an external DTD refused",
	  "<!DOCTYPE network [\n"
	  " <!ENTITY % ext SYSTEM 'file:///etc/passwd'>\n"
	  " %ext;\n"
	  "]>\n"
	  "<network><name>lan</name></network>\n",
	  PARSE, -EINVAL, 0, "DOCTYPE", "remove", NULL, 0 },
	{ "parse: external DTD refused, never fetched",
	  "<!DOCTYPE network SYSTEM 'file:///etc/passwd'>\n"
	  "<network><name>lan</name></network>\n",
	  PARSE, -EINVAL, 0, "DOCTYPE", "remove", NULL, 0 },

	/* Found by fuzzing: what the formatter would turn invalid. */
	{ "check: <ip prefix='0'> is the class default, not /0",
	  "<network>\n"
	  "  <name>prefix0</name>\n"
	  "  <forward mode='route'/>\n"
	  "  <ip address='203.0.113.1' prefix='0'/>\n"
	  "  <route address='192.0.2.0' prefix='24' "
	  "gateway='198.51.100.254'/>\n"
	  "</network>\n",
	  CHECK, -EINVAL, 5, "'198.51.100.254' is not inside any <ip>",
	  "reachable", NULL, 0 },
	{ "check: a VLAN tag listed twice",
	  "<network>\n"
	  "  <name>dup</name>\n"
	  "  <forward mode='bridge'/>\n"
	  "  <bridge name='ovsbr0'/>\n"
	  "  <virtualport type='openvswitch'/>\n"
	  "  <vlan>\n"
	  "    <tag id='7' nativeMode='tagged'/>\n"
	  "    <tag id='7'/>\n"
	  "  </vlan>\n"
	  "</network>\n",
	  CHECK, -EINVAL, 6, "tag 7 twice", "each VLAN once", NULL, 0 },

	/* mvn_check_network(): MAC addresses. */
	{ "check: multicast <mac> on a nat network",
	  NET_NAT "  <mac address='01:00:5E:00:00:01'/>\n"
		  "  <ip address='192.168.122.1' prefix='24'/>\n"
		  "</network>\n",
	  CHECK, -EINVAL, 4, "'01:00:5e:00:00:01' is multicast", "unicast",
	  NULL, 0 },
	{ "check: all-zero MAC in a macvnet:port",
	  NET_BRIDGE "  <metadata " NS_MACVNET ">\n"
		     "    <macvnet:port name='macvtap0' "
		     "mac='00:00:00:00:00:00'/>\n"
		     "  </metadata>\n"
		     "</network>\n",
	  CHECK, -EINVAL, 7, "'00:00:00:00:00:00' is all zeroes", "unicast",
	  NULL, 0 },
	{ "check: multicast MAC in a macvnet:port",
	  NET_BRIDGE "  <metadata>\n"
		     "    <macvnet:port " NS_MACVNET " name='macvtap0' "
		     "mac='33:33:00:00:00:01'/>\n"
		     "  </metadata>\n"
		     "</network>\n",
	  CHECK, -EINVAL, 7, "'33:33:00:00:00:01' is multicast", "unicast",
	  NULL, 0 },
	{ "check: malformed MAC in a macvnet:port",
	  NET_BRIDGE
	  "  <metadata " NS_MACVNET ">\n"
	  "    <macvnet:port name='macvtap0' mac='52:54:00:b8:9c'/>\n"
	  "  </metadata>\n"
	  "</network>\n",
	  CHECK, -EINVAL, 7, "'52:54:00:b8:9c' is malformed", "six hex pairs",
	  NULL, 0 },

	/* Names. */
	{ "check: network name with '/'",
	  "<network>\n"
	  "  <name>lan/../../etc</name>\n"
	  "  <forward mode='bridge'>\n"
	  "    <interface dev='eth0'/>\n"
	  "  </forward>\n"
	  "</network>\n",
	  CHECK, -EINVAL, 1, "'lan/../../etc'", "choose a name without", NULL,
	  0 },
	{ "check: pool interface name of 16 bytes",
	  "<network>\n"
	  "  <name>lan</name>\n"
	  "  <forward mode='bridge'>\n"
	  "    <interface dev='eth0123456789abc'/>\n"
	  "  </forward>\n"
	  "</network>\n",
	  CHECK, -EINVAL, 4,
	  "dev='eth0123456789abc' in <interface> cannot name a network "
	  "interface: it is 16 bytes long, and the kernel takes at most 15",
	  "rename it (1 to 15 bytes", NULL, 0 },
	{ "check: pool interface name with ':'",
	  "<network>\n"
	  "  <name>lan</name>\n"
	  "  <forward mode='vepa'>\n"
	  "    <interface dev='eth0'/>\n"
	  "    <interface dev='eth0:1'/>\n"
	  "  </forward>\n"
	  "</network>\n",
	  CHECK, -EINVAL, 5,
	  "dev='eth0:1' in <interface> cannot name a network interface: "
	  "the kernel refuses ':' in it",
	  "rename it", NULL, 0 },
	{ "check: pool interface name with a space",
	  "<network>\n"
	  "  <name>lan</name>\n"
	  "  <forward mode='private'>\n"
	  "    <interface dev='eth 0'/>\n"
	  "  </forward>\n"
	  "</network>\n",
	  CHECK, -EINVAL, 4,
	  "dev='eth 0' in <interface> cannot name a network interface: the "
	  "kernel refuses white space in it",
	  "rename it", NULL, 0 },
	{ "check: forward dev with '/'",
	  "<network>\n"
	  "  <name>lan</name>\n"
	  "  <forward mode='bridge' dev='../eth0'/>\n"
	  "</network>\n",
	  CHECK, -EINVAL, 3,
	  "dev='../eth0' in <forward> cannot name a network interface: the "
	  "kernel refuses '/' in it",
	  "rename it", NULL, 0 },
	{ "check: port name of 16 bytes",
	  NET_BRIDGE "  <metadata " NS_MACVNET ">\n"
		     "    <macvnet:port name='macvtap0123456789'/>\n"
		     "  </metadata>\n"
		     "</network>\n",
	  CHECK, -EINVAL, 7,
	  "name='macvtap0123456789' in <macvnet:port> cannot name a network "
	  "interface: it is 17 bytes long",
	  "rename it", NULL, 0 },
	{ "check: host bridge name with ':'",
	  "<network>\n"
	  "  <name>lan</name>\n"
	  "  <forward mode='bridge'/>\n"
	  "  <bridge name='br:0'/>\n"
	  "</network>\n",
	  CHECK, -EINVAL, 4,
	  "name='br:0' in <bridge> cannot name a network interface: the "
	  "kernel refuses ':' in it",
	  "rename it", NULL, 0 },

	{ "check: pool interface named '.'",
	  "<network>\n"
	  "  <name>lan</name>\n"
	  "  <forward mode='bridge'>\n"
	  "    <interface dev='.'/>\n"
	  "  </forward>\n"
	  "</network>\n",
	  CHECK, -EINVAL, 4,
	  "dev='.' in <interface> cannot name a network interface: the "
	  "kernel refuses '.' and '..'",
	  "rename it (1 to 15 bytes without '/', ':', white space or control "
	  "characters, not '.' or '..')",
	  NULL, 0 },
	{ "check: pool interface named '..'",
	  "<network>\n"
	  "  <name>lan</name>\n"
	  "  <forward mode='vepa'>\n"
	  "    <interface dev='eth0'/>\n"
	  "    <interface dev='..'/>\n"
	  "  </forward>\n"
	  "</network>\n",
	  CHECK, -EINVAL, 5, "dev='..' in <interface>",
	  "the kernel refuses '.' and '..'", NULL, 0 },
	{ "check: port name with a no-break space (byte 0xa0)",
	  NET_BRIDGE "  <metadata " NS_MACVNET ">\n"
		     "    <macvnet:port name='mv&#xa0;0'/>\n"
		     "  </metadata>\n"
		     "</network>\n",
	  CHECK, -EINVAL, 7,
	  "in <macvnet:port> cannot name a network interface: it contains "
	  "the byte 0xa0",
	  "kernel counts as white space", NULL, 0 },
	{ "check: port name with a letter whose UTF-8 holds byte 0xa0",
	  NET_BRIDGE "  <metadata " NS_MACVNET ">\n"
		     "    <macvnet:port name='mv&#xe0;'/>\n"
		     "  </metadata>\n"
		     "</network>\n",
	  CHECK, -EINVAL, 7, "name='mv\xc3\xa0' in <macvnet:port>",
	  "part of a UTF-8 letter", NULL, 0 },
	{ "check: port name with a tab",
	  NET_BRIDGE "  <metadata " NS_MACVNET ">\n"
		     "    <macvnet:port name='mv&#9;0'/>\n"
		     "  </metadata>\n"
		     "</network>\n",
	  CHECK, -EINVAL, 7, "in <macvnet:port> cannot name a network",
	  "the kernel refuses white space in it", NULL, 0 },
	{ "check: host shim name with a control character",
	  NET_BRIDGE "  <metadata " NS_MACVNET ">\n"
		     "    <macvnet:host name='mv&#x7f;0'/>\n"
		     "  </metadata>\n"
		     "</network>\n",
	  CHECK, -EINVAL, 7, "in <macvnet:host> cannot name a network",
	  "it contains a control character", NULL, 0 },
	{ "check: <pf dev> of 16 bytes",
	  "<network>\n"
	  "  <name>vf</name>\n"
	  "  <forward mode='passthrough'>\n"
	  "    <pf dev='enp130s0f0np0abc'/>\n"
	  "  </forward>\n"
	  "</network>\n",
	  CHECK, -EINVAL, 3, "dev='enp130s0f0np0abc' in <pf>",
	  "16 bytes long, and the kernel takes at most 15", NULL, 0 },

	/* The pool. */
	{ "check: the same pool device twice",
	  "<network>\n"
	  "  <name>lan</name>\n"
	  "  <forward mode='bridge'>\n"
	  "    <interface dev='eth0'/>\n"
	  "    <interface dev='eth1'/>\n"
	  "    <interface dev='eth0'/>\n"
	  "  </forward>\n"
	  "</network>\n",
	  CHECK, -EINVAL, 6, "'eth0' can only be listed once",
	  "remove the second", NULL, 0 },
	{ "check: <forward dev> is not the first pool interface",
	  "<network>\n"
	  "  <name>lan</name>\n"
	  "  <forward mode='vepa' dev='eth1'>\n"
	  "    <interface dev='eth0'/>\n"
	  "    <interface dev='eth1'/>\n"
	  "  </forward>\n"
	  "</network>\n",
	  CHECK, -EINVAL, 3, "<forward dev='eth1'>", "put 'eth1' first", NULL,
	  0 },
	{ "check: <bridge name> with an interface pool in mode bridge",
	  NET_BRIDGE "  <bridge name='br0'/>\n"
		     "</network>\n",
	  CHECK, -EINVAL, 6, "both <bridge name> and an interface pool",
	  "not both", NULL, 0 },
	{ "check: <bridge name> in mode vepa",
	  "<network>\n"
	  "  <name>lan</name>\n"
	  "  <forward mode='vepa'>\n"
	  "    <interface dev='eth0'/>\n"
	  "  </forward>\n"
	  "  <bridge name='br0'/>\n"
	  "</network>\n",
	  CHECK, -EINVAL, 6, "bridge name not allowed in vepa mode",
	  "remove <bridge>", NULL, 0 },
	{ "check: passthrough with a PCI <address>",
	  "<network>\n"
	  "  <name>sriov</name>\n"
	  "  <forward mode='passthrough'>\n"
	  "    <address type='pci' domain='0x0000' bus='0x03' slot='0x00' "
	  "function='0x1'/>\n"
	  "  </forward>\n"
	  "</network>\n",
	  CHECK, -EINVAL, 4, "mode 'passthrough'", "<interface dev='...'/>",
	  NULL, 0 },
	{ "check: hostdev pool of interfaces",
	  "<network>\n"
	  "  <name>sriov</name>\n"
	  "  <forward mode='hostdev'>\n"
	  "    <interface dev='eth0'/>\n"
	  "  </forward>\n"
	  "</network>\n",
	  CHECK, -EINVAL, 4, "lists 'eth0'", "<address type='pci'", NULL, 0 },
	{ "check: <nat> in mode bridge",
	  "<network>\n"
	  "  <name>lan</name>\n"
	  "  <forward mode='bridge'>\n"
	  "    <nat/>\n"
	  "    <interface dev='eth0'/>\n"
	  "  </forward>\n"
	  "</network>\n",
	  CHECK, -EINVAL, 4, "not mode='bridge'", "remove <nat>", NULL, 0 },
	{ "check: nat network without <ip>", NET_NAT "</network>\n", CHECK,
	  -EINVAL, 3, "forward mode='nat'", "add <ip", NULL, 0 },

	/* What a macvtap network cannot have. */
	{ "check: <ip> on a bridge network",
	  NET_BRIDGE "  <ip address='192.168.122.1' prefix='24'/>\n"
		     "</network>\n",
	  CHECK, -EINVAL, 6, "<ip> is not supported", "remove <ip>", NULL, 0 },
	{ "check: <ip> on a vepa network",
	  "<network>\n"
	  "  <name>lan</name>\n"
	  "  <forward mode='vepa'>\n"
	  "    <interface dev='eth0'/>\n"
	  "  </forward>\n"
	  "  <ip address='192.168.122.1' prefix='24'/>\n"
	  "</network>\n",
	  CHECK, -EINVAL, 6,
	  "<ip> is not supported in network lan with "
	  "forward mode='vepa'",
	  "remove <ip>", NULL, 0 },
	{ "check: <ip> on a private network",
	  "<network>\n"
	  "  <name>lan</name>\n"
	  "  <forward mode='private'>\n"
	  "    <interface dev='eth0'/>\n"
	  "  </forward>\n"
	  "  <ip family='ipv6' address='2001:db8::1' prefix='64'/>\n"
	  "</network>\n",
	  CHECK, -EINVAL, 6, "forward mode='private'", "remove <ip>", NULL, 0 },
	{ "check: <ip> on a passthrough network",
	  "<network>\n"
	  "  <name>lan</name>\n"
	  "  <forward mode='passthrough'>\n"
	  "    <interface dev='eth0'/>\n"
	  "  </forward>\n"
	  "  <ip address='192.168.122.1' prefix='24'/>\n"
	  "</network>\n",
	  CHECK, -EINVAL, 6, "forward mode='passthrough'", "remove <ip>", NULL,
	  0 },
	{ "check: <mtu> on a macvtap network",
	  NET_BRIDGE "  <mtu size='9000'/>\n"
		     "</network>\n",
	  CHECK, -EINVAL, 6, "<mtu> is not supported", "MTU of the pool", NULL,
	  0 },
	{ "check: <mac> on a macvtap network",
	  NET_BRIDGE "  <mac address='52:54:00:12:34:56'/>\n"
		     "</network>\n",
	  CHECK, -EINVAL, 6, "<mac> is not supported", "remove it", NULL, 0 },
	{ "check: <dns> entries on a macvtap network",
	  NET_BRIDGE "  <dns>\n"
		     "    <host ip='192.0.2.10'><hostname>a</hostname></host>\n"
		     "  </dns>\n"
		     "</network>\n",
	  CHECK, -EINVAL, 6, "<dns> entries are not supported", "remove them",
	  NULL, 0 },
	{ "check: <domain> on a macvtap network",
	  NET_BRIDGE "  <domain name='example.org'/>\n"
		     "</network>\n",
	  CHECK, -EINVAL, 6, "<domain> is not supported", "remove it", NULL,
	  0 },
	{ "check: <bandwidth> on a macvtap network",
	  NET_BRIDGE "  <bandwidth>\n"
		     "    <inbound average='1000'/>\n"
		     "  </bandwidth>\n"
		     "</network>\n",
	  CHECK, -EINVAL, 6, "<bandwidth> is not supported", "remove it", NULL,
	  0 },
	{ "check: <vlan> on a private network",
	  "<network>\n"
	  "  <name>lan</name>\n"
	  "  <forward mode='private'>\n"
	  "    <interface dev='eth0'/>\n"
	  "  </forward>\n" VLAN_42 "</network>\n",
	  CHECK, -EINVAL, 6, "<vlan> element specified for network lan",
	  "VLAN interface as the lower device", NULL, 0 },
	{ "check: <vlan> in a portgroup of a vepa network",
	  "<network>\n"
	  "  <name>lan</name>\n"
	  "  <forward mode='vepa'>\n"
	  "    <interface dev='eth0'/>\n"
	  "  </forward>\n"
	  "  <portgroup name='web'>\n"
	  "    <vlan><tag id='42'/></vlan>\n"
	  "  </portgroup>\n"
	  "</network>\n",
	  CHECK, -EINVAL, 7, "<vlan> element specified for network lan",
	  "mode='hostdev' or 'passthrough'", NULL, 0 },

	/* Portgroups and DNS. */
	{ "check: two default portgroups",
	  NET_BRIDGE "  <portgroup name='web' default='yes'/>\n"
		     "  <portgroup name='db'/>\n"
		     "  <portgroup name='mail' default='yes'/>\n"
		     "</network>\n",
	  CHECK, -EINVAL, 8, "'web' and 'mail'", "keep default='yes' on one",
	  NULL, 0 },
	{ "check: duplicate portgroup names",
	  NET_BRIDGE "  <portgroup name='web'/>\n"
		     "  <portgroup name='web' default='yes'/>\n"
		     "</network>\n",
	  CHECK, -EINVAL, 7, "portgroup 'web' is defined twice", "rename one",
	  NULL, 0 },
	{ "check: dns enable='no' with entries",
	  NET_NAT "  <dns enable='no'>\n"
		  "    <forwarder addr='192.0.2.53'/>\n"
		  "  </dns>\n"
		  "  <ip address='192.168.122.1' prefix='24'/>\n"
		  "</network>\n",
	  CHECK, -EINVAL, 4, "enable='no'", "remove the entries", NULL, 0 },

	/* macvnet's own metadata: ports and the host shim. */
	{ "check: port mode 0666 refused",
	  NET_BRIDGE "  <metadata " NS_MACVNET ">\n"
		     "    <macvnet:port name='macvtap0' mode='0666'/>\n"
		     "  </metadata>\n"
		     "</network>\n",
	  CHECK, -EINVAL, 7, "mode '0666' of port 'macvtap0'", "mode='0660'",
	  NULL, 0 },
	{ "check: port mode with a sign",
	  NET_BRIDGE "  <metadata " NS_MACVNET ">\n"
		     "    <macvnet:port name='macvtap0' mode='+660'/>\n"
		     "  </metadata>\n"
		     "</network>\n",
	  CHECK, -EINVAL, 7, "mode '+660' is not an octal permission", "0660",
	  NULL, 0 },
	{ "check: port named like a pool device",
	  NET_BRIDGE "  <metadata " NS_MACVNET ">\n"
		     "    <macvnet:port name='eth0'/>\n"
		     "  </metadata>\n"
		     "</network>\n",
	  CHECK, -EINVAL, 7, "port 'eth0'", "choose another name", NULL, 0 },
	{ "check: host shim address without prefix",
	  NET_BRIDGE
	  "  <metadata " NS_MACVNET ">\n"
	  "    <macvnet:host name='mvhost0' address='198.51.100.1'/>\n"
	  "  </metadata>\n"
	  "</network>\n",
	  CHECK, -EINVAL, 7, "'198.51.100.1'", "198.51.100.1/24", NULL, 0 },
	{ "check: port mode that is not octal",
	  NET_BRIDGE "  <metadata " NS_MACVNET ">\n"
		     "    <macvnet:port name='macvtap0' mode='0689'/>\n"
		     "  </metadata>\n"
		     "</network>\n",
	  CHECK, -EINVAL, 7, "mode '0689' is not an octal permission", "0660",
	  NULL, 0 },
	{ "check: port owner that is no user name",
	  NET_BRIDGE "  <metadata " NS_MACVNET ">\n"
		     "    <macvnet:port name='macvtap0' owner='-rf'/>\n"
		     "  </metadata>\n"
		     "</network>\n",
	  CHECK, -EINVAL, 7, "owner '-rf'", "user name or number", NULL, 0 },
	{ "check: duplicate port names",
	  NET_BRIDGE "  <metadata " NS_MACVNET ">\n"
		     "    <macvnet:port name='macvtap0'/>\n"
		     "    <macvnet:port name='macvtap1'/>\n"
		     "    <macvnet:port name='macvtap0'/>\n"
		     "  </metadata>\n"
		     "</network>\n",
	  CHECK, -EINVAL, 9, "'macvtap0' is used twice", "its own name", NULL,
	  0 },
	{ "check: duplicate port MACs, either case",
	  NET_BRIDGE "  <metadata " NS_MACVNET ">\n"
		     "    <macvnet:port name='macvtap0' "
		     "mac='52:54:00:b8:9c:58'/>\n"
		     "    <macvnet:port name='macvtap1' "
		     "mac='52:54:00:B8:9C:58'/>\n"
		     "  </metadata>\n"
		     "</network>\n",
	  CHECK, -EINVAL, 8,
	  "'52:54:00:B8:9C:58' is used by ports 'macvtap0' "
	  "and 'macvtap1'",
	  "distinct MACs", NULL, 0 },
	{ "check: ports on a nat network",
	  NET_NAT "  <metadata " NS_MACVNET ">\n"
		  "    <macvnet:port name='macvtap0'/>\n"
		  "  </metadata>\n"
		  "  <ip address='192.168.122.1' prefix='24'/>\n"
		  "</network>\n",
	  CHECK, -EINVAL, 5, "not mode='nat'", "bridge, vepa, private", NULL,
	  0 },
	{ "check: host shim on a vepa network",
	  "<network>\n"
	  "  <name>lan</name>\n"
	  "  <forward mode='vepa'>\n"
	  "    <interface dev='eth0'/>\n"
	  "  </forward>\n"
	  "  <metadata " NS_MACVNET ">\n"
	  "    <macvnet:host name='mvhost0' address='198.51.100.1/24'/>\n"
	  "  </metadata>\n"
	  "</network>\n",
	  CHECK, -EINVAL, 7, "uses mode='vepa'", "switch to bridge mode", NULL,
	  0 },
	{ "check: host shim named like a port",
	  NET_BRIDGE "  <metadata " NS_MACVNET ">\n"
		     "    <macvnet:port name='mv0'/>\n"
		     "    <macvnet:host name='mv0'/>\n"
		     "  </metadata>\n"
		     "</network>\n",
	  CHECK, -EINVAL, 8, "host shim 'mv0'", "rename one", NULL, 0 },
	{ "check: more static ports than passthrough devices",
	  NET_PT2 PORTS_2 "    <macvnet:port name='macvtap2'/>\n"
			  "  </metadata>\n"
			  "</network>\n",
	  CHECK, -EINVAL, 10, "2 passthrough devices but 3 static ports",
	  "add devices or remove ports", NULL, 0 },

	{ "check: more static ports than a forward dev passes through",
	  "<network>\n"
	  "  <name>pt</name>\n"
	  "  <forward mode='passthrough' dev='eth0'/>\n" PORTS_2
	  "  </metadata>\n"
	  "</network>\n",
	  CHECK, -EINVAL, 6, "2 static ports", "remove ports", NULL, 0 },

	/* Accepted, and runnable by macvnet. */
	{ "ok: mode bridge with a pool", NET_BRIDGE "</network>\n", RUNNABLE, 0,
	  0, NULL, NULL, NULL, 0 },
	{ "ok: mode vepa with a pool",
	  "<network>\n"
	  "  <name>lan</name>\n"
	  "  <forward mode='vepa'>\n"
	  "    <interface dev='eth0'/>\n"
	  "    <interface dev='eth1'/>\n"
	  "  </forward>\n"
	  "</network>\n",
	  RUNNABLE, 0, 0, NULL, NULL, NULL, 0 },
	{ "ok: mode private with a pool and forward dev",
	  "<network>\n"
	  "  <name>lan</name>\n"
	  "  <forward mode='private' dev='eth0'>\n"
	  "    <interface dev='eth0'/>\n"
	  "    <interface dev='eth1'/>\n"
	  "  </forward>\n"
	  "</network>\n",
	  RUNNABLE, 0, 0, NULL, NULL, NULL, 0 },
	{ "ok: mode passthrough with as many ports as devices",
	  NET_PT2 PORTS_2 "  </metadata>\n"
			  "</network>\n",
	  RUNNABLE, 0, 0, NULL, NULL, NULL, 0 },
	{ "ok: pool interface name of 15 bytes",
	  "<network>\n"
	  "  <name>lan</name>\n"
	  "  <forward mode='bridge'>\n"
	  "    <interface dev='enp0s31f6.4094'/>\n"
	  "    <interface dev='eth0123456789ab'/>\n"
	  "  </forward>\n"
	  "</network>\n",
	  RUNNABLE, 0, 0, NULL, NULL, NULL, 0 },
	{ "ok: port name with a letter outside ASCII and no byte 0xa0",
	  NET_BRIDGE "  <metadata " NS_MACVNET ">\n"
		     "    <macvnet:port name='mv&#xe9;0'/>\n"
		     "  </metadata>\n"
		     "</network>\n",
	  RUNNABLE, 0, 0, NULL, NULL, NULL, 0 },
	{ "ok: macvnet ports with owner, group and mode 0660, and a shim",
	  "<network>\n"
	  "  <name>lan</name>\n"
	  "  <uuid>81ff0d90-c91e-6742-64da-4a736edb9a8c</uuid>\n"
	  "  <metadata " NS_MACVNET ">\n"
	  "    <macvnet:port name='macvtap0' mac='52:54:00:b8:9c:58' "
	  "owner='alice' group='kvm' mode='0660'/>\n"
	  "    <macvnet:port name='macvtap1' mac='52:54:00:b8:9c:59' "
	  "owner='1000' mode='0600'/>\n"
	  "    <macvnet:host name='mvhost0' address='198.51.100.1/24' "
	  "move-addresses='yes'/>\n"
	  "  </metadata>\n"
	  "  <forward mode='bridge'>\n"
	  "    <interface dev='eth0'/>\n"
	  "  </forward>\n"
	  "</network>\n",
	  RUNNABLE, 0, 0, NULL, NULL, NULL, 0 },
	{ "ok: macvnet ports in a <macvnet:network> wrapper",
	  NET_BRIDGE "  <metadata>\n"
		     "    <mv:network xmlns:mv='urn:macvnet:1'>\n"
		     "      <mv:port name='macvtap0' group='kvm' mode='660'/>\n"
		     "    </mv:network>\n"
		     "  </metadata>\n"
		     "</network>\n",
	  RUNNABLE, 0, 0, NULL, NULL, NULL, 0 },
	{ "ok: DNS forwarders only on a macvtap network",
	  NET_BRIDGE "  <dns>\n"
		     "    <forwarder addr='192.0.2.53'/>\n"
		     "  </dns>\n"
		     "</network>\n",
	  RUNNABLE, 0, 0, NULL, NULL, NULL, 0 },

	/* Valid for libvirt, but not something macvnet runs. */
	{ "runnable: nat passes check, refused naming the mode",
	  NET_NAT "  <ip address='192.168.122.1' prefix='24'>\n"
		  "    <dhcp><range start='192.168.122.2' "
		  "end='192.168.122.254'/></dhcp>\n"
		  "  </ip>\n"
		  "</network>\n",
	  RUNNABLE, -EINVAL, 3, "forward mode='nat'", "use libvirt", NULL, 0 },
	{ "runnable: route refused naming the mode",
	  "<network>\n"
	  "  <name>r</name>\n"
	  "  <forward mode='route' dev='eth0'/>\n"
	  "  <ip address='192.0.2.1' prefix='24'/>\n"
	  "</network>\n",
	  RUNNABLE, -EINVAL, 3, "forward mode='route'", "<interface dev>", NULL,
	  0 },
	{ "runnable: hostdev refused",
	  "<network>\n"
	  "  <name>sriov</name>\n"
	  "  <forward mode='hostdev' managed='yes'>\n"
	  "    <address type='pci' domain='0x0000' bus='0x03' slot='0x10' "
	  "function='0x1'/>\n"
	  "    <address type='pci' domain='0x0000' bus='0x03' slot='0x10' "
	  "function='0x2'/>\n"
	  "  </forward>\n"
	  "</network>\n",
	  RUNNABLE, -EINVAL, 3, "mode='hostdev'", "mode='passthrough'", NULL,
	  0 },
	{ "runnable: host bridge refused naming br0",
	  "<network>\n"
	  "  <name>host-bridge</name>\n"
	  "  <forward mode='bridge'/>\n"
	  "  <bridge name='br0'/>\n"
	  "</network>\n",
	  RUNNABLE, -EINVAL, 4, "host bridge 'br0'", "migrate-ovs", NULL, 0 },
	{ "runnable: Open vSwitch bridge with <vlan> refused naming the "
	  "bridge",
	  "<network>\n"
	  "  <name>ovs</name>\n"
	  "  <forward mode='bridge'/>\n"
	  "  <bridge name='ovsbr0'/>\n"
	  "  <virtualport type='openvswitch'/>\n" VLAN_42 "</network>\n",
	  RUNNABLE, -EINVAL, 4, "'ovsbr0'", "--uplink ovsbr0=DEV", NULL, 0 },
	{ "runnable: bridge pool with <vlan> refused",
	  NET_BRIDGE "  <virtualport type='openvswitch'/>\n" VLAN_42
		     "</network>\n",
	  RUNNABLE, -EINVAL, 7, "cannot tag VLANs",
	  "VLAN interface as the lower device", NULL, 0 },
	{ "runnable: passthrough with <vlan> refused",
	  "<network>\n"
	  "  <name>pt</name>\n"
	  "  <forward mode='passthrough'>\n"
	  "    <interface dev='eth0'/>\n"
	  "  </forward>\n" VLAN_42 "</network>\n",
	  RUNNABLE, -EINVAL, 6, "cannot tag VLANs", "remove <vlan>", NULL, 0 },
	{ "runnable: network without a pool refused",
	  "<network>\n"
	  "  <name>lan</name>\n"
	  "  <forward mode='vepa'/>\n"
	  "</network>\n",
	  RUNNABLE, -EINVAL, 3, "(mode='vepa') has no lower device",
	  "<interface dev='eth0'/>", NULL, 0 },
	{ "runnable: isolated network refused",
	  "<network>\n"
	  "  <name>isolated</name>\n"
	  "  <ip address='192.168.100.1' prefix='24'/>\n"
	  "</network>\n",
	  RUNNABLE, -EINVAL, 1, "has no <forward>", "mode='bridge'", NULL, 0 },
	{ "runnable: SR-IOV <pf> refused",
	  "<network>\n"
	  "  <name>vf</name>\n"
	  "  <forward mode='passthrough'>\n"
	  "    <pf dev='eth3'/>\n"
	  "  </forward>\n"
	  "</network>\n",
	  RUNNABLE, -EINVAL, 3, "<pf dev='eth3'/>", "<interface dev='...'/>",
	  NULL, 0 },
	{ "runnable: 802.1Qbh virtualport kept with a warning",
	  NET_BRIDGE "  <virtualport type='802.1Qbh'>\n"
		     "    <parameters profileid='finance'/>\n"
		     "  </virtualport>\n"
		     "</network>\n",
	  RUNNABLE, 0, 0, NULL, NULL, "<virtualport type='802.1Qbh'> is kept",
	  6 },
	{ "runnable: portgroup virtualport kept with a warning",
	  NET_BRIDGE "  <portgroup name='web' default='yes'>\n"
		     "    <virtualport type='802.1Qbg'>\n"
		     "      <parameters managerid='11' typeid='1193047' "
		     "typeidversion='2'/>\n"
		     "    </virtualport>\n"
		     "  </portgroup>\n"
		     "</network>\n",
	  RUNNABLE, 0, 0, NULL, NULL, "<virtualport type='802.1Qbg'> is kept",
	  7 },
	{ "runnable: <bandwidth> in a portgroup of a host bridge refused",
	  "<network>\n"
	  "  <name>host-bridge</name>\n"
	  "  <forward mode='bridge'/>\n"
	  "  <bridge name='br0'/>\n"
	  "  <portgroup name='slow'>\n"
	  "    <bandwidth>\n"
	  "      <inbound average='1000'/>\n"
	  "    </bandwidth>\n"
	  "  </portgroup>\n"
	  "</network>\n",
	  RUNNABLE, -EINVAL, 4, "host bridge 'br0'", "use libvirt", NULL, 0 },
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

/*
 * A spy in front of libxml2's input callbacks: every URI that libxml2 tries
 * to open (an external DTD or entity) is counted and never opened.
 */
static int spy_calls;
static char spy_last[256];

static int spy_match(const char *uri)
{
	spy_calls++;
	snprintf(spy_last, sizeof(spy_last), "%s", uri ? uri : "(null)");
	return 0;
}

static void *spy_open(const char *uri)
{
	(void)uri;
	return NULL;
}

static int spy_read(void *ctx, char *buf, int len)
{
	(void)ctx;
	(void)buf;
	(void)len;
	return -1;
}

static int spy_close(void *ctx)
{
	(void)ctx;
	return 0;
}

static void spy_reset(void)
{
	spy_calls = 0;
	spy_last[0] = '\0';
}

static void assert_no_load(void)
{
	if (spy_calls)
		fail_msg("libxml2 tried to open %d external resources (last: "
			 "%s)",
			 spy_calls, spy_last);
}

static bool contains(const char *msg, const char *needle)
{
	return !needle || strstr(msg, needle) != NULL;
}

/* The outcome of one stage against what the case expects. */
static void expect(const struct check_case *c, int ret,
		   const struct mvn_error *err)
{
	char prefix[64];

	if (ret != c->code)
		fail_msg("returned %d (%s), expected %d", ret, err->msg,
			 c->code);
	if (c->code == 0) {
		assert_int_equal(err->code, 0);
		assert_string_equal(err->msg, "");
		return;
	}
	assert_int_equal(err->code, c->code);
	if (err->line != c->line)
		fail_msg("error on line %d, expected %d: %s", err->line,
			 c->line, err->msg);
	if (c->line > 0)
		snprintf(prefix, sizeof(prefix), "%s:%d: ", DOC, c->line);
	else
		snprintf(prefix, sizeof(prefix), "%s: ", DOC);
	if (strncmp(err->msg, prefix, strlen(prefix)))
		fail_msg("message does not start with '%s': %s", prefix,
			 err->msg);
	if (!contains(err->msg, c->value))
		fail_msg("message lacks the value \"%s\": %s", c->value,
			 err->msg);
	if (!contains(err->msg, c->fix))
		fail_msg("message lacks the fix \"%s\": %s", c->fix, err->msg);
}

/* The warning of mvn_check_runnable(), when it accepted the network. */
static void expect_warning(const struct check_case *c,
			   const struct mvn_error *warn)
{
	char prefix[64];

	assert_int_equal(warn->code, 0);
	if (!c->warn) {
		if (warn->msg[0])
			fail_msg("unexpected warning: %s", warn->msg);
		return;
	}
	if (warn->line != c->warn_line)
		fail_msg("warning on line %d, expected %d: %s", warn->line,
			 c->warn_line, warn->msg);
	snprintf(prefix, sizeof(prefix), "%s:%d: ", DOC, c->warn_line);
	if (strncmp(warn->msg, prefix, strlen(prefix)) ||
	    !strstr(warn->msg, c->warn))
		fail_msg("warning lacks '%s%s': %s", prefix, c->warn,
			 warn->msg);
}

static void test_case(void **state)
{
	const struct check_case *c = *state;
	struct mvn_network *net = NULL;
	struct mvn_error err = { 0 }, warn = { 0 };
	int ret, ok = 0;

	spy_reset();
	ret = mvn_network_parse(c->xml, strlen(c->xml), DOC, &net, &err);
	assert_no_load();
	if (c->stage == PARSE) {
		if (net) {
			mvn_network_free(net);
			fail_msg("parsed, but the parser must refuse it");
		}
		expect(c, ret, &err);
		return;
	}
	if (ret < 0 || !net)
		fail_msg("does not parse (%d): %s", ret, err.msg);
	ret = mvn_check_network(net, DOC, &err);
	if (c->stage == RUNNABLE && ret == 0) {
		ok = 1;
		ret = mvn_check_runnable(net, DOC, &warn, &err);
	}
	/* Free before asserting: a failed assertion jumps out. */
	mvn_network_free(net);
	if (c->stage == RUNNABLE && !ok)
		fail_msg("check refused it (%d): %s", ret, err.msg);
	expect(c, ret, &err);
	if (c->stage == RUNNABLE && c->code == 0)
		expect_warning(c, &warn);
}

/* The limit is 1 MiB: a document one byte over is refused unparsed. */
static char *sized_doc(size_t len)
{
	static const char head[] = "<network><name>big</name><!--";
	static const char tail[] = "--></network>";
	char *s = malloc(len + 1);

	assert_non_null(s);
	assert_true(len >= sizeof(head) + sizeof(tail));
	memcpy(s, head, sizeof(head) - 1);
	memset(s + sizeof(head) - 1, 'x', len - (sizeof(head) - 1));
	memcpy(s + len - (sizeof(tail) - 1), tail, sizeof(tail) - 1);
	s[len] = '\0';
	return s;
}

static void test_too_large(void **state)
{
	struct mvn_network *net = NULL;
	struct mvn_error err = { 0 };
	char *s = sized_doc(1024 * 1024 + 1);
	int ret;

	(void)state;
	ret = mvn_network_parse(s, strlen(s), DOC, &net, &err);
	free(s);
	assert_null(net);
	assert_int_equal(ret, -EFBIG);
	assert_int_equal(err.code, -EFBIG);
	assert_int_equal(err.line, 0);
	if (!strstr(err.msg, DOC ": ") || !strstr(err.msg, "1 MiB"))
		fail_msg("unexpected message: %s", err.msg);
}

static void test_largest_accepted(void **state)
{
	struct mvn_network *net = NULL;
	struct mvn_error err = { 0 };
	char *s = sized_doc(1024 * 1024);
	int ret;

	(void)state;
	ret = mvn_network_parse(s, strlen(s), DOC, &net, &err);
	free(s);
	if (ret < 0)
		fail_msg("a 1 MiB document is refused: %s", err.msg);
	assert_non_null(net);
	assert_string_equal(net->name, "big");
	mvn_network_free(net);
}

static void quiet(void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Swallows libxml2's "failed to load external entity" in the control. */
static void quiet(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

/*
 * The spy sees what libxml2 opens when it is allowed to: a file, and an
 * external entity when libxml2 itself is asked to expand entities (the
 * entity names a file that does not exist, so nothing is read).
 */
static void test_spy_works(void **state)
{
	static const char xxe[] =
		"<!DOCTYPE n [<!ENTITY x SYSTEM "
		"'file:///nonexistent/macvnet-spy-entity'>]>\n"
		"<n>&x;</n>\n";
	xmlDocPtr doc;

	(void)state;
	spy_reset();
	doc = xmlReadFile("/nonexistent/macvnet-spy-control.xml", NULL,
			  XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
				  XML_PARSE_NONET);
	xmlFreeDoc(doc);
	assert_true(spy_calls > 0);
	assert_non_null(strstr(spy_last, "macvnet-spy-control"));

	spy_reset();
	xmlSetGenericErrorFunc(NULL, quiet);
	doc = xmlReadMemory(xxe, (int)strlen(xxe), NULL, NULL,
			    XML_PARSE_NOENT | XML_PARSE_NOERROR |
				    XML_PARSE_NOWARNING | XML_PARSE_NONET);
	xmlSetGenericErrorFunc(NULL, NULL);
	xmlFreeDoc(doc);
	assert_true(spy_calls > 0);
	assert_non_null(strstr(spy_last, "macvnet-spy-entity"));
	spy_reset();
}

/* A NULL error is allowed everywhere: only the code comes back. */
static void test_null_err(void **state)
{
	static const char xml[] = NET_NAT "  <ip address='192.168.122.1' "
					  "prefix='24'/>\n"
					  "</network>\n";
	static const char bad[] = "<network><name>a</name><x/></network>";
	struct mvn_network *net = NULL;

	(void)state;
	assert_int_equal(mvn_network_parse(bad, strlen(bad), DOC, &net, NULL),
			 -EINVAL);
	assert_null(net);
	assert_int_equal(mvn_network_parse(xml, strlen(xml), DOC, &net, NULL),
			 0);
	assert_non_null(net);
	assert_int_equal(mvn_check_network(net, DOC, NULL), 0);
	assert_int_equal(mvn_check_runnable(net, DOC, NULL, NULL), -EINVAL);
	mvn_network_free(net);
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_spy_works),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_largest_accepted),
		cmocka_unit_test(test_null_err),
	};
	const size_t nfixed = sizeof(fixed) / sizeof(fixed[0]);
	struct CMUnitTest *tests;
	size_t i;
	int ret;

	cmocka_set_message_output(CM_OUTPUT_TAP);
	xmlInitParser();
	if (xmlRegisterInputCallbacks(spy_match, spy_open, spy_read,
				      spy_close) < 0) {
		fprintf(stderr, "cannot install the input spy\n");
		return 1;
	}
	tests = calloc(nfixed + NCASES, sizeof(*tests));
	if (!tests) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	for (i = 0; i < nfixed; i++)
		tests[i] = fixed[i];
	for (i = 0; i < NCASES; i++) {
		struct CMUnitTest *t = &tests[nfixed + i];

		t->name = cases[i].name;
		t->test_func = test_case;
		t->initial_state = (void *)&cases[i];
	}
	ret = _cmocka_run_group_tests("check", tests, nfixed + NCASES, NULL,
				      NULL);
	free(tests);
	xmlPopInputCallbacks();
	xmlCleanupParser();
	return ret;
}
