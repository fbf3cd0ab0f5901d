#define _GNU_SOURCE
#include <limits.h>
#include "CNetfilterQueue.h"
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static uint32_t sequence = 1;

int fl_nfq_open(int rcvbuf) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
    if (fd < 0) return -errno;
    struct sockaddr_nl local = { .nl_family = AF_NETLINK };
    if (bind(fd, (struct sockaddr *)&local, sizeof local) < 0) { int e = errno; close(fd); return -e; }
    // Best effort: without CAP_NET_ADMIN the force variant fails; the plain one is capped.
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    int one = 1;
    setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof one);
    return fd;
}

static void put_attr(uint8_t *buf, size_t *used, uint16_t type, const void *data, uint16_t len) {
    struct nlattr *a = (struct nlattr *)(buf + *used);
    a->nla_type = type;
    a->nla_len = NLA_HDRLEN + len;
    memcpy(buf + *used + NLA_HDRLEN, data, len);
    *used += NLA_ALIGN(a->nla_len);
}

static size_t start_message(uint8_t *buf, uint16_t type, uint16_t flags, uint16_t queue) {
    struct nlmsghdr *h = (struct nlmsghdr *)buf;
    memset(h, 0, NLMSG_HDRLEN + sizeof(struct nfgenmsg));
    h->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | type;
    h->nlmsg_flags = NLM_F_REQUEST | flags;
    h->nlmsg_seq = __atomic_fetch_add(&sequence, 1, __ATOMIC_RELAXED);
    struct nfgenmsg *g = (struct nfgenmsg *)(buf + NLMSG_HDRLEN);
    g->nfgen_family = AF_UNSPEC;
    g->version = NFNETLINK_V0;
    g->res_id = htons(queue);
    return NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg));
}

