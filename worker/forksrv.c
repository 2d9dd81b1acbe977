/* forksrv.c — see forksrv.h.
 *
 * The helper is `PYTHON [options] -c CODE MODULE...` with the socket on
 * descriptor 3.  Its protocol, one SOCK_SEQPACKET message each:
 *   helper → worker  "O threads" (preloaded; threads it then runs)
 *                    | "F traceback" (an import failed; it exits)
 *   worker → helper  "MODE\0CWD\0ARGC\0ARGV...\0ENV..." with descriptors
 *                    0, 1, 2 of the run (SCM_RIGHTS); MODE is S (script) or M (-m)
 *   helper → worker  "P pid" (forked into its own group), then "X" when
 *                    the run has exited (seen with WNOWAIT: still unreaped)
 *   worker → helper  "R" once the group is killed; helper → worker "S status"
 *                    (the wait status) after reaping it.
 * The run's pid is thus never free for reuse while the worker may signal
 * its group, as with a command the worker forks itself.
 */
#define _GNU_SOURCE   /* pipe2, SOCK_CLOEXEC */

#include "worker/forksrv.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/strbuf.h"
#include "worker/proc_child.h"

#define MSG_MAX (4u << 20)         /* a request: argv and environment */
#define REPLY_MAX 4096
#define START_TIMEOUT_S 600.0      /* preloading torch takes seconds; a hung import, this */
#define POLL_SLICE_MS 50

