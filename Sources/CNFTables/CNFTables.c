#include "CNFTables.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

static const char *table_name = "faultline";
/// Set once the kernel refused nf_tables' own queue expression (built without CONFIG_NFT_QUEUE):
/// from then on NFQUEUE goes through nft_compat's xt target, as iptables-nft sends it.
static int queue_through_compat = 0;
static const char *chain_names[] = {"forward", "output"};
static const int chain_hooks[] = {NF_INET_FORWARD, NF_INET_LOCAL_OUT};

typedef struct {
    struct mnl_socket *nl;
    uint32_t portid;
    uint32_t seq;
} fl_socket;

void *fl_nft_open(void) {
    struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
    if (!nl) return NULL;
    if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
        int e = errno;
        mnl_socket_close(nl);
        errno = e;
        return NULL;
    }
    // A kernel that never answers must not hang the run: 2 s per receive at most.
    struct timeval timeout = {.tv_sec = 2, .tv_usec = 0};
    setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    fl_socket *s = calloc(1, sizeof(*s));
    if (!s) {
        mnl_socket_close(nl);
        errno = ENOMEM;
        return NULL;
    }
    s->nl = nl;
    s->portid = mnl_socket_get_portid(nl);
    s->seq = (uint32_t)time(NULL);
    return s;
}

void fl_nft_close(void *socket) {
    fl_socket *s = socket;
    if (!s) return;
    mnl_socket_close(s->nl);
    free(s);
}

/// A transaction being built: batch begin, the messages, batch end.
typedef struct {
    char *buffer;
    struct mnl_nlmsg_batch *batch;
    int messages;
    uint32_t first_seq;
} fl_batch;

static int batch_start(fl_socket *s, fl_batch *b, size_t size) {
    b->buffer = malloc(size);
    if (!b->buffer) return -ENOMEM;
    b->batch = mnl_nlmsg_batch_start(b->buffer, size);
    b->messages = 0;
    nftnl_batch_begin(mnl_nlmsg_batch_current(b->batch), s->seq++);
    mnl_nlmsg_batch_next(b->batch);
    b->first_seq = s->seq;
    return 0;
}

static struct nlmsghdr *batch_message(fl_socket *s, fl_batch *b, uint16_t type, uint16_t flags) {
    struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b->batch), type, NFPROTO_IPV4,
                                                 flags | NLM_F_ACK, s->seq++);
    b->messages++;
    return nlh;
}

static void batch_free(fl_batch *b) {
    if (b->batch) mnl_nlmsg_batch_stop(b->batch);
    free(b->buffer);
}

/// Sends the transaction and reads every acknowledgement; echoed NEWRULE messages give the
/// handles, in order. 0, or -errno from the first error.
static int batch_run(fl_socket *s, fl_batch *b, uint64_t *handles) {
    nftnl_batch_end(mnl_nlmsg_batch_current(b->batch), s->seq++);
    mnl_nlmsg_batch_next(b->batch);
    if (mnl_socket_sendto(s->nl, mnl_nlmsg_batch_head(b->batch), mnl_nlmsg_batch_size(b->batch)) < 0) return -errno;
    int acks = 0, echoed = 0, failure = 0;
    char buffer[MNL_SOCKET_BUFFER_SIZE];
    while (acks < b->messages) {
        ssize_t n = mnl_socket_recvfrom(s->nl, buffer, sizeof(buffer));
        if (n < 0) return errno == EAGAIN ? -ETIMEDOUT : -errno;
        int length = (int)n;
        for (struct nlmsghdr *nlh = (struct nlmsghdr *)buffer; mnl_nlmsg_ok(nlh, length); nlh = mnl_nlmsg_next(nlh, &length)) {
            if (nlh->nlmsg_seq < b->first_seq) continue;
            if (nlh->nlmsg_type == NLMSG_ERROR) {
                const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
                acks++;
                if (err->error != 0 && failure == 0) failure = err->error;
                // After an error the kernel aborts the transaction: no more acknowledgements come.
                if (err->error != 0) return failure;
            } else if (handles && (nlh->nlmsg_type & 0xff) == NFT_MSG_NEWRULE) {
                struct nftnl_rule *r = nftnl_rule_alloc();
                if (r && nftnl_rule_nlmsg_parse(nlh, r) == 0) handles[echoed++] = nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE);
                if (r) nftnl_rule_free(r);
            }
        }
    }
    return failure;
}

