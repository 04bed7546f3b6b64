/* pubid.h: public numbers, the integer ids a tenant is shown (Xtracta user_id, group and
 * workflow ids, Skedulo taskId; provctl group/workflow add). Each is drawn at random, stored
 * next to the internal AUTO_INCREMENT id in a column unique per tenant, and is the only thing
 * an exposed integer id is ever looked up by; foreign keys keep the internal id. A number
 * therefore says nothing of what any other tenant did (a global sequence would: the gap
 * between two of one's own ids counted everyone else's creations). Why random rather than
 * per-tenant counters, and the range: docs/SECURITY.md, "Hardening II: answers and ids". */
#ifndef PROV_PUBID_H
#define PROV_PUBID_H

/* [PUBID_MIN, PUBID_MAX]: at or above 2^32, so never an id from before migration 0009 (those
 * kept their AUTO_INCREMENT value as their number, and a table would need four billion rows
 * to reach 2^32); at most 2^53 - 1, so every JSON reader (JavaScript numbers are doubles)
 * keeps the value exact. 16 digits at most, within the 18 that requests accept. */
#define PUBID_MIN 4294967296LL          /* 2^32 */
#define PUBID_MAX 9007199254740991LL    /* 2^53 - 1 */

/* A fresh number, uniform over the range, from the system's CSPRNG (never predictable from
 * earlier numbers, unlike a database RAND() a connection shares across tenants). Returns 0,
 * or -1 when no randomness could be had. */
int pubid_draw(long long *out);

#endif
