/* bench_db.h: the baselines' database connection, opened exactly as lib/db.c opens the
 * service's (same configuration file, same client options and session settings), so that a
 * baseline differs from the service only in what it does per request. Bench code only. */
#ifndef BENCH_DB_H
#define BENCH_DB_H

#include <stdio.h>

#include <mysql.h>

#include "config.h"

/* Connects with cfg's settings; NULL (reason on stderr) on failure. */
static inline MYSQL *bench_connect(const struct config *cfg)
{
    MYSQL *m = mysql_init(NULL);
    if (m == NULL)
        return NULL;
    unsigned int ct = cfg->db_connect_timeout, rw = cfg->db_rw_timeout;
    my_bool off = 0;
    mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
    mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &rw);
    mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &rw);
    mysql_options(m, MYSQL_OPT_RECONNECT, &off);
    mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    mysql_options(m, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
    mysql_options(m, MYSQL_INIT_COMMAND, "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
    mysql_options(m, MYSQL_INIT_COMMAND,
                  "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
                  "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'");
    const char *host = cfg->db_host[0] != '\0' ? cfg->db_host : NULL;
    const char *sock = cfg->db_socket[0] != '\0' ? cfg->db_socket : NULL;
    if (mysql_real_connect(m, host, cfg->db_user, cfg->db_password, cfg->db_name, cfg->db_port,
                           sock, 0) == NULL) {
        fprintf(stderr, "bench: connect failed: %s\n", mysql_error(m));
        mysql_close(m);
        return NULL;
    }
    return m;
}

#endif
