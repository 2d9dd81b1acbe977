/* arena.c — chunked arena allocation (see arena.h).
 *
 * Pieces are rounded up to 16 bytes and cut from the newest chunk; a piece
 * that does not fit starts a new chunk of 64 KiB (or of its own size when
 * larger).  Chunks are never reused within an arena: it only grows until
 * lrs_arena_free.
 */
#include "common/arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct lrs_arena_chunk {
    struct lrs_arena_chunk *next;
    size_t used, cap;
    max_align_t data[];
} arena_chunk_t;

void *lrs_arena_alloc(lrs_arena_t *a, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    arena_chunk_t *c = a->head;
    if (!c || c->cap - c->used < size) {
        size_t cap = size > 65536 ? size : 65536;
        c = malloc(sizeof *c + cap);
        if (!c) {
            a->failed = 1;
            return NULL;
        }
        c->next = a->head;
        c->used = 0;
        c->cap = cap;
        a->head = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += size;
    memset(p, 0, size);
    return p;
}

char *lrs_arena_strndup(lrs_arena_t *a, const char *s, size_t n)
{
    char *p = lrs_arena_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

char *lrs_arena_printf(lrs_arena_t *a, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    return lrs_arena_strndup(a, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

void lrs_arena_free(lrs_arena_t *a)
{
    arena_chunk_t *c = a->head;
    while (c) {
        arena_chunk_t *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
}
