/* strbuf.c — see strbuf.h. */
#include "common/strbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int lrs_sb_add(lrs_strbuf_t *b, const char *s, size_t n)
{
    if (n > SIZE_MAX / 4 || b->len > SIZE_MAX / 4)
        return -1;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return -1;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

int lrs_sb_adds(lrs_strbuf_t *b, const char *s)
{
    return lrs_sb_add(b, s, strlen(s));
}

int lrs_sb_add_quoted(lrs_strbuf_t *b, const char *s)
{
    if (lrs_sb_add(b, "'", 1) < 0)
        return -1;
    for (; *s; s++)
        if (*s == '\'' ? lrs_sb_add(b, "'\\''", 4) < 0 : lrs_sb_add(b, s, 1) < 0)
            return -1;
    return lrs_sb_add(b, "'", 1);
}

int lrs_words_push(lrs_words_t *w, const char *s, size_t n)
{
    if (w->n + 2 > w->cap) {
        int cap = w->cap ? w->cap * 2 : 8;
        char **v = realloc(w->v, (size_t)cap * sizeof *v);
        if (!v)
            return -1;
        w->v = v;
        w->cap = cap;
    }
    char *copy = malloc(n + 1);
    if (!copy)
        return -1;
    memcpy(copy, s, n);
    copy[n] = '\0';
    w->v[w->n++] = copy;
    w->v[w->n] = NULL;
    return 0;
}

void lrs_words_free(lrs_words_t *w)
{
    for (int i = 0; i < w->n; i++)
        free(w->v[i]);
    free(w->v);
    w->v = NULL;
    w->n = w->cap = 0;
}
