/* bench_fcgi.h: the accept loop of the database baselines (b), (d) and (e): read and drop the
 * request body, make a new 24-hex id (this process, its start time and a counter, so ids never
 * repeat across processes and runs), let the baseline add a user under that id, and answer a
 * small JSON object with the id (200) or an empty 500. Bench code only. */
#ifndef BENCH_FCGI_H
#define BENCH_FCGI_H

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

/* Adds one user whose id is oid (24 hex digits); key is the request's `key` header or NULL.
 * Returns 0 on success. */
typedef int (*bench_add_fn)(void *arg, const char *key, const char *oid);

/* Serves requests until the server stops the process; 1 when FastCGI cannot start. */
static inline int bench_serve(bench_add_fn add, void *arg)
{
    FCGX_Request r;
    char sink[16384];
    char prefix[17];
    snprintf(prefix, sizeof prefix, "%08x%08x", (unsigned)getpid(), (unsigned)time(NULL));
    if (FCGX_Init() != 0 || FCGX_InitRequest(&r, 0, 0) != 0)
        return 1;
    for (unsigned long n = 0; FCGX_Accept_r(&r) >= 0; n++) {
        while (FCGX_GetStr(sink, (int)sizeof sink, r.in) > 0)
            ;
        char oid[25], out[256];
        snprintf(oid, sizeof oid, "%s%08lx", prefix, n & 0xffffffffUL);
        int len;
        if (add(arg, FCGX_GetParam("HTTP_KEY", r.envp), oid) == 0) {
            char body[96];
            int bl = snprintf(body, sizeof body, "{\"result\":true,\"data\":{\"id\":\"%s\"}}", oid);
            len = snprintf(out, sizeof out,
                           "Status: 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
                           "Content-Length: %d\r\n\r\n%s", bl, body);
        } else {
            len = snprintf(out, sizeof out, "Status: 500 Internal Server Error\r\n"
                                            "Content-Length: 0\r\n\r\n");
        }
        FCGX_PutStr(out, len, r.out);
        FCGX_Finish_r(&r);
    }
    return 0;
}

#endif
