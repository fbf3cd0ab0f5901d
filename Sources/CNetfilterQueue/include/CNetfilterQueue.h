#ifndef FAULTLINE_CNETFILTERQUEUE_H
#define FAULTLINE_CNETFILTERQUEUE_H
// NFQUEUE over raw netlink (NETLINK_NETFILTER, subsystem NFNL_SUBSYS_QUEUE): the few messages the
// userspace link-fault engine needs, encoded and decoded here so the hot path makes no allocation
// and no library call per packet. Equivalent to what libnetfilter_queue's nfq_* functions send.
#include <stddef.h>
#include <stdint.h>

/// Copy modes (NFQNL_COPY_*).
enum { FL_NFQ_COPY_META = 1, FL_NFQ_COPY_PACKET = 2 };
/// Verdicts (NF_DROP, NF_ACCEPT).
enum { FL_NFQ_DROP = 0, FL_NFQ_ACCEPT = 1 };

/// One queued packet, pointing into the receive buffer it was parsed from.
typedef struct {
    uint32_t id;
    uint16_t queue;
    uint16_t hw_protocol;
    uint32_t payload_length;
    const uint8_t *payload;
} fl_nfq_packet;

/// Opens a NETLINK_NETFILTER socket with a receive buffer of `rcvbuf` bytes (SO_RCVBUFFORCE) and
/// NETLINK_NO_ENOBUFS; returns the fd or -errno.
int fl_nfq_open(int rcvbuf);
/// Binds `queue` to the socket and sets copy mode/range, the queue's maxlen and, when
/// `fail_open`, NFQA_CFG_F_FAIL_OPEN. Waits for the kernel's acknowledgement: 0 or -errno.
int fl_nfq_bind(int fd, uint16_t queue, uint8_t copy_mode, uint32_t copy_range, uint32_t maxlen, int fail_open);
/// Unbinds `queue`: 0 or -errno.
int fl_nfq_unbind(int fd, uint16_t queue);
/// Receives up to `count` datagrams (recvmmsg, MSG_DONTWAIT) into `count` buffers of `each`
/// bytes laid out back to back; stores each length. Returns the number received, 0 when none is
/// waiting, or -errno.
int fl_nfq_receive(int fd, uint8_t *buffers, size_t each, int count, int *lengths);
/// Parses the packet messages of one datagram into `out` (at most `max`); returns how many.
/// Other messages (acknowledgements, errors) are skipped; `errors` counts error replies.
int fl_nfq_parse(const uint8_t *buffer, size_t length, fl_nfq_packet *out, int max, int *errors);
/// Appends one verdict message to `buffer` at `*used` (capacity `cap`); with `payload` the packet
/// is replaced by those bytes (NFQA_PAYLOAD). Returns 0, or -1 when the buffer is full.
int fl_nfq_put_verdict(uint8_t *buffer, size_t cap, size_t *used, uint16_t queue, uint32_t id,
                       uint32_t verdict, const uint8_t *payload, uint32_t payload_length);
/// Sends `length` bytes of verdict messages to the kernel: 0 or -errno.
int fl_nfq_send(int fd, const uint8_t *buffer, size_t length);

/// Opens a raw IPv4 socket (IPPROTO_RAW, so the header is the caller's) to re-send duplicates.
int fl_raw_open(void);
/// Sends a whole IPv4 packet to its own destination address: 0 or -errno.
int fl_raw_send(int fd, const uint8_t *packet, size_t length);

/// ppoll(2) on one fd for readability with a nanosecond timeout (negative: wait forever).
/// Returns 1 when readable, 0 on timeout, -errno on error.
int fl_poll_ns(int fd, int64_t timeout_ns);
/// CLOCK_MONOTONIC in nanoseconds.
int64_t fl_monotonic_ns(void);
#endif
