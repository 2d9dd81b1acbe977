/* log.h — how a long-running lrsweep process writes its log lines: one rule
 * for the coordinator, its local workers and remote workers.
 *
 * A line names the process's role ("coordinator", or "worker NAME").  On a
 * terminal it reads as before, for a person watching:
 *     lrsweep: MESSAGE                      (coordinator)
 *     lrsweep worker NAME: MESSAGE
 * Off a terminal (a file, a pipe, journald, a Slurm or Kubernetes log) every
 * line starts with the time, ISO 8601 in UTC with milliseconds:
 *     2026-12-04T13:45:01.123Z coordinator: MESSAGE
 *     2026-12-04T13:45:01.123Z worker NAME: MESSAGE
 * and with format JSON every line is one JSON object (JSON Lines):
 *     {"time":"2026-12-04T13:45:01.123Z","role":"worker","name":"NAME","pid":4711,"msg":"MESSAGE"}
 * Names and messages may come from the network: they are escaped
 * (common/textesc.h) in every format.
 */
#ifndef LRS_LOG_H
#define LRS_LOG_H

#include <stdarg.h>
#include <stdio.h>

typedef enum {
    LRS_LOG_TEXT = 0,   /* plain on a terminal, timestamped off one */
    LRS_LOG_JSON = 1,   /* JSON Lines, always timestamped */
} lrs_log_format_t;

typedef struct lrs_log {
    FILE *out;
    int format;           /* lrs_log_format_t */
    int terminal;         /* out is a terminal (text lines without the time) */
    char role[16];        /* "coordinator", "worker" */
    char name[256];       /* the worker's name, escaped; "" for the coordinator */
} lrs_log_t;

/* The value of --log-format ("text", "json"), or -1 for anything else. */
int lrs_log_parse_format(const char *text);

/* Sets up l for role (and name, may be NULL) writing to out. */
void lrs_log_init(lrs_log_t *l, FILE *out, int format, const char *role, const char *name);

/* Writes one line: msg (escaped here); lrs_log_vprintf formats it first. */
void lrs_log_line(const lrs_log_t *l, const char *msg);
void lrs_log_vprintf(const lrs_log_t *l, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* The process's log, once a coordinator or worker command set it up
 * (NULL before): lrs_cli_report writes a failed command's error through
 * it, so that last line is timestamped like the others. */
void lrs_log_set_process(const lrs_log_t *l);
const lrs_log_t *lrs_log_process(void);

/* The current UTC time as ISO 8601 with milliseconds ("…T…Z", 24 chars; out holds 64). */
void lrs_log_now(char out[64]);
/* The same for unix_s seconds ("-" when out of range or NaN). */
void lrs_log_time(double unix_s, char out[64]);

#endif