/* The helper's Python code (the CODE of `python -c`). */
static const char helper_code[] =
    "import os, signal, socket, sys\n"
    "\n"
    "\n"
    "def lrsweep_child(sock, fields, fds):\n"
    "    os.setpgid(0, 0)\n"
    "    sock.close()\n"
    "    for i, fd in enumerate(fds[:3]):\n"
    "        os.dup2(fd, i)\n"
    "    for fd in fds:\n"
    "        if fd > 2:\n"
    "            os.close(fd)\n"
    "    signal.signal(signal.SIGINT, signal.default_int_handler)\n"
    "    mode, cwd, argc = fields[0], fields[1], int(fields[2])\n"
    "    argv = [os.fsdecode(a) for a in fields[3:3 + argc]]\n"
    "    os.environ.clear()\n"
    "    for entry in fields[3 + argc:]:\n"
    "        if not entry:\n"
    "            continue\n"
    "        name, _, value = entry.partition(b\"=\")\n"
    "        os.environb[name] = value\n"
    "    if cwd:\n"
    "        os.chdir(cwd)\n"
    "    for name in (\"random\",):\n"
    "        if name in sys.modules:\n"
    "            sys.modules[name].seed()\n"
    "    import builtins, io, runpy, weakref\n"
    "    opened = weakref.WeakSet()   # files to flush at the end, as interpreter teardown would\n"
    "    real_open = io.open\n"
    "\n"
    "    def tracked_open(*args, **kwargs):\n"
    "        f = real_open(*args, **kwargs)\n"
    "        try:\n"
    "            opened.add(f)\n"
    "        except TypeError:\n"
    "            pass\n"
    "        return f\n"
    "\n"
    "    builtins.open = io.open = tracked_open\n"
    "    target = argv[0]\n"
    "    if mode == b\"M\":\n"
    "        sys.argv = [\"\"] + argv[1:]\n"
    "        sys.path[0] = os.getcwd()\n"
    "        run = lambda: runpy.run_module(target, run_name=\"__main__\", alter_sys=True)\n"
    "        mine = None\n"
    "    else:\n"
    "        sys.argv = argv\n"
    "        sys.path[0] = os.path.dirname(os.path.abspath(target))\n"
    "        run = lambda: runpy.run_path(target, run_name=\"__main__\")\n"
    "        mine = os.path.abspath(target)\n"
    "    code, interrupted = 0, False\n"
    "    try:\n"
    "        if mine and not os.path.exists(target):\n"
    "            sys.stderr.write(\"%s: can't open file %r: [Errno 2] No such file or directory\\n\"\n"
    "                             % (os.path.basename(sys.executable), mine))\n"
    "            code = 2\n"
    "        else:\n"
    "            run()\n"
    "    except SystemExit as e:\n"
    "        code = lrsweep_exit_code(e)\n"
    "    except BaseException as e:\n"
    "        tb = e.__traceback__\n"
    "        while mine and tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename) != mine:\n"
    "            tb = tb.tb_next\n"
    "        if tb is not None:\n"
    "            e.__traceback__ = tb\n"
    "        sys.excepthook(type(e), e, e.__traceback__)\n"
    "        code, interrupted = 1, isinstance(e, KeyboardInterrupt)\n"
    "    lrsweep_finish(code, interrupted, opened)\n"
    "\n"
    "\n"
    "def lrsweep_exit_code(e):\n"
    "    if e.code is None:\n"
    "        return 0\n"
    "    if isinstance(e.code, int):\n"
    "        return e.code & 0xFF\n"
    "    try:\n"
    "        sys.stderr.write(\"%s\\n\" % (e.code,))\n"
    "    except Exception:\n"
    "        pass\n"
    "    return 1\n"
    "\n"
    "\n"
    "def lrsweep_finish(code, interrupted, opened):\n"
    "    # A script's end without the interpreter's teardown of every module\n"
    "    # (0.2 s with torch loaded): threads joined, atexit run, files flushed.\n"
    "    import atexit, threading\n"
    "    try:\n"
    "        threading._shutdown()\n"
    "    except Exception:\n"
    "        pass\n"
    "    atexit._run_exitfuncs()\n"
    "    for f in list(opened) + [sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__]:\n"
    "        try:\n"
    "            f.flush()\n"
    "        except Exception:\n"
    "            pass\n"
    "    if interrupted:\n"
    "        signal.signal(signal.SIGINT, signal.SIG_DFL)\n"
    "        os.kill(os.getpid(), signal.SIGINT)\n"
    "    os._exit(code)\n"
    "\n"
    "\n"
    "def lrsweep_serve():\n"
    "    sock = socket.socket(fileno=3)\n"
    "    try:\n"
    "        for name in sys.argv[1:]:\n"
    "            __import__(name)\n"
    "    except BaseException:\n"
    "        import traceback\n"
    "        sock.send(b\"F\" + traceback.format_exc().encode(\"utf-8\", \"replace\")[-3000:])\n"
    "        return\n"
    "    sock.send(b\"O %d\" % len(os.listdir(\"/proc/self/task\")))\n"
    "    while True:\n"
    "        msg, fds, _, _ = socket.recv_fds(sock, 1 << 22, 8)\n"
    "        if not msg:\n"
    "            return\n"
    "        pid = os.fork()\n"
    "        if pid == 0:\n"
    "            lrsweep_child(sock, msg.split(b\"\\0\"), fds)\n"
    "        for fd in fds:\n"
    "            os.close(fd)\n"
    "        try:\n"
    "            os.setpgid(pid, pid)\n"
    "        except OSError:\n"
    "            pass\n"
    "        sock.send(b\"P %d\" % pid)\n"
    "        os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)\n"
    "        sock.send(b\"X\")\n"
    "        if not sock.recv(16):\n"
    "            return\n"
    "        sock.send(b\"S %d\" % os.waitpid(pid, 0)[1])\n"
    "\n"
    "\n"
    "lrsweep_serve()\n";

struct lrs_forksrv {
    pid_t pid;                  /* the helper */
    int sock;
    int threads;
    int broken;                 /* gone or out of step: ended on give */
    int in_run;                 /* a run was spawned and not yet reaped */
    int exit_seen;              /* its X arrived */
    char *key;
    size_t key_len;
    struct lrs_forksrv *next;   /* the idle list */
};

