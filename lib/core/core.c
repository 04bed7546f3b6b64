/* core.c: the core's calling convention (core.h): opening and ending a unit of work, and the
 * queue of work for after the answer, forked or in process. Never writes an answer. */
#include "core/core.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Builds with AddressSanitizer check a detached worker for leaks before it _exits (which skips
 * the exit-time check): background imports are the longest code path a request starts. */
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#define LEAK_CHECK() ((void)__lsan_do_recoverable_leak_check())
#else
#define LEAK_CHECK() ((void)0)
#endif

#include "base/arena.h"
#include "base/crypto.h"
#include "base/log.h"
#include "store/db.h"

int core_open(struct core *c, const struct config *cfg)
{
    memset(c, 0, sizeof *c);
    c->cfg = cfg;
    c->arena = arena_new();
    c->db = db_new(cfg);
    return c->arena != NULL && c->db != NULL ? 0 : -1;
}

void core_close(struct core *c)
{
    db_free(c->db);
    arena_free(c->arena);
    c->db = NULL;
    c->arena = NULL;
}

static void new_request_id(char out[REQUEST_ID_LEN + 1])
{
    unsigned char raw[REQUEST_ID_LEN / 2];
    if (crypto_random(raw, sizeof raw) != 0)
        memset(raw, 0, sizeof raw);
    hex_encode(raw, sizeof raw, out);
}

void core_begin(struct core *c, const char *rid)
{
    c->nafter = 0;
    if (rid != NULL)
        snprintf(c->rid, sizeof c->rid, "%s", rid);
    else
        new_request_id(c->rid);
    db_set_request_id(c->db, c->rid);
}

void core_end(struct core *c)
{
    if (db_in_transaction(c->db))
        log_error(c->rid, "transaction left open by the handler: rolled back");
    db_rollback(c->db);
    db_set_request_id(c->db, NULL);
}

static int queue(struct core *c, core_after_fn fn, void *arg, int detached,
                 int (*take)(struct core *c, void *arg))
{
    if (c->nafter >= CORE_MAX_AFTER)
        return -1;
    c->after[c->nafter].fn = fn;
    c->after[c->nafter].arg = arg;
    c->after[c->nafter].detached = detached;
    c->after[c->nafter].take = take;
    c->nafter++;
    return 0;
}

int core_after(struct core *c, core_after_fn fn, void *arg)
{
    return queue(c, fn, arg, 0, NULL);
}

int core_after_detached(struct core *c, core_after_fn fn, void *arg)
{
    return queue(c, fn, arg, 1, NULL);
}

int core_after_worker(struct core *c, core_after_fn fn, int (*take)(struct core *c, void *arg),
                      void *arg)
{
    return queue(c, fn, arg, 1, take);
}

int core_after_queued(const struct core *c, core_after_fn fn)
{
    for (unsigned i = 0; i < c->nafter; i++)
        if (c->after[i].fn == fn)
            return 1;
    return 0;
}

/* Double fork: the grandchild runs fn and _exits; the child exits at once and is reaped here,
 * so the grandchild belongs to init and leaves no zombie behind. With take, the slot is taken
 * here first (no slot: no fork) and this process's copy of it is closed right after the fork,
 * so only the grandchild holds it (the child's copy goes when it exits). */
static void run_detached(struct core *c, core_after_fn fn, void *arg,
                         int (*take)(struct core *c, void *arg))
{
    int slot = take != NULL ? take(c, arg) : -1;
    if (take != NULL && slot < 0)
        return;
    pid_t child = fork();
    if (child != 0 && slot >= 0)
        close(slot);   /* here only: the child hands its copy on to the grandchild */
    if (child < 0) {
        log_error(c->rid, "fork for background work failed");
        return;
    }
    if (child > 0) {
        while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
            ;
        return;
    }
    if (fork() != 0)
        _exit(0);
    /* the grandchild: no listening socket, no client, a database connection of its own (the
     * parent's is abandoned untouched: closing it would end the parent's session too) */
    int devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0) {
        dup2(devnull, STDIN_FILENO);
        dup2(devnull, STDOUT_FILENO);
        if (devnull > STDERR_FILENO)
            close(devnull);
    }
    setsid();
    struct db *parent = c->db;
    c->db = db_new(c->cfg);
    if (c->db != NULL) {
        db_set_request_id(c->db, c->rid);
        fn(c, arg);
        db_free(c->db);
    }
    /* the parent's handle, abandoned but still the process's (not a leak) */
    c->db = parent;
    LEAK_CHECK();
    _exit(0);
}

void core_run_after(struct core *c)
{
    for (unsigned i = 0; i < c->nafter; i++)
        if (c->after[i].detached)
            run_detached(c, c->after[i].fn, c->after[i].arg, c->after[i].take);
    for (unsigned i = 0; i < c->nafter; i++)
        if (!c->after[i].detached)
            c->after[i].fn(c, c->after[i].arg);
}
