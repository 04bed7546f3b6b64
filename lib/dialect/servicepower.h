/* servicepower.h: the ServicePower ServiceMobility dialect (seed 001, API.md section 6). */
#ifndef PROV_SERVICEPOWER_H
#define PROV_SERVICEPOWER_H

struct ctx;

void servicepower_bulk_users(struct ctx *c);   /* POST /seiapi/v3/bulk/Users */

#endif
