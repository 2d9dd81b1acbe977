/* exec_proc.c — see exec_proc.h.  The run loop forks the command into its
 * own process group and then poll()s its two pipes against a monotonic
 * deadline, handing every chunk read to the sink.  The leader is never
 * reaped before the end (waitid WNOWAIT notices its exit), so its pid —
 * which is also the group id — cannot be reused while we may still signal
 * the group.
 */
#define _GNU_SOURCE   /* pipe2: pipes must be close-on-exec atomically, other threads fork too */

#include "worker/exec_proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "worker/forksrv.h"
#include "worker/proc_child.h"

#define READ_CHUNK 65536
#define POLL_SLICE_MS 50
#define LEFTOVER_DRAIN_S 1.0   /* after the leader exits, how long others may hold its pipes */
#define FINAL_DRAIN_S 2.0      /* after SIGKILL, how long we wait for the pipes to close */
#define MEMORY_CHECK_MS 100    /* how often a memory limit is checked */

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* In the child: only async-signal-safe calls from here to execve. */
static void child_exec(const char *path, char *const argv[], char *const envp[], const char *workdir,
                       int devnull, int out_w, int err_w, int status_w)
{
    lrs_proc_child_defaults();
    int report[2] = {0, 0};
    if (dup2(devnull, 0) < 0 || dup2(out_w, 1) < 0 || dup2(err_w, 2) < 0) {
        report[0] = 2;
        report[1] = errno;
        goto fail;
    }
    if (workdir && chdir(workdir) < 0) {
        report[0] = 1;
        report[1] = errno;
        goto fail;
    }
    execve(path, argv, envp);
    report[0] = 2;
    report[1] = errno;
fail:
    if (write(status_w, report, sizeof report) < 0) {
        /* nothing left to tell anyone */
    }
    _exit(127);
}

static void signal_group(pid_t pgid, int sig)
{
    kill(-pgid, sig);
}

/* Forks argv into a new process group with its stdout / stderr on pipes
 * (through the preload helper when a->fs is set).  Returns the pid (with
 * *out_fd, *err_fd open), 0 when the child could not change directory or
 * exec (o->exec_stage / exec_errno say why; the child is reaped) or the
 * helper was gone (o->helper_gone), -1 with err when no process could be
 * started. */
static pid_t start_child(const lrs_exec_runner_t *a, const char *path, char *const argv[],
                         char *const envp[], int *out_fd, int *err_fd, lrs_exec_outcome_t *o,
                         lrs_err_t *err)
{
    int out_p[2] = {-1, -1}, err_p[2] = {-1, -1}, st_p[2] = {-1, -1}, devnull = -1;
    pid_t result = -1;
    const char *wd = a->spec->workdir;
    if (a->fs && wd && access(wd, X_OK) != 0) {   /* what the forked child would report */
        o->exec_stage = 1;
        o->exec_errno = errno;
        return 0;
    }
    if (pipe2(out_p, O_CLOEXEC) < 0 || pipe2(err_p, O_CLOEXEC) < 0 ||
        (!a->fs && pipe2(st_p, O_CLOEXEC) < 0) ||
        (devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "cannot create pipes for the command: %s", strerror(errno));
        goto done;
    }
    if (a->fs) {
        pid_t run = lrs_forksrv_spawn(a->fs, argv, a->argc, a->py, envp, wd, devnull, out_p[1],
                                      err_p[1], err);
        o->helper_gone = run == -2;
        result = run == -2 ? 0 : run;
        if (run > 0)
            goto started;
        goto done;
    }
    pid_t pid = fork();
    if (pid < 0) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "cannot start the command: fork: %s", strerror(errno));
        goto done;
    }
    if (pid == 0)
        child_exec(path, argv, envp, a->spec->workdir, devnull, out_p[1], err_p[1], st_p[1]);
    setpgid(pid, pid);   /* also in the parent, so the group exists before we may signal it */
    close_fd(&st_p[1]);
    /* The status pipe closes on a successful exec; a failed one writes its reason. */
    int report[2];
    ssize_t got;
    do
        got = read(st_p[0], report, sizeof report);
    while (got < 0 && errno == EINTR);
    if (got == (ssize_t)sizeof report) {
        o->exec_stage = report[0];
        o->exec_errno = report[1];
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
        }
        result = 0;
        goto done;
    }
    result = pid;
started:
    *out_fd = out_p[0];
    *err_fd = err_p[0];
    out_p[0] = err_p[0] = -1;
done:
    close_fd(&out_p[0]);
    close_fd(&out_p[1]);
    close_fd(&err_p[0]);
    close_fd(&err_p[1]);
    close_fd(&st_p[0]);
    close_fd(&st_p[1]);
    close_fd(&devnull);
    return result;
}

/* The resident memory of process group pgid: the sum of its processes'
 * RSS (bytes) from /proc/PID/stat (field 5 the group, 24 the pages). */
