#ifndef FAULTLINE_CNETLINK_SHIM_H
#define FAULTLINE_CNETLINK_SHIM_H
// libnl-3 route API: links (veth), addresses, routes, FIB rules, qdiscs.
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/errno.h>
#include <netlink/cache.h>
#include <netlink/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/rule.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/tc.h>
#include <netlink/route/class.h>
#include <netlink/route/classifier.h>
#include <netlink/route/qdisc/htb.h>
#include <netlink/route/qdisc/tbf.h>
#include <netlink/route/qdisc/netem.h>
#include <netlink/route/cls/u32.h>
#include <netlink/utils.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <linux/fib_rules.h>
#endif
