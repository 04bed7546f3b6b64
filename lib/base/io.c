/* io.c: CGI parameter lookup, body reads and response writes over FCGX streams or the plain
 * CGI file descriptors. Holds no state of its own. */
#include "base/io.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

const char *io_param(const struct io *io, const char *name)
{
    return io->envp != NULL ? FCGX_GetParam(name, io->envp) : NULL;
}

long io_read(struct io *io, char *buf, size_t n)
{
    if (n > 1 << 30)
        n = 1 << 30;
    if (io->fcgx != NULL) {
        FCGX_Request *r = io->fcgx;
        int got = FCGX_GetStr(buf, (int)n, r->in);
        if (got == 0 && FCGX_GetError(r->in) != 0)
            return -1;
        return got;
    }
    for (;;) {
        ssize_t got = read(STDIN_FILENO, buf, n);
        if (got < 0 && errno == EINTR)
            continue;
        return got;
    }
}

int io_write(struct io *io, const char *p, size_t n)
{
    if (io->fcgx != NULL) {
        FCGX_Request *r = io->fcgx;
        while (n > 0) {
            int chunk = n > (1u << 30) ? 1 << 30 : (int)n;
            if (FCGX_PutStr(p, chunk, r->out) != chunk)
                return -1;
            p += chunk;
            n -= (size_t)chunk;
        }
        return 0;
    }
    while (n > 0) {
        ssize_t w = write(STDOUT_FILENO, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}