static void add_table_and_chains(fl_socket *s, fl_batch *b) {
    struct nftnl_table *t = nftnl_table_alloc();
    nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_IPV4);
    nftnl_table_set_str(t, NFTNL_TABLE_NAME, table_name);
    nftnl_table_nlmsg_build_payload(batch_message(s, b, NFT_MSG_NEWTABLE, NLM_F_CREATE), t);
    mnl_nlmsg_batch_next(b->batch);
    nftnl_table_free(t);
    for (int i = 0; i < 2; i++) {
        struct nftnl_chain *c = nftnl_chain_alloc();
        nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table_name);
        nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, chain_names[i]);
        nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
        nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, chain_hooks[i]);
        nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, 0);
        nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
        nftnl_chain_nlmsg_build_payload(batch_message(s, b, NFT_MSG_NEWCHAIN, NLM_F_CREATE), c);
        mnl_nlmsg_batch_next(b->batch);
        nftnl_chain_free(c);
    }
}

int fl_nft_prepare(void *socket) {
    fl_socket *s = socket;
    fl_batch b = {0};
    int r = batch_start(s, &b, 16384);
    if (r) return r;
    add_table_and_chains(s, &b);
    r = batch_run(s, &b, NULL);
    batch_free(&b);
    return r;
}

int fl_nft_probe(void *socket) { return fl_nft_prepare(socket); }

static void add_expr(struct nftnl_rule *r, struct nftnl_expr *e) { nftnl_rule_add_expr(r, e); }

/// `payload load LEN bytes at OFFSET of BASE into reg 1`.
static void load_payload(struct nftnl_rule *r, uint32_t base, uint32_t offset, uint32_t length) {
    struct nftnl_expr *e = nftnl_expr_alloc("payload");
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, length);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
    add_expr(r, e);
}

/// `cmp eq reg 1 DATA`.
static void compare(struct nftnl_rule *r, const void *data, uint32_t length) {
    struct nftnl_expr *e = nftnl_expr_alloc("cmp");
    nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
    nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
    nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, length);
    add_expr(r, e);
}

/// `ip saddr|daddr ADDRESS/LENGTH`: the address field, masked when the prefix is shorter than 32.
static void match_address(struct nftnl_rule *r, uint32_t offset, uint32_t address, uint8_t length) {
    if (length == 0) return;
    load_payload(r, NFT_PAYLOAD_NETWORK_HEADER, offset, 4);
    uint32_t mask = length >= 32 ? 0xffffffffu : ~(0xffffffffu >> length);
    if (length < 32) {
        uint32_t m = htonl(mask), x = 0;
        struct nftnl_expr *e = nftnl_expr_alloc("bitwise");
        nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, 4);
        nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, &m, 4);
        nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, &x, 4);
        add_expr(r, e);
    }
    uint32_t value = htonl(address & mask);
    compare(r, &value, 4);
}

static struct nftnl_rule *build_rule(const fl_nft_rule *spec) {
    struct nftnl_rule *r = nftnl_rule_alloc();
    if (!r) return NULL;
    nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_IPV4);
    nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table_name);
    nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain_names[spec->chain == FL_NFT_OUTPUT ? 1 : 0]);
    if (spec->has_source) match_address(r, 12, spec->source, spec->source_length);
    match_address(r, 16, spec->destination, spec->destination_length);
    if (spec->l4proto) {
        struct nftnl_expr *e = nftnl_expr_alloc("meta");
        nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_L4PROTO);
        nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
        add_expr(r, e);
        compare(r, &spec->l4proto, 1);
    }
    if (spec->port_field != FL_NFT_NO_PORT) {
        load_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, spec->port_field == FL_NFT_SOURCE_PORT ? 0 : 2, 2);
        uint16_t port = htons(spec->port);
        compare(r, &port, 2);
    }
    if (spec->verdict == FL_NFT_REJECT) {
        struct nftnl_expr *e = nftnl_expr_alloc("reject");
        nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, spec->reject_type);
        nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE, spec->reject_code);
        add_expr(r, e);
    } else if (!__atomic_load_n(&queue_through_compat, __ATOMIC_RELAXED)) {
        struct nftnl_expr *e = nftnl_expr_alloc("queue");
        nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_NUM, spec->queue_number);
        nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_TOTAL, 1);
        nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_FLAGS, NFT_QUEUE_FLAG_BYPASS);
        add_expr(r, e);
    } else {
        // xt_NFQUEUE revision 3 (struct xt_NFQ_info_v3: queue, total, flags), padded to XT_ALIGN;
        // the expression takes ownership of the buffer.
        uint16_t *info = calloc(4, sizeof(uint16_t));
        if (!info) {
            nftnl_rule_free(r);
            return NULL;
        }
        info[0] = spec->queue_number;
        info[1] = 1;
        info[2] = 0x01; // NFQ_FLAG_BYPASS
        struct nftnl_expr *e = nftnl_expr_alloc("target");
        nftnl_expr_set_str(e, NFTNL_EXPR_TG_NAME, "NFQUEUE");
        nftnl_expr_set_u32(e, NFTNL_EXPR_TG_REV, 3);
        nftnl_expr_set(e, NFTNL_EXPR_TG_INFO, info, 4 * sizeof(uint16_t));
        add_expr(r, e);
    }
    return r;
}

