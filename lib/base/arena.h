/* arena.h: per-request bump allocator. Everything a request allocates comes from its arena
 * and is released at once by arena_reset() when the request ends, so nothing can leak from
 * one FastCGI request into the next. Never hand arena memory to code that will free() it. */
#ifndef PROV_ARENA_H
#define PROV_ARENA_H

#include <stddef.h>

struct arena;

/* A new empty arena, or NULL when out of memory. Free with arena_free(). */
struct arena *arena_new(void);
/* Releases the arena and everything allocated from it; arena_free(NULL) is a no-op. */
void arena_free(struct arena *a);
/* Forgets every allocation but keeps the first block for reuse by the next request. */
void arena_reset(struct arena *a);

/* Zeroed, max-aligned memory that lives until the next reset, or NULL (also on size overflow). */
void *arena_alloc(struct arena *a, size_t size);
/* arena_alloc(n * size) with overflow checking. */
void *arena_calloc(struct arena *a, size_t n, size_t size);
/* A NUL-terminated copy of the n bytes at s (which may contain no NUL), or NULL. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* A copy of the NUL-terminated string s, or NULL; arena_strdup(a, NULL) is NULL. */
char *arena_strdup(struct arena *a, const char *s);
/* A formatted string, or NULL. */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Bytes currently handed out (for memory tests and benchmarks). */
size_t arena_used(const struct arena *a);

#endif
