/* err.h — the error value every fallible lrsweep function fills in.
 *
 * Functions return 0 / -1 (or a pointer / NULL) and, on failure, write a
 * human-readable reason into a caller-owned lrs_err_t.  The reason already
 * names where the problem is (file:line:column, field) so callers only print it.
 * `code` is the process exit status the failure deserves: 2 for bad input or
 * usage, 1 for runtime failures (I/O, database, network).
 */
#ifndef LRS_ERR_H
#define LRS_ERR_H

#include <stddef.h>

/* Exit statuses of every command: 0 done, 1 runtime failure, 2 usage,
 * config or input error, 3 idle timeout (a worker that heard from no
 * coordinator for --idle-timeout), 130 interrupted. */
enum {
    LRS_EXIT_OK = 0,
    LRS_EXIT_RUNTIME = 1,
    LRS_EXIT_USAGE = 2,
    LRS_EXIT_IDLE = 3,
    LRS_EXIT_INTERRUPTED = 130
};

typedef struct lrs_err {
    int code;       /* LRS_EXIT_USAGE or LRS_EXIT_RUNTIME once set; 0 while unset */
    char msg[1024];
} lrs_err_t;

/* Clears err (may be NULL). */
void lrs_err_clear(lrs_err_t *err);

/* Sets err (may be NULL) to code and a printf-formatted message; returns -1 so
 * callers can write `return lrs_err_set(err, LRS_EXIT_USAGE, "...")`. */
int lrs_err_set(lrs_err_t *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes an existing message with more context ("file.yaml: " + msg). */
void lrs_err_prefix(lrs_err_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
