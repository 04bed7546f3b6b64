/* core.h: the calling convention of the domain. Every function of lib/core/ that needs more
 * than its arguments takes a struct core: the arena, the configuration, the database, the
 * request id, and the work to run once the answer has gone. The HTTP request context embeds
 * one; provctl and background workers fill their own. Nothing here knows a request, a
 * response, a transport or a vendor. */
#ifndef PROV_CORE_H
#define PROV_CORE_H

struct arena;
struct config;
struct db;

enum { CORE_MAX_AFTER = 4, REQUEST_ID_LEN = 16 };

struct core;
typedef void (*core_after_fn)(struct core *c, void *arg);

struct core {
    struct arena *arena;
    const struct config *cfg;
    struct db *db;
    char rid[REQUEST_ID_LEN + 1];
    /* the work queued for after the answer (core_after*), run by core_run_after */
    struct {
        core_after_fn fn;
        void *arg;
        int detached;
        int (*take)(struct core *c, void *arg);   /* core_after_worker's slot, else NULL */
    } after[CORE_MAX_AFTER];
    unsigned nafter;
};

/* Opens what a process keeps (its arena and database connection) for c with configuration
 * cfg (borrowed for c's life). 0, or -1 when either cannot be had (c is then still safe to
 * core_close). */
int core_open(struct core *c, const struct config *cfg);
void core_close(struct core *c);
/* Starts one unit of work (a request, a command): a fresh random request id (rid NULL) or
 * rid, told to the database for its log lines, and nothing queued for after. */
void core_begin(struct core *c, const char *rid);
/* Ends it: a transaction left open is logged and rolled back, the request id forgotten. The
 * arena is the caller's to reset. */
void core_end(struct core *c);

/* Runs fn(c, arg) in this process after the answer has been sent and before the arena is
 * reset. For short work only (a few mails): the process serves nothing until fn returns.
 * Returns 0, or -1 when the queue is full. */
int core_after(struct core *c, core_after_fn fn, void *arg);
/* Runs fn(c, arg) after the answer, in a detached grandchild process (double fork: nothing to
 * reap, no zombie) with its own database connection (c->db is replaced; the parent's is never
 * touched), no client or listening socket, stderr kept for logs. The arena and request data
 * are the parent's copy. For long work (bulk imports): the process goes straight back to
 * serving. If the fork fails, fn is not run: work that must happen has to be recoverable from
 * the database (a stale task is resumed by another worker). Returns 0, or -1 when full. */
int core_after_detached(struct core *c, core_after_fn fn, void *arg);
/* Like core_after_detached, for a worker that must hold one of a bounded set of slots (task
 * workers, core/task_slots.h): after the answer, take(c, arg) runs in this process and returns
 * the descriptor that holds a free slot, or -1 when none is free (or it logged an error); then
 * nothing is forked and no connection is opened. The worker inherits the descriptor, and this
 * process closes its own copy as soon as the worker is forked (or the fork failed): the slot is
 * the worker's alone from then on, and the kernel frees it when the worker ends, however it
 * ends. Returns 0, or -1 when the queue is full. */
int core_after_worker(struct core *c, core_after_fn fn, int (*take)(struct core *c, void *arg),
                      void *arg);
/* 1 when fn is queued already. */
int core_after_queued(const struct core *c, core_after_fn fn);
/* Runs what was queued: the detached work first (forked), then the work of this process. The
 * caller has sent the answer and closed the client's streams. */
void core_run_after(struct core *c);

#endif
