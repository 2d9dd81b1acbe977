/* log.c — see log.h. */
#include "common/log.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "common/jsonout.h"
#include "common/textesc.h"

static lrs_log_t process_log;
static int process_log_set;

int lrs_log_parse_format(const char *text)
{
    if (strcmp(text, "text") == 0)
        return LRS_LOG_TEXT;
    if (strcmp(text, "json") == 0)
        return LRS_LOG_JSON;
    return -1;
}

void lrs_log_init(lrs_log_t *l, FILE *out, int format, const char *role, const char *name)
{
    memset(l, 0, sizeof *l);
    l->out = out ? out : stderr;
    l->format = format;
    l->terminal = isatty(fileno(l->out));
    snprintf(l->role, sizeof l->role, "%s", role);
    if (name) {
        char shown[LRS_TEXTESC_SIZE(sizeof l->name)];
        snprintf(l->name, sizeof l->name, "%s", lrs_text_escape_str(name, shown, sizeof l->name));
    }
}

static void format_time(time_t sec, int ms, char out[64])
{
    struct tm tm;
    gmtime_r(&sec, &tm);
    snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

void lrs_log_time(double unix_s, char out[64])
{
    if (!(unix_s >= 0 && unix_s < 253402300800.0)) {   /* NaN, or beyond year 9999 */
        snprintf(out, 64, "-");
        return;
    }
    time_t sec = (time_t)unix_s;
    int ms = (int)((unix_s - (double)sec) * 1000 + 0.5);
    format_time(sec, ms > 999 ? 999 : ms, out);
}

void lrs_log_now(char out[64])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    format_time(ts.tv_sec, (int)(ts.tv_nsec / 1000000), out);
}

static void write_json(const lrs_log_t *l, const char *time, const char *shown)
{
    json_t *o = json_object();
    if (!o)
        return;
    json_object_set_new(o, "time", json_string(time));
    json_object_set_new(o, "role", json_string(l->role));
    if (l->name[0])
        json_object_set_new(o, "name", json_string(l->name));
    json_object_set_new(o, "pid", json_integer(getpid()));
    json_object_set_new(o, "msg", json_string(shown));
    if (lrs_json_write(l->out, o) == 0)
        fputc('\n', l->out);
    json_decref(o);
}

void lrs_log_line(const lrs_log_t *l, const char *msg)
{
    char shown[LRS_TEXTESC_SIZE(2048)];
    lrs_text_escape_str(msg, shown, sizeof shown);
    const char *sep = l->name[0] ? " " : "";
    if (l->format == LRS_LOG_JSON) {
        char time[64];
        lrs_log_now(time);
        write_json(l, time, shown);
    } else if (l->terminal) {
        if (strcmp(l->role, "coordinator") == 0)
            fprintf(l->out, "lrsweep: %s\n", shown);
        else
            fprintf(l->out, "lrsweep %s%s%s: %s\n", l->role, sep, l->name, shown);
    } else {
        char time[64];
        lrs_log_now(time);
        fprintf(l->out, "%s %s%s%s: %s\n", time, l->role, sep, l->name, shown);
    }
    fflush(l->out);
}

void lrs_log_vprintf(const lrs_log_t *l, const char *fmt, va_list ap)
{
    char msg[2048];
    vsnprintf(msg, sizeof msg, fmt, ap);
    lrs_log_line(l, msg);
}


void lrs_log_set_process(const lrs_log_t *l)
{
    process_log = *l;
    process_log_set = 1;
}

const lrs_log_t *lrs_log_process(void)
{
    return process_log_set ? &process_log : NULL;
}
