/* io.h: the one place that knows whether this process serves FastCGI (libfcgi's reentrant
 * FCGX_ API, no fcgi_stdio globals) or a single plain-CGI request (environ, stdin, stdout).
 * Everything above it reads parameters, the body and writes the response through these. */
#ifndef PROV_IO_H
#define PROV_IO_H

#include <stddef.h>

struct io {
    void *fcgx;      /* FCGX_Request * in FastCGI mode, NULL for plain CGI */
    char **envp;     /* the request's CGI parameters */
};

/* A CGI parameter of the current request, or NULL. Borrowed until the request ends. */
const char *io_param(const struct io *io, const char *name);
/* Reads up to n body bytes; returns the count, 0 at end of input, -1 on error. */
long io_read(struct io *io, char *buf, size_t n);
/* Writes all n bytes; returns 0 or -1. */
int io_write(struct io *io, const char *p, size_t n);

#endif