static int add_rules(fl_socket *s, const fl_nft_rule *rules, int count, uint64_t *handles);

int fl_nft_add(void *socket, const fl_nft_rule *rules, int count, uint64_t *handles) {
    fl_socket *s = socket;
    if (count <= 0) return 0;
    int result = add_rules(s, rules, count, handles);
    int queues = 0;
    for (int i = 0; i < count; i++) queues |= rules[i].verdict == FL_NFT_QUEUE;
    if (result == -ENOENT && queues && !__atomic_load_n(&queue_through_compat, __ATOMIC_RELAXED)) {
        __atomic_store_n(&queue_through_compat, 1, __ATOMIC_RELAXED);
        result = add_rules(s, rules, count, handles);
    }
    return result;
}

static int add_rules(fl_socket *s, const fl_nft_rule *rules, int count, uint64_t *handles) {
    fl_batch b = {0};
    int result = batch_start(s, &b, 8192 + (size_t)count * 1024);
    if (result) return result;
    // The table and chains first, created if missing (a no-op when they exist), so a namespace
    // made again under the same name is never assumed prepared.
    add_table_and_chains(s, &b);
    for (int i = 0; i < count; i++) {
        struct nftnl_rule *r = build_rule(&rules[i]);
        if (!r) {
            batch_free(&b);
            return -ENOMEM;
        }
        uint16_t flags = NLM_F_CREATE | NLM_F_ECHO | (rules[i].append ? NLM_F_APPEND : 0);
        nftnl_rule_nlmsg_build_payload(batch_message(s, &b, NFT_MSG_NEWRULE, flags), r);
        mnl_nlmsg_batch_next(b.batch);
        nftnl_rule_free(r);
    }
    result = batch_run(s, &b, handles);
    batch_free(&b);
    return result;
}

static int delete_some(fl_socket *s, const int *chains, const uint64_t *handles, int count) {
    fl_batch b = {0};
    int result = batch_start(s, &b, 4096 + (size_t)count * 256);
    if (result) return result;
    for (int i = 0; i < count; i++) {
        struct nftnl_rule *r = nftnl_rule_alloc();
        nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_IPV4);
        nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table_name);
        nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain_names[chains[i] == FL_NFT_OUTPUT ? 1 : 0]);
        nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, handles[i]);
        nftnl_rule_nlmsg_build_payload(batch_message(s, &b, NFT_MSG_DELRULE, 0), r);
        mnl_nlmsg_batch_next(b.batch);
        nftnl_rule_free(r);
    }
    result = batch_run(s, &b, NULL);
    batch_free(&b);
    return result;
}

int fl_nft_delete(void *socket, const int *chains, const uint64_t *handles, int count) {
    fl_socket *s = socket;
    if (count <= 0) return 0;
    int result = delete_some(s, chains, handles, count);
    if (result != -ENOENT || count == 1) return result == -ENOENT ? 0 : result;
    int first = 0;
    for (int i = 0; i < count; i++) {
        int r = delete_some(s, &chains[i], &handles[i], 1);
        if (r != 0 && r != -ENOENT && first == 0) first = r;
    }
    return first;
}

int fl_nft_rule_count(void *socket) {
    fl_socket *s = socket;
    char buffer[MNL_SOCKET_BUFFER_SIZE];
    uint32_t seq = s->seq++;
    struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(buffer, NFT_MSG_GETRULE, NFPROTO_IPV4, NLM_F_DUMP | NLM_F_ACK, seq);
    struct nftnl_rule *r = nftnl_rule_alloc();
    if (!r) return -ENOMEM;
    nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table_name);
    nftnl_rule_nlmsg_build_payload(nlh, r);
    nftnl_rule_free(r);
    if (mnl_socket_sendto(s->nl, nlh, nlh->nlmsg_len) < 0) return -errno;
    int count = 0;
    for (;;) {
        ssize_t n = mnl_socket_recvfrom(s->nl, buffer, sizeof(buffer));
        if (n < 0) return errno == EAGAIN ? -ETIMEDOUT : -errno;
        int length = (int)n;
        for (struct nlmsghdr *m = (struct nlmsghdr *)buffer; mnl_nlmsg_ok(m, length); m = mnl_nlmsg_next(m, &length)) {
            if (m->nlmsg_seq != seq) continue;
            if (m->nlmsg_type == NLMSG_DONE) return count;
            if (m->nlmsg_type == NLMSG_ERROR) {
                const struct nlmsgerr *err = mnl_nlmsg_get_payload(m);
                if (err->error == 0) return count;
                return err->error == -ENOENT ? 0 : err->error;
            }
            if ((m->nlmsg_type & 0xff) == NFT_MSG_NEWRULE) count++;
        }
    }
}
