#ifndef FAULTLINE_CNFTABLES_H
#define FAULTLINE_CNFTABLES_H
// nf_tables through libnftnl and libmnl, in-process: the rules partitions (REJECT with an ICMP
// unreachable or a TCP reset) and the userspace link engine (NFQUEUE steering) need, in a table
// of Faultline's own (`ip faultline`, chains `forward` and `output`) in the namespace whose
// socket is used. Equivalent to `nft add table ip faultline`, `nft add chain ip faultline forward
// { type filter hook forward priority 0; }`, `nft insert rule ip faultline forward ip saddr S
// ip daddr D meta l4proto tcp reject with tcp reset`, `nft delete rule ip faultline forward handle H`.
#include <stdint.h>

/// Where a rule goes: the base chain on the forward or the local-out hook.
enum { FL_NFT_FORWARD = 0, FL_NFT_OUTPUT = 1 };
/// What a matching packet meets.
enum { FL_NFT_REJECT = 1, FL_NFT_QUEUE = 2 };
/// REJECT's answers (NFT_REJECT_ICMP_UNREACH, NFT_REJECT_TCP_RST) and ICMP codes.
enum { FL_NFT_REJECT_ICMP = 0, FL_NFT_REJECT_TCP_RESET = 1, FL_NFT_ICMP_HOST_UNREACHABLE = 1, FL_NFT_ICMP_PORT_UNREACHABLE = 3 };
/// Which transport port a rule matches (`th sport`, `th dport`).
enum { FL_NFT_NO_PORT = 0, FL_NFT_SOURCE_PORT = 1, FL_NFT_DESTINATION_PORT = 2 };

typedef struct {
    int chain;
    /// IPv4 addresses in host order, with prefix lengths; `has_source` 0 matches any source.
    int has_source;
    uint32_t source;
    uint8_t source_length;
    uint32_t destination;
    uint8_t destination_length;
    /// IP protocol number (6 TCP, 17 UDP, 1 ICMP); 0 matches every protocol.
    uint8_t l4proto;
    uint8_t port_field;
    uint16_t port;
    uint8_t verdict;
    /// NFT_REJECT_ICMP_UNREACH (0) with an ICMP code, or NFT_REJECT_TCP_RST (1).
    uint8_t reject_type;
    uint8_t reject_code;
    uint16_t queue_number;
    /// 1: at the end of the chain; 0: at its top.
    int append;
} fl_nft_rule;

/// Opens a NETLINK_NETFILTER socket in the calling thread's network namespace: a handle, or
/// NULL with errno set.
void *fl_nft_open(void);
void fl_nft_close(void *socket);
/// Creates the table and both base chains if missing, in one transaction: 0 or -errno.
int fl_nft_prepare(void *socket);
/// Adds `count` rules in one transaction (all or none), with the table and chains if missing,
/// and writes each one's handle: 0 or -errno.
int fl_nft_add(void *socket, const fl_nft_rule *rules, int count, uint64_t *handles);
/// Deletes the rules by chain and handle in one transaction; when one is already gone, each is
/// deleted on its own and absent ones are skipped: 0 or -errno.
int fl_nft_delete(void *socket, const int *chains, const uint64_t *handles, int count);
/// How many rules Faultline's table holds in the socket's namespace (0 when there is no table),
/// or -errno: what tests and the torture check compare.
int fl_nft_rule_count(void *socket);
/// Whether nf_tables serves the IPv4 family here: 0, or -errno (EAFNOSUPPORT, EOPNOTSUPP …).
int fl_nft_probe(void *socket);

#endif
