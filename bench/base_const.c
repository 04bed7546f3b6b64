/* base_const.c: baseline (a) of the benchmarks: the cheapest FastCGI answer there is. A bare
 * libfcgi accept loop that reads and drops the request body and answers one constant JSON
 * object. It measures lighttpd + mod_fastcgi + libfcgi + the client, nothing of ours. Built
 * for bench/ only; never installed. */
#include <string.h>

#include <fcgiapp.h>

static const char answer[] =
    "Status: 200 OK\r\n"
    "Content-Type: application/json; charset=utf-8\r\n"
    "Content-Length: 63\r\n"
    "\r\n"
    "{\"result\":true,\"data\":{\"id\":\"000000000000000000000000\",\"ok\":1}}";

int main(void)
{
    FCGX_Request r;
    char sink[16384];
    if (FCGX_Init() != 0 || FCGX_InitRequest(&r, 0, 0) != 0)
        return 1;
    while (FCGX_Accept_r(&r) >= 0) {
        while (FCGX_GetStr(sink, (int)sizeof sink, r.in) > 0)
            ;
        FCGX_PutStr(answer, (int)(sizeof answer - 1), r.out);
        FCGX_Finish_r(&r);
    }
    return 0;
}