static pthread_mutex_t idle_lock = PTHREAD_MUTEX_INITIALIZER;
static lrs_forksrv_t *idle;

static int is_trial_env(const char *entry)
{
    return strncmp(entry, "LRSWEEP_", 8) == 0;
}

/* What a helper is for: program, options, preload list and environment,
 * each word NUL-ended, groups ended by an empty word. */
static int make_key(lrs_strbuf_t *k, const char *path, char *const argv[], const lrs_pycmd_t *cmd,
                    const char *const *preload, int n_preload, char *const envp[])
{
    int rc = lrs_sb_add(k, path, strlen(path) + 1);
    for (int i = 0; rc == 0 && i < cmd->n_opts; i++)
        rc = lrs_sb_add(k, argv[1 + i], strlen(argv[1 + i]) + 1);
    rc = rc ? rc : lrs_sb_add(k, "", 1);
    for (int i = 0; rc == 0 && i < n_preload; i++)
        rc = lrs_sb_add(k, preload[i], strlen(preload[i]) + 1);
    rc = rc ? rc : lrs_sb_add(k, "", 1);
    for (int i = 0; rc == 0 && envp[i]; i++)
        if (!is_trial_env(envp[i]))
            rc = lrs_sb_add(k, envp[i], strlen(envp[i]) + 1);
    return rc;
}

static void end_helper(lrs_forksrv_t *fs)
{
    if (!fs)
        return;
    if (fs->sock >= 0)
        close(fs->sock);   /* the helper reads end of file and exits */
    if (fs->pid > 0) {
        kill(fs->pid, SIGKILL);
        while (waitpid(fs->pid, NULL, 0) < 0 && errno == EINTR) {
        }
    }
    free(fs->key);
    free(fs);
}

/* One message from the helper within timeout_s: its length, 0 when the
 * helper is gone, -1 on timeout. */
static ssize_t recv_reply(int sock, char *buf, size_t size, double timeout_s)
{
    double until = lrs_mono_seconds() + timeout_s;
    while (1) {
        ssize_t n = recv(sock, buf, size - 1, MSG_DONTWAIT);
        if (n >= 0) {
            buf[n] = '\0';
            return n;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            return 0;
        double left = until - lrs_mono_seconds();
        if (left <= 0)
            return -1;
        struct pollfd p = {.fd = sock, .events = POLLIN};
        poll(&p, 1, left * 1000.0 < POLL_SLICE_MS ? (int)(left * 1000.0) + 1 : POLL_SLICE_MS);
    }
}

/* The last non-empty line of text (a traceback's exception). */
static const char *last_line(char *text)
{
    size_t n = strlen(text);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
        text[--n] = '\0';
    char *nl = strrchr(text, '\n');
    return nl ? nl + 1 : text;
}

static lrs_forksrv_t *start_helper(const char *path, char *const argv[], const lrs_pycmd_t *cmd,
                                   const char *const *preload, int n_preload, char *const envp[],
                                   lrs_strbuf_t *key, lrs_err_t *err)
{
    int sv[2] = {-1, -1}, devnull = -1;
    size_t n_args = (size_t)cmd->n_opts + (size_t)n_preload + 4;
    char **hargv = calloc(n_args, sizeof *hargv);
    lrs_forksrv_t *fs = calloc(1, sizeof *fs);
    lrs_words_t env = {0};
    int ok = hargv && fs;
    for (int i = 0; ok && envp[i]; i++)
        if (!is_trial_env(envp[i]))
            ok = lrs_words_push(&env, envp[i], strlen(envp[i])) == 0;
    if (!ok || (env.n == 0 && lrs_words_push(&env, "LRSWEEP_HELPER=1", 16) < 0)) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory starting the preload helper");
        goto fail;
    }
    size_t k = 0;
    hargv[k++] = (char *)path;
    for (int i = 0; i < cmd->n_opts; i++)
        hargv[k++] = argv[1 + i];
    hargv[k++] = "-c";
    hargv[k++] = (char *)helper_code;
    for (int i = 0; i < n_preload; i++)
        hargv[k++] = (char *)preload[i];
    hargv[k] = NULL;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0 ||
        (devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "cannot start the preload helper: %s", strerror(errno));
        goto fail;
    }
    pid_t pid = fork();
    if (pid < 0) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "cannot start the preload helper: fork: %s", strerror(errno));
        goto fail;
    }
    if (pid == 0) {   /* only async-signal-safe calls from here to execve */
        lrs_proc_child_defaults();
        if (dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0 || dup2(devnull, 2) < 0)
            _exit(127);
        if (sv[1] == 3 ? fcntl(3, F_SETFD, 0) < 0 : dup2(sv[1], 3) < 0)
            _exit(127);
        execve(path, hargv, env.v);
        _exit(127);
    }
    close(sv[1]);
    sv[1] = -1;
    fs->pid = pid;
    fs->sock = sv[0];
    sv[0] = -1;
    char reply[REPLY_MAX];
    ssize_t n = recv_reply(fs->sock, reply, sizeof reply, START_TIMEOUT_S);
    if (n > 2 && reply[0] == 'O') {
        fs->threads = atoi(reply + 2);
        fs->key = key->p;
        fs->key_len = key->len;
        key->p = NULL;
        free(hargv);
        lrs_words_free(&env);
        close(devnull);
        return fs;
    }
    if (n > 1 && reply[0] == 'F')
        lrs_err_set(err, LRS_EXIT_USAGE, "preload: %s could not import the preload modules: %s", path,
                    last_line(reply + 1));
    else
        lrs_err_set(err, LRS_EXIT_RUNTIME, "preload: the helper (%s) %s", path,
                    n < 0 ? "did not answer" : "exited before it was ready");
