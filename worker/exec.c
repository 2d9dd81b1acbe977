/* exec.c — the external-command runner (see exec.h).
 *
 * The template language and program lookup are common/command.c; here are
 * the environment of a run and the run loop, which forks the command into
 * its own process group and then poll()s its two pipes against a monotonic
 * deadline, feeding every chunk
 * read to a bounded log ring, a stderr line ring and the stdout metric-line
 * splitter.  The leader is never reaped before the end (waitid WNOWAIT
 * notices its exit), so its pid — which is also the group id — cannot be
 * reused while we may still signal the group.
 */
#define _GNU_SOURCE   /* pipe2: pipes must be close-on-exec atomically, other threads fork too */

#include "worker/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/strbuf.h"

extern char **environ;

#define READ_CHUNK 65536
#define POLL_SLICE_MS 50
#define LEFTOVER_DRAIN_S 1.0   /* after the leader exits, how long others may hold its pipes */
#define FINAL_DRAIN_S 2.0      /* after SIGKILL, how long we wait for the pipes to close */

/* ---- environment ------------------------------------------------------ */

static int env_name_matches(const char *entry, const char *name, size_t name_len)
{
    return strncmp(entry, name, name_len) == 0 && entry[name_len] == '=';
}

/* Whether entry's NAME is set by one of the n "NAME=value" overrides. */
static int overridden(const char *entry, char *const *over, int n)
{
    for (int i = 0; i < n; i++) {
        size_t len = strcspn(over[i], "=");
        if (env_name_matches(entry, over[i], len))
            return 1;
    }
    return 0;
}

/* Builds envp: environ minus overridden names, then the overrides. */
static int build_env(lrs_words_t *overrides, lrs_words_t *envp)
{
    for (char **e = environ; e && *e; e++)
        if (!overridden(*e, overrides->v, overrides->n) && lrs_words_push(envp, *e, strlen(*e)) < 0)
            return -1;
    for (int i = 0; i < overrides->n; i++) {
        /* a later override of the same name wins (spec env may repeat a name) */
        size_t len = strcspn(overrides->v[i], "=");
        int later = 0;
        for (int j = i + 1; j < overrides->n && !later; j++)
            later = env_name_matches(overrides->v[j], overrides->v[i], len);
        if (!later && lrs_words_push(envp, overrides->v[i], strlen(overrides->v[i])) < 0)
            return -1;
    }
    return 0;
}

static const char *env_lookup(char *const *envp, int n, const char *name)
{
    size_t len = strlen(name);
    for (int i = 0; i < n; i++)
        if (env_name_matches(envp[i], name, len))
            return envp[i] + len + 1;
    return NULL;
}

/* ---- per-trial accumulation ------------------------------------------- */

typedef struct acc {
    const lrs_exec_spec_t *spec;
    const lrs_exec_hooks_t *hooks;
    lrs_exec_result_t *out;
    int fold;
    /* log ring */
    char *ring;
    size_t ring_cap, ring_head, ring_len;
    /* stderr lines: ring of LRS_EXEC_STDERR_LINES finished lines + the current one */
    char err_lines[LRS_EXEC_STDERR_LINES][LRS_EXEC_STDERR_LINE_MAX];
    size_t err_line_len[LRS_EXEC_STDERR_LINES];
    int err_first, err_count;
    char err_cur[LRS_EXEC_STDERR_LINE_MAX];
    size_t err_cur_len;
    int err_cur_open;                 /* bytes seen since the last newline */
    /* the stdout line being assembled */
    char *line;
    size_t line_len;
    int line_overlong;
    /* metrics: last value this fold, sum of per-fold last values over folds */
    double fold_last[LRS_EXEC_MAX_NAMES];
    int fold_has[LRS_EXEC_MAX_NAMES];
    double final_sum[LRS_EXEC_MAX_NAMES];
    int final_count[LRS_EXEC_MAX_NAMES];
    size_t curve_cap;
    int objective_seen;               /* this fold */
    char diverged[256];               /* first non-finite objective report, "" if none */
    int oom;
} acc_t;

