/* task_slots.c: worker slots as flock(2) locks on files "<tasks.slot_dir>/provision-task-slot.N"
 * (N < limits.task_workers). Why lock files rather than a count in the database or pid files:
 * the kernel releases a flock when its holder dies, even by SIGKILL or a crash, so a slot can
 * never leak and nothing has to decide that a worker is gone; trying a slot costs a few system
 * calls and no database connection (a request whose host is busy forks nothing and connects
 * nothing); and the bound holds across every FastCGI process, web server and provctl of the
 * host, whatever user each runs as. The files are opened read-only (a flock needs no write
 * access) and made world-readable when created, so a file created by root (provctl) serves the
 * web server's user too. They never hold data; the directory must exist (the default, /run/lock,
 * is the system's lock directory; docs/DEPLOY.md). Never waits: a held slot is skipped. */
#include "core/task_slots.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/config.h"
#include "base/log.h"

enum { SLOTS_MAX = 64 };

unsigned task_slot_count(const struct config *cfg)
{
    unsigned n = cfg->task_workers;
    return n < 1 ? 1 : n > SLOTS_MAX ? SLOTS_MAX : n;
}

/* Opens the lock file at path, creating it when missing. O_NONBLOCK: a FIFO planted under the
 * name cannot stall the opener; O_NOFOLLOW: nor can a symbolic link redirect it. An existing
 * file is opened without O_CREAT (in a shared sticky directory such as /run/lock, the kernel's
 * protected_regular rule refuses O_CREAT on another user's file). Returns the descriptor or
 * -1 with errno set (0: the name is not a regular file). */
static int open_slot(const char *path)
{
    const int flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;
    for (int attempt = 0; attempt < 2; attempt++) {
        int fd = open(path, flags);
        if (fd < 0 && errno == ENOENT) {
            fd = open(path, flags | O_CREAT | O_EXCL, 0644);
            /* the creator's umask must not lock other users out of the file */
            if (fd >= 0 && fchmod(fd, 0644) != 0) {
                int e = errno;
                close(fd);
                errno = e;
                return -1;
            }
            if (fd < 0 && errno == EEXIST)
                continue;   /* created by someone else meanwhile: open theirs */
        }
        if (fd < 0)
            return -1;
        struct stat st;
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            close(fd);
            errno = 0;   /* not a regular file */
            return -1;
        }
        /* never on 0-2: a CGI program has closed its stdout once it answered, and the worker
         * it forks points its standard descriptors at /dev/null, which would close the slot */
        if (fd <= STDERR_FILENO) {
            int moved = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
            int e = errno;
            close(fd);
            errno = e;
            return moved;
        }
        return fd;
    }
    errno = EEXIST;
    return -1;
}

enum task_slot_status task_slot_take(const struct config *cfg, const char *rid, int *fd)
{
    unsigned n = task_slot_count(cfg);
    int errors = 0;
    *fd = -1;
    for (unsigned i = 0; i < n; i++) {
        char path[4096];
        int len = snprintf(path, sizeof path, "%s/provision-task-slot.%u", cfg->task_slot_dir, i);
        if (len < 0 || (size_t)len >= sizeof path) {
            log_error(rid, "task worker slots: tasks.slot_dir is too long");
            return TASK_SLOT_ERROR;
        }
        int f = open_slot(path);
        if (f < 0) {
            log_error(rid, "task worker slot %s: %s", path,
                      errno != 0 ? strerror(errno) : "not a regular file");
            errors++;
            continue;
        }
        int rc;
        while ((rc = flock(f, LOCK_EX | LOCK_NB)) != 0 && errno == EINTR)
            ;
        if (rc == 0) {
            *fd = f;
            return TASK_SLOT_OK;
        }
        if (errno != EWOULDBLOCK) {
            log_error(rid, "task worker slot %s: flock: %s", path, strerror(errno));
            errors++;
        }
        close(f);
    }
    return errors > 0 ? TASK_SLOT_ERROR : TASK_SLOT_BUSY;
}

void task_slot_release(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}
