/* ctx_build.c — see ctx_build.h.  One thread per build, joined when it is
 * finished; it says it is over by writing a byte to a pipe the I/O thread
 * polls. */
#include "worker/ctx_build.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct lrs_ctx_build {
    pthread_t thread;
    int pipe[2];
    lrs_msg_t welcome;
    void *data;
    size_t len;
    const char *workdir_base;
    int allow_commands;
    lrs_sweep_ctx_t *ctx;
    lrs_err_t err;
    int over;
};

static void *build_main(void *arg)
{
    lrs_ctx_build_t *b = arg;
    lrs_err_clear(&b->err);
    b->ctx = lrs_sweep_ctx_new(&b->welcome, b->data, b->len, b->workdir_base, b->allow_commands,
                               &b->err);
    char one = 1;
    while (write(b->pipe[1], &one, 1) < 0 && errno == EINTR)
        ;
    return NULL;
}

lrs_ctx_build_t *lrs_ctx_build_start(lrs_msg_t *w, void *data, size_t len,
                                     const char *workdir_base, int allow_commands, lrs_err_t *err)
{
    lrs_ctx_build_t *b = calloc(1, sizeof *b);
    if (!b) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
        return NULL;
    }
    if (pipe(b->pipe) != 0) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "pipe: %s", strerror(errno));
        free(b);
        return NULL;
    }
    for (int i = 0; i < 2; i++)
        fcntl(b->pipe[i], F_SETFD, FD_CLOEXEC);   /* commands the worker runs never hold it */
    b->welcome = *w;
    b->data = data;
    b->len = len;
    b->workdir_base = workdir_base;
    b->allow_commands = allow_commands;
    int rc = pthread_create(&b->thread, NULL, build_main, b);
    if (rc != 0) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "cannot start a thread: %s", strerror(rc));
        close(b->pipe[0]);
        close(b->pipe[1]);
        free(b);
        return NULL;
    }
    memset(w, 0, sizeof *w);
    return b;
}

int lrs_ctx_build_fd(const lrs_ctx_build_t *b) { return b->pipe[0]; }

int lrs_ctx_build_ready(lrs_ctx_build_t *b, int block)
{
    if (b->over)
        return 1;
    struct pollfd p = {.fd = b->pipe[0], .events = POLLIN};
    int n;
    while ((n = poll(&p, 1, block ? -1 : 0)) < 0 && errno == EINTR)
        ;
    if (n <= 0)
        return 0;
    pthread_join(b->thread, NULL);
    b->over = 1;
    return 1;
}

lrs_sweep_ctx_t *lrs_ctx_build_finish(lrs_ctx_build_t **bp, lrs_msg_t *w, lrs_err_t *err)
{
    lrs_ctx_build_t *b = *bp;
    lrs_ctx_build_ready(b, 1);
    lrs_sweep_ctx_t *ctx = b->ctx;
    if (!ctx)
        *err = b->err;
    *w = b->welcome;
    close(b->pipe[0]);
    close(b->pipe[1]);
    free(b);
    *bp = NULL;
    return ctx;
}
