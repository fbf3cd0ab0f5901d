#define _GNU_SOURCE
#include "CLinux.h"
#include <sched.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <net/if.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/wait.h>

int fl_setns(int fd, int nstype) { return setns(fd, nstype); }
int fl_unshare(int flags) { return unshare(flags); }
pid_t fl_gettid(void) { return (pid_t)syscall(SYS_gettid); }
int fl_mount(const char *source, const char *target, const char *fstype, unsigned long flags, const void *data) {
    return mount(source, target, fstype, flags, data);
}
int fl_umount2(const char *target, int flags) { return umount2(target, flags); }
int fl_set_parent_death_signal(int sig) { return prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0); }
int fl_set_thread_name(const char *name) { return prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0); }
int fl_set_timer_slack(unsigned long ns) { return prctl(PR_SET_TIMERSLACK, ns, 0, 0, 0); }

int fl_get_affinity(pid_t pid, int *cpus, int max) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(pid, sizeof set, &set) != 0) return -1;
    int n = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && n < max; cpu++) {
        if (CPU_ISSET(cpu, &set)) cpus[n++] = cpu;
    }
    return n;
}
int fl_set_affinity(pid_t pid, const int *cpus, int count) {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int i = 0; i < count; i++) {
        if (cpus[i] >= 0 && cpus[i] < CPU_SETSIZE) CPU_SET(cpus[i], &set);
    }
    return sched_setaffinity(pid, sizeof set, &set);
}

int fl_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }
int fl_spawn_addchdir(void *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np((posix_spawn_file_actions_t *)actions, path);
}

// MARK: Guest kernel

/// In a forked child only async-signal-safe calls follow (the parent has other threads).
static void fl_close_from(int first) {
    if (syscall(SYS_close_range, (unsigned)first, ~0U, 0) == 0) return;
    for (int fd = first; fd < 65536; fd++) close(fd);
}

pid_t fl_spawn_kept(const char *path, char *const argv[], char *const envp[], int in_fd, int out_fd, int err_fd) {
    pid_t launcher = getpid();
    sigset_t all, old;
    sigfillset(&all);
    // No handler of the parent may run in a child before it has set up its own signals.
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t keeper = fork();
    if (keeper != 0) {
        int saved = errno;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        errno = saved;
        return keeper;
    }
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGUSR2, 0, 0, 0);
    if (getppid() != launcher) _exit(128 + SIGUSR2);  // the launcher thread ended before prctl
    for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL);
    pid_t child = fork();
    if (child == 0) {
        setpgid(0, 0);
        if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0) _exit(127);
        fl_close_from(3);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execve(path, argv, envp);
        _exit(127);
    }
    if (child < 0) _exit(126);
    setpgid(child, child);  // also here, so the group exists before any kill below
    fl_close_from(0);
    sigset_t wanted;
    sigemptyset(&wanted);
    sigaddset(&wanted, SIGCHLD);
    sigaddset(&wanted, SIGUSR2);
    // SIGINT, SIGTERM and SIGHUP are the launcher's to pass on gracefully; they stay blocked here,
    // so a signal sent to every process of the command (pkill, a terminal) does not end the guest.
    for (;;) {
        int sig = sigwaitinfo(&wanted, NULL);
        if (sig == SIGCHLD) {
            int status = 0;
            if (waitpid(child, &status, WNOHANG) == child) {
                kill(-child, SIGKILL);
                _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
            }
        } else if (sig > 0) {
            kill(-child, SIGKILL);
            waitpid(child, NULL, 0);
            _exit(128 + sig);
        }
    }
}

int fl_finit_module(int fd, const char *params, int flags) { return (int)syscall(SYS_finit_module, fd, params, flags); }
int fl_reboot(int command) { return reboot(command); }
const int FL_RB_POWER_OFF = RB_POWER_OFF;
const int FL_RB_DISABLE_CAD = RB_DISABLE_CAD;

int fl_interface_up(const char *name) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct ifreq request;
    memset(&request, 0, sizeof request);
    strncpy(request.ifr_name, name, IFNAMSIZ - 1);
    int rc = ioctl(fd, SIOCGIFFLAGS, &request);
    if (rc == 0) {
        request.ifr_flags |= IFF_UP;
        rc = ioctl(fd, SIOCSIFFLAGS, &request);
    }
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

const int FL_CLONE_NEWNET = CLONE_NEWNET;
const int FL_CLONE_NEWNS = CLONE_NEWNS;
const int FL_CLONE_FS = CLONE_FS;
const unsigned long FL_MS_BIND = MS_BIND;
const unsigned long FL_MS_REC = MS_REC;
const unsigned long FL_MS_SLAVE = MS_SLAVE;
const unsigned long FL_MS_SHARED = MS_SHARED;
const unsigned long FL_MS_PRIVATE = MS_PRIVATE;
const int FL_MNT_DETACH = MNT_DETACH;

// MARK: Datagram batches (recvmmsg/sendmmsg) for the DNS server's UDP loop