static void log_add(acc_t *a, const char *data, size_t len)
{
    if (a->ring_cap == 0)
        return;
    if (len >= a->ring_cap) {       /* only the last ring_cap bytes can survive */
        data += len - a->ring_cap;
        len = a->ring_cap;
    }
    size_t tail = (a->ring_head + a->ring_len) % a->ring_cap;
    size_t first = a->ring_cap - tail < len ? a->ring_cap - tail : len;
    memcpy(a->ring + tail, data, first);
    memcpy(a->ring, data + first, len - first);
    a->ring_len += len;
    if (a->ring_len > a->ring_cap) {
        a->ring_head = (a->ring_head + a->ring_len - a->ring_cap) % a->ring_cap;
        a->ring_len = a->ring_cap;
    }
}

static void err_line_finish(acc_t *a)
{
    int slot;
    if (a->err_count < LRS_EXEC_STDERR_LINES) {
        slot = (a->err_first + a->err_count) % LRS_EXEC_STDERR_LINES;
        a->err_count++;
    } else {
        slot = a->err_first;
        a->err_first = (a->err_first + 1) % LRS_EXEC_STDERR_LINES;
    }
    memcpy(a->err_lines[slot], a->err_cur, a->err_cur_len);
    a->err_line_len[slot] = a->err_cur_len;
    a->err_cur_len = 0;
    a->err_cur_open = 0;
}

static void stderr_add(acc_t *a, const char *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (data[i] == '\n') {
            err_line_finish(a);
            continue;
        }
        a->err_cur_open = 1;
        if (a->err_cur_len < LRS_EXEC_STDERR_LINE_MAX)
            a->err_cur[a->err_cur_len++] = data[i];
    }
}

static int name_index(acc_t *a, const char *name)
{
    lrs_exec_result_t *r = a->out;
    for (int i = 0; i < r->n_names; i++)
        if (strcmp(r->names[i], name) == 0)
            return i;
    if (r->n_names == LRS_EXEC_MAX_NAMES)
        return -1;
    snprintf(r->names[r->n_names], LRS_METRIC_NAME_MAX, "%s", name);
    return r->n_names++;
}

static void curve_add(acc_t *a, int epoch, int name, double value)
{
    lrs_exec_result_t *r = a->out;
    if (r->n_curve == LRS_EXEC_MAX_CURVE) {
        r->curve_truncated = 1;
        return;
    }
    if (r->n_curve == a->curve_cap) {
        size_t cap = a->curve_cap ? a->curve_cap * 2 : 256;
        lrs_exec_point_t *p = realloc(r->curve, cap * sizeof *p);
        if (!p) {
            a->oom = 1;
            return;
        }
        r->curve = p;
        a->curve_cap = cap;
    }
    r->curve[r->n_curve++] = (lrs_exec_point_t){a->fold, epoch, name, value};
}

static void metric_line(acc_t *a, const lrs_metric_line_t *m)
{
    int e = lrs_metrics_find(m, "epoch");
    int epoch = 0, has_epoch = 0;
    if (e >= 0) {
        double ev = m->items[e].value;
        if (isfinite(ev) && ev == floor(ev) && fabs(ev) <= 1e9) {
            epoch = (int)ev;
            has_epoch = 1;
        }
    }
    for (int i = 0; i < m->n; i++) {
        const lrs_metric_t *it = &m->items[i];
        if (strcmp(it->name, a->spec->metric) == 0) {
            a->objective_seen = 1;
            if (!isfinite(it->value) && !a->diverged[0]) {
                if (has_epoch)
                    snprintf(a->diverged, sizeof a->diverged, "%s is %g at epoch %d", it->name,
                             it->value, epoch);
                else
                    snprintf(a->diverged, sizeof a->diverged, "%s is %g", it->name, it->value);
            }
        }
        if (i == e)
            continue;
        int k = name_index(a, it->name);
        if (k < 0)
            continue;
        a->fold_last[k] = it->value;
        a->fold_has[k] = 1;
        if (has_epoch)
            curve_add(a, epoch, k, it->value);
    }
    if (a->hooks && a->hooks->on_metrics)
        a->hooks->on_metrics(a->hooks->ctx, a->fold, m);
}

