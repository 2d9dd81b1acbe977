/* strbuf.h — a growable NUL-terminated string and a growable word list.
 *
 * Small helpers for building command lines, environments and escaped text;
 * both are plain structs that start zeroed ({0}) and own their memory.
 */
#ifndef LRS_STRBUF_H
#define LRS_STRBUF_H

#include <stddef.h>

typedef struct lrs_strbuf {
    char *p;
    size_t len, cap;
} lrs_strbuf_t;

/* Appends n bytes of s (keeps the text NUL-terminated).  -1: out of memory
 * or an absurd size; b is unchanged then. */
int lrs_sb_add(lrs_strbuf_t *b, const char *s, size_t n);

/* lrs_sb_add of a C string. */
int lrs_sb_adds(lrs_strbuf_t *b, const char *s);

/* Appends s single-quoted for /bin/sh: ' becomes '\''. */
int lrs_sb_add_quoted(lrs_strbuf_t *b, const char *s);

typedef struct lrs_words {
    char **v;    /* NULL-terminated */
    int n, cap;
} lrs_words_t;

/* Appends a copy of n bytes of s as one word (v stays NULL-terminated).
 * -1: out of memory. */
int lrs_words_push(lrs_words_t *w, const char *s, size_t n);

/* Frees every word and the list; w is zeroed and reusable. */
void lrs_words_free(lrs_words_t *w);

#endif