struct fl_datagram_batch {
    unsigned count;
    unsigned size;
    uint8_t *in;
    uint8_t *out;
    struct mmsghdr *in_msgs;
    struct iovec *in_iov;
    struct sockaddr_in *in_addr;
    struct mmsghdr *out_msgs;
    struct iovec *out_iov;
    struct sockaddr_in *out_addr;
    unsigned queued;
};

fl_datagram_batch *fl_datagram_batch_create(unsigned count, unsigned size) {
    fl_datagram_batch *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->count = count;
    b->size = size;
    b->in = malloc((size_t)count * size);
    b->out = malloc((size_t)count * size);
    b->in_msgs = calloc(count, sizeof *b->in_msgs);
    b->in_iov = calloc(count, sizeof *b->in_iov);
    b->in_addr = calloc(count, sizeof *b->in_addr);
    b->out_msgs = calloc(count, sizeof *b->out_msgs);
    b->out_iov = calloc(count, sizeof *b->out_iov);
    b->out_addr = calloc(count, sizeof *b->out_addr);
    if (!b->in || !b->out || !b->in_msgs || !b->in_iov || !b->in_addr || !b->out_msgs || !b->out_iov || !b->out_addr) {
        fl_datagram_batch_destroy(b);
        return NULL;
    }
    for (unsigned i = 0; i < count; i++) {
        b->in_iov[i].iov_base = b->in + (size_t)i * size;
        b->in_iov[i].iov_len = size;
        b->in_msgs[i].msg_hdr.msg_iov = &b->in_iov[i];
        b->in_msgs[i].msg_hdr.msg_iovlen = 1;
        b->in_msgs[i].msg_hdr.msg_name = &b->in_addr[i];
        b->out_msgs[i].msg_hdr.msg_iov = &b->out_iov[i];
        b->out_msgs[i].msg_hdr.msg_iovlen = 1;
        b->out_msgs[i].msg_hdr.msg_name = &b->out_addr[i];
        b->out_msgs[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_in);
    }
    return b;
}

void fl_datagram_batch_destroy(fl_datagram_batch *b) {
    if (!b) return;
    free(b->in); free(b->out);
    free(b->in_msgs); free(b->in_iov); free(b->in_addr);
    free(b->out_msgs); free(b->out_iov); free(b->out_addr);
    free(b);
}

int fl_datagram_batch_receive(fl_datagram_batch *b, int fd) {
    for (unsigned i = 0; i < b->count; i++) {
        b->in_msgs[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_in);
        b->in_msgs[i].msg_hdr.msg_flags = 0;
    }
    b->queued = 0;
    int n;
    do { n = recvmmsg(fd, b->in_msgs, b->count, MSG_WAITFORONE, NULL); } while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : n;
}

const uint8_t *fl_datagram_batch_input(const fl_datagram_batch *b, unsigned i, int *length, uint32_t *address, uint16_t *port) {
    const struct mmsghdr *m = &b->in_msgs[i];
    // A datagram cut to the buffer (MSG_TRUNC) is read as what arrived: the parser rejects it.
    *length = (int)(m->msg_len < b->size ? m->msg_len : b->size);
    if (m->msg_hdr.msg_namelen >= sizeof(struct sockaddr_in) && b->in_addr[i].sin_family == AF_INET) {
        *address = ntohl(b->in_addr[i].sin_addr.s_addr);
        *port = ntohs(b->in_addr[i].sin_port);
    } else {
        *address = 0;
        *port = 0;
    }
    return b->in + (size_t)i * b->size;
}

uint8_t *fl_datagram_batch_output(fl_datagram_batch *b) {
    return b->queued < b->count ? b->out + (size_t)b->queued * b->size : NULL;
}

void fl_datagram_batch_queue(fl_datagram_batch *b, unsigned input, unsigned length) {
    unsigned q = b->queued;
    b->out_iov[q].iov_base = b->out + (size_t)q * b->size;
    b->out_iov[q].iov_len = length < b->size ? length : b->size;
    b->out_addr[q] = b->in_addr[input];
    b->out_msgs[q].msg_hdr.msg_namelen = sizeof(struct sockaddr_in);
    b->queued = q + 1;
}

int fl_datagram_batch_send(fl_datagram_batch *b, int fd) {
    unsigned sent = 0;
    int failures = 0;
    while (sent < b->queued) {
        int n = sendmmsg(fd, b->out_msgs + sent, b->queued - sent, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            // One reply that cannot go (e.g. no route back) must not hold up the others.
            sent += 1;
            failures += 1;
            continue;
        }
        sent += (unsigned)n;
    }
    b->queued = 0;
    return failures;
}

int fl_datagram_send_to(int fd, const uint8_t *bytes, size_t length, uint32_t address, uint16_t port) {
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(address);
    sa.sin_port = htons(port);
    ssize_t n;
    do { n = sendto(fd, bytes, length, 0, (struct sockaddr *)&sa, sizeof sa); } while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : (int)n;
}
