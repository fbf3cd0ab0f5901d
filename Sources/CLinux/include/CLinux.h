#ifndef FAULTLINE_CLINUX_H
#define FAULTLINE_CLINUX_H
// Linux calls that Swift's Glibc module does not expose (they need _GNU_SOURCE),
// wrapped as plain functions so Swift can call them.
#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

/// setns(2): move the calling *thread* into the namespace behind `fd`.
int fl_setns(int fd, int nstype);
/// unshare(2) for the calling thread.
int fl_unshare(int flags);
/// gettid(2).
pid_t fl_gettid(void);
/// mount(2).
int fl_mount(const char *source, const char *target, const char *fstype, unsigned long flags, const void *data);
/// umount2(2).
int fl_umount2(const char *target, int flags);
/// prctl(PR_SET_PDEATHSIG, sig): the child gets `sig` when its parent thread dies.
int fl_set_parent_death_signal(int sig);
/// prctl(PR_SET_TIMERSLACK, ns).
int fl_set_timer_slack(unsigned long ns);

/// sched_getaffinity(2): writes up to `max` CPU numbers `pid` may run on into `cpus`; returns
/// how many, or -1 with errno set. (CPU_ISSET is a macro Swift cannot call.)
int fl_get_affinity(pid_t pid, int *cpus, int max);
/// sched_setaffinity(2) for the calling thread (pid 0) or `pid`, to the `count` CPUs listed.
int fl_set_affinity(pid_t pid, const int *cpus, int count);

/// pipe2(2) with O_CLOEXEC.
int fl_pipe_cloexec(int fds[2]);
/// posix_spawn_file_actions_addchdir_np(3): the child starts in `path`.
int fl_spawn_addchdir(void *actions, const char *path);

/// A reusable set of buffers for receiving and answering UDP datagrams in batches
/// (recvmmsg/sendmmsg), so a server loop makes no allocation per datagram.
typedef struct fl_datagram_batch fl_datagram_batch;
/// `count` datagrams of up to `size` bytes each way; NULL when out of memory.
fl_datagram_batch *fl_datagram_batch_create(unsigned count, unsigned size);
void fl_datagram_batch_destroy(fl_datagram_batch *batch);
/// recvmmsg(fd, …, MSG_WAITFORONE): blocks (per the socket's mode and SO_RCVTIMEO) until one
/// datagram is there, then takes what else is waiting. Returns how many, or -errno. Drops
/// replies queued but not sent.
int fl_datagram_batch_receive(fl_datagram_batch *batch, int fd);
/// Datagram `i` of the last receive: its bytes, length and source (host byte order).
const uint8_t *fl_datagram_batch_input(const fl_datagram_batch *batch, unsigned i, int *length, uint32_t *address, uint16_t *port);
/// The buffer for the next reply (`size` bytes), or NULL when every slot is queued.
uint8_t *fl_datagram_batch_output(fl_datagram_batch *batch);
/// Queues the reply written into the buffer from `fl_datagram_batch_output`, to the source of input `input`.
void fl_datagram_batch_queue(fl_datagram_batch *batch, unsigned input, unsigned length);
/// sendmmsg of every queued reply; returns how many could not be sent.
int fl_datagram_batch_send(fl_datagram_batch *batch, int fd);
/// sendto(2) to an IPv4 address and port (host byte order); bytes sent or -errno.
int fl_datagram_send_to(int fd, const uint8_t *bytes, size_t length, uint32_t address, uint16_t port);

extern const int FL_CLONE_NEWNET;
extern const int FL_CLONE_NEWNS;
extern const int FL_CLONE_FS;
extern const unsigned long FL_MS_BIND;
extern const unsigned long FL_MS_REC;
extern const unsigned long FL_MS_SLAVE;
extern const unsigned long FL_MS_SHARED;
extern const unsigned long FL_MS_PRIVATE;
extern const int FL_MNT_DETACH;

#endif
