#ifndef FAULTLINE_CLINUX_H
#define FAULTLINE_CLINUX_H
// Linux calls that Swift's Glibc module does not expose (they need _GNU_SOURCE),
// wrapped as plain functions so Swift can call them.
#include <sys/types.h>

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