static void stdout_line_end(acc_t *a)
{
    if (!a->line_overlong && a->line_len > 0) {
        lrs_metric_line_t m;
        if (lrs_metrics_parse_line(a->line, a->line_len, &m))
            metric_line(a, &m);
    }
    a->line_len = 0;
    a->line_overlong = 0;
}

static void stdout_add(acc_t *a, const char *data, size_t len)
{
    while (len > 0) {
        const char *nl = memchr(data, '\n', len);
        size_t n = nl ? (size_t)(nl - data) : len;
        if (!a->line_overlong) {
            if (a->line_len + n > LRS_METRIC_LINE_MAX) {
                a->line_overlong = 1;
            } else {
                memcpy(a->line + a->line_len, data, n);
                a->line_len += n;
            }
        }
        if (!nl)
            return;
        stdout_line_end(a);
        data += n + 1;
        len -= n + 1;
    }
}

static void output(acc_t *a, int stream, const char *data, size_t len)
{
    a->out->output_bytes += len;
    log_add(a, data, len);
    if (stream == 1)
        stdout_add(a, data, len);
    else
        stderr_add(a, data, len);
    if (a->hooks && a->hooks->on_output)
        a->hooks->on_output(a->hooks->ctx, a->fold, stream, data, len);
}

/* ---- one run ---------------------------------------------------------- */