/// Sends one config message and waits for its acknowledgement.
static int request(int fd, uint8_t *buf, size_t used) {
    struct nlmsghdr *h = (struct nlmsghdr *)buf;
    h->nlmsg_len = (uint32_t)used;
    uint32_t seq = h->nlmsg_seq;
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    if (sendto(fd, buf, used, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) return -errno;
    uint8_t reply[8192];
    for (int tries = 0; tries < 64; tries++) {
        ssize_t n = recv(fd, reply, sizeof reply, 0);
        if (n < 0) { if (errno == EINTR) continue; return -errno; }
        for (struct nlmsghdr *r = (struct nlmsghdr *)reply; NLMSG_OK(r, (size_t)n); r = NLMSG_NEXT(r, n)) {
            if (r->nlmsg_type == NLMSG_ERROR && r->nlmsg_seq == seq) {
                struct nlmsgerr *e = (struct nlmsgerr *)NLMSG_DATA(r);
                return e->error;
            }
        }
    }
    return -ETIMEDOUT;
}

static int config(int fd, uint16_t queue, uint8_t command) {
    uint8_t buf[256];
    size_t used = start_message(buf, NFQNL_MSG_CONFIG, NLM_F_ACK, queue);
    struct nfqnl_msg_config_cmd cmd = { .command = command, .pf = htons(AF_INET) };
    put_attr(buf, &used, NFQA_CFG_CMD, &cmd, sizeof cmd);
    return request(fd, buf, used);
}

int fl_nfq_bind(int fd, uint16_t queue, uint8_t copy_mode, uint32_t copy_range, uint32_t maxlen, int fail_open) {
    int r = config(fd, queue, NFQNL_CFG_CMD_BIND);
    if (r < 0) return r;
    uint8_t buf[256];
    size_t used = start_message(buf, NFQNL_MSG_CONFIG, NLM_F_ACK, queue);
    struct nfqnl_msg_config_params params = { .copy_range = htonl(copy_range), .copy_mode = copy_mode };
    put_attr(buf, &used, NFQA_CFG_PARAMS, &params, sizeof params);
    uint32_t len = htonl(maxlen);
    put_attr(buf, &used, NFQA_CFG_QUEUE_MAXLEN, &len, sizeof len);
    uint32_t flags = htonl(fail_open ? NFQA_CFG_F_FAIL_OPEN : 0), mask = htonl(NFQA_CFG_F_FAIL_OPEN);
    put_attr(buf, &used, NFQA_CFG_FLAGS, &flags, sizeof flags);
    put_attr(buf, &used, NFQA_CFG_MASK, &mask, sizeof mask);
    return request(fd, buf, used);
}

int fl_nfq_unbind(int fd, uint16_t queue) { return config(fd, queue, NFQNL_CFG_CMD_UNBIND); }

int fl_nfq_receive(int fd, uint8_t *buffers, size_t each, int count, int *lengths) {
    struct mmsghdr msgs[count];
    struct iovec iov[count];
    for (int i = 0; i < count; i++) {
        iov[i].iov_base = buffers + (size_t)i * each;
        iov[i].iov_len = each;
        memset(&msgs[i], 0, sizeof msgs[i]);
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int n = recvmmsg(fd, msgs, (unsigned)count, MSG_DONTWAIT, NULL);
    if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;
    for (int i = 0; i < n; i++) lengths[i] = (int)msgs[i].msg_len;
    return n;
}

int fl_nfq_parse(const uint8_t *buffer, size_t length, fl_nfq_packet *out, int max, int *errors) {
    int found = 0;
    // Signed on purpose: the kernel's last message may have an unaligned nlmsg_len, and NLMSG_NEXT
    // subtracts the aligned length; with a size_t that wraps to a huge count and the loop walks off
    // the buffer. Signed, it goes negative and NLMSG_OK ends the loop (as in netlink(7)'s example).
    int left = length > INT_MAX ? INT_MAX : (int)length;
    for (const struct nlmsghdr *h = (const struct nlmsghdr *)buffer; NLMSG_OK(h, left) && found < max;
         h = NLMSG_NEXT(h, left)) {
        if (h->nlmsg_type == NLMSG_ERROR) {
            const struct nlmsgerr *e = (const struct nlmsgerr *)NLMSG_DATA(h);
            if (e->error != 0 && errors) (*errors)++;
            continue;
        }
        if (h->nlmsg_type != ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET)) continue;
        const struct nfgenmsg *g = (const struct nfgenmsg *)NLMSG_DATA(h);
        fl_nfq_packet p = { .queue = ntohs(g->res_id) };
        int has_header = 0;
        const uint8_t *attrs = (const uint8_t *)g + NLMSG_ALIGN(sizeof *g);
        const uint8_t *end = (const uint8_t *)h + h->nlmsg_len;
        while (attrs + NLA_HDRLEN <= end) {
            const struct nlattr *a = (const struct nlattr *)attrs;
            if (a->nla_len < NLA_HDRLEN || attrs + a->nla_len > end) break;
            const uint8_t *data = attrs + NLA_HDRLEN;
            uint16_t type = a->nla_type & NLA_TYPE_MASK;
            if (type == NFQA_PACKET_HDR && a->nla_len >= NLA_HDRLEN + sizeof(struct nfqnl_msg_packet_hdr)) {
                const struct nfqnl_msg_packet_hdr *ph = (const struct nfqnl_msg_packet_hdr *)data;
                p.id = ntohl(ph->packet_id);
                p.hw_protocol = ntohs(ph->hw_protocol);
                has_header = 1;
            } else if (type == NFQA_PAYLOAD) {
                p.payload = data;
                p.payload_length = a->nla_len - NLA_HDRLEN;
            }
            attrs += NLA_ALIGN(a->nla_len);
        }
        if (has_header) out[found++] = p;
    }
    return found;
}

int fl_nfq_put_verdict(uint8_t *buffer, size_t cap, size_t *used, uint16_t queue, uint32_t id,
                       uint32_t verdict, const uint8_t *payload, uint32_t payload_length) {
    size_t need = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg))
        + NLA_ALIGN(NLA_HDRLEN + sizeof(struct nfqnl_msg_verdict_hdr))
        + (payload ? NLA_ALIGN(NLA_HDRLEN + payload_length) : 0);
    if (*used + need > cap || payload_length > 0xFFFF - NLA_HDRLEN) return -1;
    uint8_t *m = buffer + *used;
    size_t len = start_message(m, NFQNL_MSG_VERDICT, 0, queue);
    struct nfqnl_msg_verdict_hdr vh = { .verdict = htonl(verdict), .id = htonl(id) };
    put_attr(m, &len, NFQA_VERDICT_HDR, &vh, sizeof vh);
    if (payload) put_attr(m, &len, NFQA_PAYLOAD, payload, (uint16_t)payload_length);
    ((struct nlmsghdr *)m)->nlmsg_len = (uint32_t)len;
    *used += NLMSG_ALIGN(len);
    return 0;
}

int fl_nfq_send(int fd, const uint8_t *buffer, size_t length) {
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    for (;;) {
        if (sendto(fd, buffer, length, 0, (struct sockaddr *)&kernel, sizeof kernel) >= 0) return 0;
        if (errno != EINTR) return -errno;
    }
}

int fl_raw_open(void) {
    int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
    return fd < 0 ? -errno : fd;
}

int fl_raw_send(int fd, const uint8_t *packet, size_t length) {
    if (length < 20) return -EINVAL;
    struct sockaddr_in to = { .sin_family = AF_INET };
    memcpy(&to.sin_addr, packet + 16, 4);
    return sendto(fd, packet, length, 0, (struct sockaddr *)&to, sizeof to) < 0 ? -errno : 0;
}

int fl_poll_ns(int fd, int64_t timeout_ns) {
    struct pollfd p = { .fd = fd, .events = POLLIN };
    struct timespec ts, *tsp = NULL;
    if (timeout_ns >= 0) {
        ts.tv_sec = timeout_ns / 1000000000LL;
        ts.tv_nsec = timeout_ns % 1000000000LL;
        tsp = &ts;
    }
    int r = ppoll(&p, 1, tsp, NULL);
    if (r < 0) return errno == EINTR ? 0 : -errno;
    return r > 0 ? 1 : 0;
}

int64_t fl_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}
