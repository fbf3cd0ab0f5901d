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
/// prctl(PR_SET_NAME): names the calling thread (`/proc/PID/task/TID/comm`, 15 characters).
int fl_set_thread_name(const char *name);
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

// MARK: Guest kernel (user-mode Linux): its launcher and its init

/// Starts `path` with `argv`/`envp` (NULL-terminated) under a keeper process and returns the
/// keeper's pid (-1 with errno on failure). stdin/stdout/stderr become `in_fd`/`out_fd`/`err_fd`;
/// every other descriptor is closed. The program leads a process group of its own; the keeper
/// (in another group) waits for it, then SIGKILLs that whole group — user-mode Linux leaves
/// helper processes behind when its main process ends — and exits with the program's status
/// (128 + signal if a signal ended it). The keeper gets SIGUSR2 when the calling *thread* ends
/// (PR_SET_PDEATHSIG), and on SIGUSR2 kills the group and exits 128 + SIGUSR2: a launcher ended
/// even by SIGKILL takes the guest with it, and the launcher ends the guest at once by sending
/// SIGUSR2. SIGINT, SIGTERM and SIGHUP are ignored (the launcher passes them on gracefully).
/// Call it from a thread that lives until the keeper has been waited for.
pid_t fl_spawn_kept(const char *path, char *const argv[], char *const envp[], int in_fd, int out_fd, int err_fd);
/// finit_module(2): loads the kernel module in `fd` with `params`.
int fl_finit_module(int fd, const char *params, int flags);
/// reboot(2) with `command` (RB_POWER_OFF, RB_DISABLE_CAD …).
int fl_reboot(int command);
extern const int FL_RB_POWER_OFF;
extern const int FL_RB_DISABLE_CAD;
/// Sets the IFF_UP flag of interface `name` in the calling thread's network namespace (SIOCSIFFLAGS).
int fl_interface_up(const char *name);

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