static uint64_t group_rss(pid_t pgid)
{
    DIR *d = opendir("/proc");
    if (!d)
        return 0;
    uint64_t total = 0;
    long page = sysconf(_SC_PAGESIZE);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        char path[300], buf[1024];
        snprintf(path, sizeof path, "/proc/%.255s/stat", e->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0)
            continue;
        buf[n] = '\0';
        const char *p = strrchr(buf, ')');   /* the name may hold spaces and ')' */
        long long grp = 0, rss = 0;
        if (p && sscanf(p + 2, "%*c %*d %lld %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d "
                               "%*d %*d %*d %*u %*u %lld", &grp, &rss) == 2 &&
            grp == pgid && rss > 0)
            total += (uint64_t)rss * (uint64_t)(page > 0 ? page : 4096);
    }
    closedir(d);
    return total;
}

/* Whether the run's leader has exited (it stays unreaped either way). */
static int leader_has_exited(const lrs_exec_runner_t *a, pid_t pid, lrs_exec_outcome_t *o)
{
    if (a->fs) {
        int x = lrs_forksrv_exited(a->fs);
        if (x < 0)
            o->helper_lost = 1;
        return x != 0;
    }
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int w = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT);
    return (w == 0 && si.si_pid == pid) || (w < 0 && errno == ECHILD);
}

/* The run's watchdog: a fork of this process (it execs nothing) holding
 * the read end of a pipe whose only write end stays here.  Should this
 * process die without cleaning up — kill -9 of a worker — the pipe reports
 * end of file and the watchdog kills the command's whole group, so no run
 * outlives its worker.  It sits outside that group (a TERM on timeout does
 * not reach it) and ignores the terminal's signals.  After a normal end
 * stop_watchdog kills it before closing the pipe.  Returns its pid with
 * *lifeline open, or -1 (no watchdog: the run goes on without one). */
static pid_t start_watchdog(pid_t pgid, int *lifeline)
{
    int p[2], devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull < 0)
        return -1;
    if (pipe2(p, O_CLOEXEC) < 0) {
        close(devnull);
        return -1;
    }
    pid_t w = fork();
    if (w == 0) {   /* only async-signal-safe calls from here on */
        static const int ignored[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGUSR1, SIGUSR2};
        for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++)
            signal(ignored[i], SIG_IGN);
        /* no descriptor of ours may keep another run's lifeline (or a socket) open */
        dup2(devnull, 0);
        dup2(devnull, 1);
        dup2(devnull, 2);
        if (p[0] != 3 && dup2(p[0], 3) < 0)
            _exit(1);
#ifdef SYS_close_range
        if (syscall(SYS_close_range, 4U, ~0U, 0U) < 0)
#endif
            for (int fd = 4; fd < 65536; fd++)
                close(fd);
        char c;
        while (read(3, &c, 1) < 0 && errno == EINTR) {
        }
        kill(-pgid, SIGKILL);
        _exit(0);
    }
    close(p[0]);
    close(devnull);
    if (w < 0) {
        close(p[1]);
        return -1;
    }
    *lifeline = p[1];
    return w;
}

static void stop_watchdog(pid_t w, int *lifeline)
{
    if (w <= 0)
        return;
    kill(w, SIGKILL);
    while (waitpid(w, NULL, 0) < 0 && errno == EINTR) {
    }
    close_fd(lifeline);
}

/* Poll timeout until the earliest of the deadlines, at most one slice. */
static int poll_timeout_ms(double now, double next)
{
    if (next - now >= POLL_SLICE_MS / 1000.0)
        return POLL_SLICE_MS;
    return next > now ? (int)((next - now) * 1000.0) + 1 : 0;
}

/* Reads the child's output until it has exited and its pipes are closed,
 * enforcing the timeout, cancel and kill grace.  fds[0], fds[1] are stdout
 * and stderr; they are closed on return.  The leader is left unreaped. */