typedef struct run_outcome {
    int exec_stage;          /* 0 ran; 1 chdir failed; 2 execve failed */
    int exec_errno;
    int timed_out, cancelled;
    int exit_status;         /* -1 when not exited */
    int term_signal;
} run_outcome_t;

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
    static const int reset[] = {SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGCHLD,
                                SIGUSR1, SIGUSR2, SIGALRM, SIGTSTP, SIGTTIN, SIGTTOU};
    setpgid(0, 0);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (size_t i = 0; i < sizeof reset / sizeof reset[0]; i++)
        sigaction(reset[i], &dfl, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
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

/* Forks argv into a new process group with its stdout / stderr on pipes.
 * Returns the pid (with *out_fd, *err_fd open), 0 when the child could not
 * change directory or exec (o->exec_stage / exec_errno say why; the child is
 * reaped), -1 with err when no process could be started. */
static pid_t start_child(const acc_t *a, const char *path, char *const argv[], char *const envp[],
                         int *out_fd, int *err_fd, run_outcome_t *o, lrs_err_t *err)
{
    int out_p[2] = {-1, -1}, err_p[2] = {-1, -1}, st_p[2] = {-1, -1}, devnull = -1;
    pid_t result = -1;
    if (pipe2(out_p, O_CLOEXEC) < 0 || pipe2(err_p, O_CLOEXEC) < 0 || pipe2(st_p, O_CLOEXEC) < 0 ||
        (devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "cannot create pipes for the command: %s", strerror(errno));
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
    *out_fd = out_p[0];
    *err_fd = err_p[0];
    out_p[0] = err_p[0] = -1;
    result = pid;
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
static int pump(acc_t *a, pid_t pid, int fds[2], char *buf, run_outcome_t *o, lrs_err_t *err)
{
    const lrs_exec_spec_t *spec = a->spec;
    double deadline = spec->timeout_s > 0 ? lrs_mono_seconds() + spec->timeout_s : INFINITY;
    double grace = spec->kill_grace_s > 0 ? spec->kill_grace_s : LRS_EXEC_DEFAULT_KILL_GRACE;
    double kill_at = INFINITY;       /* when SIGKILL follows SIGTERM */
    double give_up_at = INFINITY;    /* when we stop waiting for the pipes */
    int leader_exited = 0, killed = 0, rc = 0;
    while (1) {
        if (!leader_exited) {
            siginfo_t si;
            memset(&si, 0, sizeof si);
            int w = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT);
            if ((w == 0 && si.si_pid == pid) || (w < 0 && errno == ECHILD)) {
                leader_exited = 1;
                /* others of its group may still hold the pipes: give them a moment */
                if (!killed && !isfinite(kill_at))
                    give_up_at = lrs_mono_seconds() + LEFTOVER_DRAIN_S;
            }
        }
        if (fds[0] < 0 && fds[1] < 0 && leader_exited)
            break;
        double now = lrs_mono_seconds();
        if (!o->timed_out && !o->cancelled && !killed && !leader_exited) {
            if (a->hooks && a->hooks->cancel && atomic_load(a->hooks->cancel))
                o->cancelled = 1;
            else if (now >= deadline)
                o->timed_out = 1;
            if (o->timed_out || o->cancelled) {
                signal_group(pid, SIGTERM);
                kill_at = now + grace;
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
        struct pollfd pfd[2];
        int np = 0;
        for (int i = 0; i < 2; i++)
            if (fds[i] >= 0)
                pfd[np++] = (struct pollfd){.fd = fds[i], .events = POLLIN};
        int timeout_ms = poll_timeout_ms(now, fmin(fmin(deadline, kill_at), give_up_at));
        int pr = poll(np > 0 ? pfd : NULL, (nfds_t)np, timeout_ms);
        if (pr < 0 && errno != EINTR) {
            rc = lrs_err_set(err, LRS_EXIT_RUNTIME, "poll: %s", strerror(errno));
            break;
        }
        for (int i = 0; pr > 0 && i < np; i++) {
            if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            int stream = pfd[i].fd == fds[0] ? 1 : 2;
            ssize_t n = read(pfd[i].fd, buf, READ_CHUNK);
            if (n > 0)
                output(a, stream, buf, (size_t)n);
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
static int run_once(acc_t *a, const char *path, char *const argv[], char *const envp[], run_outcome_t *o,
                    lrs_err_t *err)
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
    signal_group(pid, SIGKILL);
    stop_watchdog(watchdog, &lifeline);
    int status = 0;
    pid_t w;
    do
        w = waitpid(pid, &status, 0);
    while (w < 0 && errno == EINTR);
    if (w == pid && WIFEXITED(status))
        o->exit_status = WEXITSTATUS(status);
    else if (w == pid && WIFSIGNALED(status))
        o->term_signal = WTERMSIG(status);
    return rc;
}

/* ---- the trial -------------------------------------------------------- */

static void result_init(lrs_exec_result_t *r)
{
    memset(r, 0, sizeof *r);
    r->status = LRS_STATUS_FAILED;
    r->objective = NAN;
    r->objective_std = NAN;
    r->exit_status = -1;
    for (int i = 0; i < LRS_EXEC_MAX_NAMES; i++)
        r->finals[i] = NAN;
}

void lrs_exec_result_free(lrs_exec_result_t *r)
{
    if (!r)
        return;
    free(r->curve);
    free(r->stderr_tail);
    free(r->log);
    r->curve = NULL;
    r->n_curve = 0;
    r->stderr_tail = NULL;
    r->stderr_tail_len = 0;
    r->log = NULL;
    r->log_len = 0;
}

static int validate_spec(const lrs_exec_spec_t *spec, lrs_err_t *err)
{
    if (!spec->metric || !lrs_metrics_valid_name(spec->metric))
        return lrs_err_set(err, LRS_EXIT_USAGE, "metric: '%s' is not a valid metric name",
                           spec->metric ? spec->metric : "");
    if (spec->folds < 0 || spec->folds > LRS_EXEC_MAX_FOLDS)
        return lrs_err_set(err, LRS_EXIT_USAGE, "folds: %d is out of range [0, %d]", spec->folds,
                           LRS_EXEC_MAX_FOLDS);
    if (!(spec->timeout_s >= 0) || !isfinite(spec->timeout_s))
        return lrs_err_set(err, LRS_EXIT_USAGE, "timeout: expected a number of seconds >= 0");
    if (!(spec->kill_grace_s >= 0) || !isfinite(spec->kill_grace_s))
        return lrs_err_set(err, LRS_EXIT_USAGE, "kill grace: expected a number of seconds >= 0");
    for (int i = 0; i < spec->n_env; i++) {
        const char *e = spec->env[i];
        const char *eq = e ? strchr(e, '=') : NULL;
        if (!eq || eq == e)
            return lrs_err_set(err, LRS_EXIT_USAGE, "env: entry %d ('%s') is not NAME=value", i + 1,
                               e ? e : "");
        if (strncmp(e, "LRSWEEP_", 8) == 0)
            return lrs_err_set(err, LRS_EXIT_USAGE, "env: %.*s is set by lrsweep itself", (int)(eq - e),
                               e);
    }
    return 0;
}

/* The reason the fold-th run failed, or 0 when it succeeded. */
static int run_verdict(const acc_t *a, const run_outcome_t *o, const char *prog, char *msg, size_t size)
{
    if (o->cancelled)
        return snprintf(msg, size, "cancelled"), LRS_STATUS_CANCELLED;
    if (a->diverged[0])
        return snprintf(msg, size, "diverged: %s", a->diverged), LRS_STATUS_DIVERGED;
    if (o->timed_out)
        return snprintf(msg, size, "timeout"), LRS_STATUS_FAILED;
    if (o->exec_stage == 1)
        return snprintf(msg, size, "workdir '%s': %s", a->spec->workdir, strerror(o->exec_errno)),
               LRS_STATUS_FAILED;
    if (o->exec_stage == 2)
        return snprintf(msg, size, "cannot run '%s': %s", prog, strerror(o->exec_errno)),
               LRS_STATUS_FAILED;
    if (o->term_signal)
        return snprintf(msg, size, "killed by signal %d", o->term_signal), LRS_STATUS_FAILED;
    if (o->exit_status != 0) {
        const char *hint = "";
        if (a->spec->shell && o->exit_status == 127)
            hint = " (command not found)";
        else if (a->spec->shell && o->exit_status == 126)
            hint = " (command not executable)";
        return snprintf(msg, size, "exit status %d%s", o->exit_status, hint), LRS_STATUS_FAILED;
    }
    if (!a->objective_seen)
        return snprintf(msg, size, "no '%s' reported", a->spec->metric), LRS_STATUS_FAILED;
    return 0;
}

/* Copies the log ring and the stderr lines into the result. */
static void finish_output(acc_t *a)
{
    lrs_exec_result_t *r = a->out;
    if (a->err_cur_open)
        err_line_finish(a);
    lrs_strbuf_t tail = {0};
    int ok = lrs_sb_add(&tail, "", 0) == 0;
    for (int i = 0; ok && i < a->err_count; i++) {
        int slot = (a->err_first + i) % LRS_EXEC_STDERR_LINES;
        ok = lrs_sb_add(&tail, a->err_lines[slot], a->err_line_len[slot]) == 0 &&
             lrs_sb_add(&tail, "\n", 1) == 0;
    }
    if (ok) {
        r->stderr_tail = tail.p;
        r->stderr_tail_len = tail.len;
    } else {
        free(tail.p);
    }
    r->log = malloc(a->ring_len + 1);
    if (r->log) {
        size_t first = a->ring_cap - a->ring_head < a->ring_len ? a->ring_cap - a->ring_head : a->ring_len;
        if (first)
            memcpy(r->log, a->ring + a->ring_head, first);
        if (a->ring_len > first)
            memcpy(r->log + first, a->ring, a->ring_len - first);
        r->log[a->ring_len] = '\0';
        r->log_len = a->ring_len;
    }
}

/* Builds the environment of the trial's runs into envp; with folds,
 * *fold_at is the index of the LRSWEEP_FOLD entry, rewritten per run (else
 * -1).  -1 on allocation failure. */
static int trial_env(const lrs_exec_spec_t *spec, const lrs_trial_cfg_t *cfg, uint64_t trial,
                     uint64_t seed, lrs_words_t *envp, int *fold_at)
{
    lrs_words_t over = {0};
    lrs_strbuf_t entry = {0};
    char *params = lrs_exec_params_json(cfg);
    char text[128];
    int rc = -1;
    *fold_at = -1;
    if (!params)
        goto done;
    for (int i = 0; i < spec->n_env; i++)
        if (lrs_words_push(&over, spec->env[i], strlen(spec->env[i])) < 0)
            goto done;
    int has_unbuffered = env_lookup(over.v, over.n, "PYTHONUNBUFFERED") != NULL;
    snprintf(text, sizeof text, "LRSWEEP_TRIAL=%llu", (unsigned long long)trial);
    if (lrs_words_push(&over, text, strlen(text)) < 0)
        goto done;
    snprintf(text, sizeof text, "LRSWEEP_SEED=%llu", (unsigned long long)seed);
    if (lrs_words_push(&over, text, strlen(text)) < 0 || lrs_sb_adds(&entry, "LRSWEEP_PARAMS=") < 0 ||
        lrs_sb_adds(&entry, params) < 0 || lrs_words_push(&over, entry.p, entry.len) < 0)
        goto done;
    if (!has_unbuffered && lrs_words_push(&over, "PYTHONUNBUFFERED=1", 18) < 0)
        goto done;
    if (spec->folds > 0) {
        snprintf(text, sizeof text, "LRSWEEP_FOLDS=%d", spec->folds);
        if (lrs_words_push(&over, text, strlen(text)) < 0 || lrs_words_push(&over, "LRSWEEP_FOLD=0", 14) < 0)
            goto done;
    }
    if (build_env(&over, envp) < 0)
        goto done;
    if (spec->folds > 0)
        *fold_at = envp->n - 1;   /* build_env keeps the overrides' order, last at the end */
    rc = 0;
done:
    lrs_words_free(&over);
    free(entry.p);
    free(params);
    return rc;
}

/* Folds one run's outcome into the trial; returns 1 to go on with the next fold. */
static int finish_run(acc_t *a, const run_outcome_t *o, const char *prog, int fold, int runs,
                      double *fold_objective)
{
    lrs_exec_result_t *out = a->out;
    out->exit_status = o->exit_status;
    out->term_signal = o->term_signal;
    for (int k = 0; k < out->n_names; k++)
        if (a->fold_has[k]) {
            a->final_sum[k] += a->fold_last[k];
            a->final_count[k]++;
        }
    char msg[400];
    int verdict = run_verdict(a, o, prog, msg, sizeof msg);
    if (verdict != 0) {
        out->status = (lrs_status_t)verdict;
        if (a->spec->folds > 1)
            snprintf(out->error, sizeof out->error, "fold %d/%d: %s", fold + 1, runs, msg);
        else
            snprintf(out->error, sizeof out->error, "%s", msg);
        return 0;
    }
    int k = name_index(a, a->spec->metric);
    fold_objective[fold] = k >= 0 ? a->fold_last[k] : NAN;
    return 1;
}

/* Mean and population std of the folds' objectives, and each name's final value. */
static void summarise(acc_t *a, const double *fold_objective, int runs)
{
    lrs_exec_result_t *out = a->out;
    for (int k = 0; k < out->n_names; k++)
        out->finals[k] = a->final_count[k] ? a->final_sum[k] / a->final_count[k] : NAN;
    if (out->status != LRS_STATUS_COMPLETE)
        return;
    double sum = 0, sq = 0;
    for (int f = 0; f < runs; f++)
        sum += fold_objective[f];
    double mean = sum / runs;
    for (int f = 0; f < runs; f++)
        sq += (fold_objective[f] - mean) * (fold_objective[f] - mean);
    out->objective = mean;
    out->objective_std = sqrt(sq / runs);
}

int lrs_exec_run(const lrs_exec_spec_t *spec, const lrs_trial_cfg_t *cfg, uint64_t trial,
                 uint64_t seed, const lrs_exec_hooks_t *hooks, lrs_exec_result_t *out,
                 lrs_err_t *err)
{
    result_init(out);
    char **argv = NULL;
    int argc = 0, fold_at = -1;
    lrs_words_t envp = {0};
    char *path = NULL;
    acc_t *a = NULL;
    double *fold_objective = NULL;
    int rc = -1;
    double started = lrs_mono_seconds();

    if (validate_spec(spec, err) < 0 || lrs_exec_expand(spec->command, spec->shell, cfg, &argv, &argc, err) < 0)
        goto done;
    int runs = spec->folds > 0 ? spec->folds : 1;
    a = calloc(1, sizeof *a);
    fold_objective = calloc((size_t)runs, sizeof *fold_objective);
    if (!a || !fold_objective)
        goto oom;
    a->spec = spec;
    a->hooks = hooks;
    a->out = out;
    a->ring_cap = spec->log_tail_bytes ? spec->log_tail_bytes : LRS_EXEC_DEFAULT_LOG_TAIL;
    a->ring = malloc(a->ring_cap);
    a->line = malloc(LRS_METRIC_LINE_MAX + 1);
    if (!a->ring || !a->line || trial_env(spec, cfg, trial, seed, &envp, &fold_at) < 0)
        goto oom;

    path = lrs_exec_find_program_in(argv[0], env_lookup(envp.v, envp.n, "PATH"), spec->workdir);
    if (!path) {
        snprintf(out->error, sizeof out->error, "command not found: %s", argv[0]);
        out->status = LRS_STATUS_FAILED;
        rc = 0;
        goto done;
    }

    out->status = LRS_STATUS_COMPLETE;
    for (int fold = 0; fold < runs; fold++) {
        a->fold = fold;
        a->objective_seen = 0;
        memset(a->fold_has, 0, sizeof a->fold_has);
        if (fold_at >= 0) {
            char text[64];
            int n = snprintf(text, sizeof text, "LRSWEEP_FOLD=%d", fold);
            char *entry = strdup(text);
            if (!entry)
                goto oom;
            free(envp.v[fold_at]);
            envp.v[fold_at] = entry;
            n = snprintf(text, sizeof text, "[lrsweep] fold %d/%d\n", fold + 1, runs);
            log_add(a, text, (size_t)n);
        }
        run_outcome_t o;
        out->runs++;
        if (run_once(a, path, argv, envp.v, &o, err) < 0)
            goto done;
        if (a->line_len > 0)
            stdout_line_end(a);   /* a last report without its newline still counts */
        if (a->oom)
            goto oom;
        if (!finish_run(a, &o, argv[0], fold, runs, fold_objective))
            break;
    }
    summarise(a, fold_objective, runs);
    rc = 0;
    goto done;
oom:
    rc = lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory running the command");
done:
    if (a) {
        finish_output(a);
        free(a->ring);
        free(a->line);
    }
    out->elapsed_s = lrs_mono_seconds() - started;
    free(a);
    free(fold_objective);
    free(path);
    lrs_words_free(&envp);
    lrs_exec_argv_free(&argv);
    return rc;
}