fail:
    end_helper(fs);
    free(hargv);
    lrs_words_free(&env);
    if (sv[0] >= 0)
        close(sv[0]);
    if (sv[1] >= 0)
        close(sv[1]);
    if (devnull >= 0)
        close(devnull);
    return NULL;
}

lrs_forksrv_t *lrs_forksrv_take(const char *path, char *const argv[], const lrs_pycmd_t *cmd,
                                const char *const *preload, int n_preload, char *const envp[],
                                lrs_err_t *err)
{
    lrs_strbuf_t key = {0};
    if (make_key(&key, path, argv, cmd, preload, n_preload, envp) < 0) {
        free(key.p);
        lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
        return NULL;
    }
    pthread_mutex_lock(&idle_lock);
    for (lrs_forksrv_t **at = &idle; *at; at = &(*at)->next) {
        lrs_forksrv_t *fs = *at;
        if (fs->key_len == key.len && memcmp(fs->key, key.p, key.len) == 0) {
            *at = fs->next;
            fs->next = NULL;
            pthread_mutex_unlock(&idle_lock);
            free(key.p);
            return fs;
        }
    }
    pthread_mutex_unlock(&idle_lock);
    lrs_forksrv_t *fs = start_helper(path, argv, cmd, preload, n_preload, envp, &key, err);
    free(key.p);
    return fs;
}

void lrs_forksrv_give(lrs_forksrv_t *fs)
{
    if (!fs)
        return;
    if (fs->broken || fs->in_run) {
        end_helper(fs);
        return;
    }
    pthread_mutex_lock(&idle_lock);
    fs->next = idle;
    idle = fs;
    pthread_mutex_unlock(&idle_lock);
}

void lrs_forksrv_close_all(void)
{
    pthread_mutex_lock(&idle_lock);
    lrs_forksrv_t *list = idle;
    idle = NULL;
    pthread_mutex_unlock(&idle_lock);
    while (list) {
        lrs_forksrv_t *next = list->next;
        end_helper(list);
        list = next;
    }
}

