/* dialect.c: routes a transport-level error to the right dialect's encoder. */
#include "http/dialect.h"

void dialect_error(struct ctx *c, enum dialect d, int status, const char *message)
{
    switch (d) {
    case DIALECT_SOAJS: soajs_error(c, status, message); return;
    case DIALECT_XTRACTA: xtracta_error(c, status, message); return;
    case DIALECT_SKEDULO: skedulo_error(c, status, message); return;
    case DIALECT_SERVICEPOWER: servicepower_error(c, status, message); return;
    case DIALECT_COUNT: break;
    }
    soajs_error(c, status, message);
}

int dialect_too_many_status(enum dialect d)
{
    return d == DIALECT_SKEDULO || d == DIALECT_SERVICEPOWER ? 400 : 413;
}
