/* pwhash.c: the cost of hashing one password, as the service hashes it (lib/base/password.c with
 * the configured password.prefix and password.cost). Usage: pwhash [COST...]; without costs,
 * the configured one. Prints "cost ms_per_hash hashes" per cost: as many hashes as fit in
 * about half a second, at least 3. Built for bench/ only; never installed. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "base/config.h"
#include "base/password.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int measure(const struct config *cfg, unsigned long cost)
{
    char out[PASSWORD_HASH_MAX];
    unsigned n = 0;
    double t0 = now_s(), t;
    do {
        if (password_hash("correct horse battery staple", cfg->password_prefix, cost, out) !=
            PW_OK) {
            fprintf(stderr, "pwhash: hashing at cost %lu failed\n", cost);
            return -1;
        }
        n++;
        t = now_s() - t0;
    } while (n < 3 || t < 0.5);
    printf("%lu %.3f %u\n", cost, t * 1000.0 / n, n);
    return 0;
}

int main(int argc, char **argv)
{
    struct config cfg;
    char err[256];
    if (config_load(&cfg, NULL, err, sizeof err) == CONFIG_BAD) {
        fprintf(stderr, "pwhash: configuration: %s\n", err);
        return 1;
    }
    int rc = 0;
    if (argc < 2)
        rc = measure(&cfg, cfg.password_cost);
    for (int i = 1; i < argc && rc == 0; i++)
        rc = measure(&cfg, strtoul(argv[i], NULL, 10));
    config_free(&cfg);
    return rc != 0;
}