int lrs_forksrv_threads(const lrs_forksrv_t *fs)
{
    return fs->threads;
}

pid_t lrs_forksrv_pid(const lrs_forksrv_t *fs)
{
    return fs->pid;
}

int lrs_forksrv_fd(const lrs_forksrv_t *fs)
{
    return fs->sock;
}

pid_t lrs_forksrv_spawn(lrs_forksrv_t *fs, char *const argv[], int argc, const lrs_pycmd_t *cmd,
                        char *const envp[], const char *workdir, int in_fd, int out_fd, int err_fd,
                        lrs_err_t *err)
{
    lrs_strbuf_t m = {0};
    char count[32];
    snprintf(count, sizeof count, "%d", argc - cmd->target);
    int rc = lrs_sb_add(&m, cmd->module ? "M" : "S", 2);
    rc = rc ? rc : lrs_sb_add(&m, workdir ? workdir : "", strlen(workdir ? workdir : "") + 1);
    rc = rc ? rc : lrs_sb_add(&m, count, strlen(count) + 1);
    for (int i = cmd->target; rc == 0 && i < argc; i++)
        rc = lrs_sb_add(&m, argv[i], strlen(argv[i]) + 1);
    for (int i = 0; rc == 0 && envp[i]; i++)
        rc = lrs_sb_add(&m, envp[i], strlen(envp[i]) + 1);
    if (rc < 0 || m.len > MSG_MAX) {
        free(m.p);
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "preload: the run's arguments and environment "
                                                  "exceed %u bytes", MSG_MAX);
    }
    int fds[3] = {in_fd, out_fd, err_fd};
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof fds)];
    } ctl;
    memset(&ctl, 0, sizeof ctl);
    struct iovec iov = {.iov_base = m.p, .iov_len = m.len - 1};   /* without the last NUL */
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
                         .msg_controllen = sizeof ctl.buf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof fds);
    memcpy(CMSG_DATA(c), fds, sizeof fds);
    ssize_t sent;
    do
        sent = sendmsg(fs->sock, &msg, MSG_NOSIGNAL);
    while (sent < 0 && errno == EINTR);
    free(m.p);
    if (sent < 0) {
        fs->broken = 1;
        return errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN
                   ? -2
                   : lrs_err_set(err, LRS_EXIT_RUNTIME, "preload: cannot reach the helper: %s",
                                 strerror(errno));
    }
    char reply[REPLY_MAX];
    ssize_t n = recv_reply(fs->sock, reply, sizeof reply, 30.0);
    if (n > 2 && reply[0] == 'P') {
        fs->in_run = 1;
        fs->exit_seen = 0;
        return (pid_t)atol(reply + 2);
    }
    fs->broken = 1;
    if (n == 0)
        return -2;
    return lrs_err_set(err, LRS_EXIT_RUNTIME, "preload: the helper did not start the run");
}

int lrs_forksrv_exited(lrs_forksrv_t *fs)
{
    char reply[REPLY_MAX];
    ssize_t n = recv(fs->sock, reply, sizeof reply - 1, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return 0;
    if (n == 1 && reply[0] == 'X') {
        fs->exit_seen = 1;
        return 1;
    }
    fs->broken = 1;
    return -1;
}

int lrs_forksrv_reap(lrs_forksrv_t *fs, int *status)
{
    char reply[REPLY_MAX];
    if (!fs->broken && !fs->exit_seen &&   /* killed before its end was read */
        (recv_reply(fs->sock, reply, sizeof reply, 30.0) != 1 || reply[0] != 'X'))
        fs->broken = 1;
    if (fs->broken || send(fs->sock, "R", 1, MSG_NOSIGNAL) != 1 ||
        recv_reply(fs->sock, reply, sizeof reply, 30.0) < 3 || reply[0] != 'S') {
        fs->broken = 1;
        return -1;
    }
    *status = atoi(reply + 2);
    fs->in_run = 0;
    return 0;
}
