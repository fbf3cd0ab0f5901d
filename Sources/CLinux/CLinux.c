#define _GNU_SOURCE
#include "CLinux.h"
#include <sched.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <spawn.h>

int fl_setns(int fd, int nstype) { return setns(fd, nstype); }
int fl_unshare(int flags) { return unshare(flags); }
pid_t fl_gettid(void) { return (pid_t)syscall(SYS_gettid); }
int fl_mount(const char *source, const char *target, const char *fstype, unsigned long flags, const void *data) {
    return mount(source, target, fstype, flags, data);
}
int fl_umount2(const char *target, int flags) { return umount2(target, flags); }
int fl_set_parent_death_signal(int sig) { return prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0); }
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

const int FL_CLONE_NEWNET = CLONE_NEWNET;
const int FL_CLONE_NEWNS = CLONE_NEWNS;
const int FL_CLONE_FS = CLONE_FS;
const unsigned long FL_MS_BIND = MS_BIND;
const unsigned long FL_MS_REC = MS_REC;
const unsigned long FL_MS_SLAVE = MS_SLAVE;
const unsigned long FL_MS_SHARED = MS_SHARED;
const unsigned long FL_MS_PRIVATE = MS_PRIVATE;
const int FL_MNT_DETACH = MNT_DETACH;