static int pump(const lrs_exec_runner_t *a, pid_t pid, int fds[2], char *buf, lrs_exec_outcome_t *o,
                lrs_err_t *err)
{
    const lrs_exec_spec_t *spec = a->spec;
    double deadline = spec->timeout_s > 0 ? lrs_mono_seconds() + spec->timeout_s : INFINITY;
    double grace = spec->kill_grace_s > 0 ? spec->kill_grace_s : LRS_EXEC_DEFAULT_KILL_GRACE;
    double kill_at = INFINITY;       /* when SIGKILL follows SIGTERM */
    double give_up_at = INFINITY;    /* when we stop waiting for the pipes */
    int leader_exited = 0, killed = 0, rc = 0;
    double memory_at = 0;            /* next memory check */
    while (1) {
        if (!leader_exited) {
            if (leader_has_exited(a, pid, o)) {
                leader_exited = 1;
                /* others of its group may still hold the pipes: give them a moment */
                if (!killed && !isfinite(kill_at))
                    give_up_at = lrs_mono_seconds() + LEFTOVER_DRAIN_S;
            }
        }
        if (fds[0] < 0 && fds[1] < 0 && leader_exited)
            break;
        double now = lrs_mono_seconds();
        if (!o->timed_out && !o->cancelled && !o->stopped && !killed && !leader_exited) {
            if (a->cancel && atomic_load(a->cancel))
                o->cancelled = 1;
            else if (a->stop && atomic_load(a->stop))
                o->stopped = 1;
            else if (now >= deadline)
                o->timed_out = 1;
            if (o->timed_out || o->cancelled || o->stopped) {
                signal_group(pid, SIGTERM);
                kill_at = now + grace;
            }
        }
        if (spec->memory_limit && !killed && !o->memory_exceeded && now >= memory_at) {
            memory_at = now + MEMORY_CHECK_MS / 1000.0;
            uint64_t rss = group_rss(pid);
            if (rss > o->memory_peak)
                o->memory_peak = rss;
            if (rss > spec->memory_limit) {   /* memory grows fast: no grace */
                o->memory_exceeded = 1;
                signal_group(pid, SIGKILL);
                killed = 1;
                give_up_at = now + FINAL_DRAIN_S;
            }
        }
        if (!killed && (now >= kill_at || now >= give_up_at)) {
            /* The grace period is over, or the leader is gone and others still hold its pipes. */
            signal_group(pid, SIGKILL);
            killed = 1;
            give_up_at = now + FINAL_DRAIN_S;
        } else if (killed && now >= give_up_at) {
            break;   /* someone outside the group holds the pipes: stop reading */
        }
        struct pollfd pfd[3];
        int np = 0;
        for (int i = 0; i < 2; i++)
            if (fds[i] >= 0)
                pfd[np++] = (struct pollfd){.fd = fds[i], .events = POLLIN};
        int reads = np;   /* the helper's socket, polled after the pipes, says the run ended */
        if (a->fs && !leader_exited)
            pfd[np++] = (struct pollfd){.fd = lrs_forksrv_fd(a->fs), .events = POLLIN};
        int timeout_ms = poll_timeout_ms(now, fmin(fmin(deadline, kill_at), give_up_at));
        int pr = poll(np > 0 ? pfd : NULL, (nfds_t)np, timeout_ms);
        if (pr < 0 && errno != EINTR) {
            rc = lrs_err_set(err, LRS_EXIT_RUNTIME, "poll: %s", strerror(errno));
            break;
        }
        for (int i = 0; pr > 0 && i < reads; i++) {
            if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            int stream = pfd[i].fd == fds[0] ? 1 : 2;
            ssize_t n = read(pfd[i].fd, buf, READ_CHUNK);
            if (n > 0)
                a->sink(a->ctx, stream, buf, (size_t)n);
            else if (n == 0 || (errno != EINTR && errno != EAGAIN))
                close_fd(&fds[stream - 1]);
        }
    }
    close_fd(&fds[0]);
    close_fd(&fds[1]);
    return rc;
}

/* Runs argv once; fills o.  -1 (runtime) only when the process could not be
 * started or watched. */
int lrs_exec_run_once(const lrs_exec_runner_t *a, const char *path, char *const argv[],
                      char *const envp[], lrs_exec_outcome_t *o, lrs_err_t *err)
{
    memset(o, 0, sizeof *o);
    o->exit_status = -1;
    char *buf = malloc(READ_CHUNK);
    if (!buf)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
    int fds[2] = {-1, -1};
    pid_t pid = start_child(a, path, argv, envp, &fds[0], &fds[1], o, err);
    if (pid <= 0) {
        free(buf);
        return pid < 0 ? -1 : 0;
    }
    int lifeline = -1;
    pid_t watchdog = start_watchdog(pid, &lifeline);
    int rc = pump(a, pid, fds, buf, o, err);
    free(buf);
    /* Anything the command left in its group goes now; the leader is still
     * unreaped, so its pid (the group id) cannot have been reused. */
    if (!o->helper_lost)   /* a lost helper's run may be reaped already: its pid is not ours */
        signal_group(pid, SIGKILL);
    stop_watchdog(watchdog, &lifeline);
    int status = 0;
    pid_t w = pid;
    if (a->fs) {
        if (o->helper_lost || lrs_forksrv_reap(a->fs, &status) < 0) {
            o->helper_lost = 1;
            return rc;
        }
    } else {
        do
            w = waitpid(pid, &status, 0);
        while (w < 0 && errno == EINTR);
    }
    if (w == pid && WIFEXITED(status))
        o->exit_status = WEXITSTATUS(status);
    else if (w == pid && WIFSIGNALED(status))
        o->term_signal = WTERMSIG(status);
    return rc;
}
