/* arena.h — memory handed out in pieces and freed all at once.
 *
 * A loaded spec is many small pieces (strings, search-space nodes, value
 * lists) that all live exactly as long as the spec, and the YAML tree it is
 * read from is thrown away whole after loading.  An arena gives out zeroed
 * pieces from 64 KiB chunks and frees them in one call, so no piece has a
 * free of its own and an allocation failure is remembered once (failed)
 * rather than having to be reported at every use.
 *
 * An arena is a plain struct that starts zeroed ({0}).  Not thread-safe:
 * one arena belongs to one thread while it is being filled.
 */
#ifndef LRS_ARENA_H
#define LRS_ARENA_H

#include <stddef.h>

typedef struct lrs_arena {
    struct lrs_arena_chunk *head;   /* newest chunk first; NULL when empty */
    int failed;                     /* set by the first allocation that failed */
} lrs_arena_t;

/* size bytes, zeroed and aligned for any type, valid until lrs_arena_free.
 * NULL when out of memory, and a->failed is then set.  a must not be NULL. */
void *lrs_arena_alloc(lrs_arena_t *a, size_t size);

/* A NUL-terminated copy of the first n bytes of s (which need not be
 * NUL-terminated); NULL when out of memory (a->failed set). */
char *lrs_arena_strndup(lrs_arena_t *a, const char *s, size_t n);

/* printf into the arena, cut to 511 bytes; NULL when out of memory
 * (a->failed set). */
char *lrs_arena_printf(lrs_arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Frees every piece at once; a is empty afterwards and may be filled again
 * (a->failed is kept).  a must not be NULL. */
void lrs_arena_free(lrs_arena_t *a);

#endif
