/* config.h: the service configuration: one file of "key = value" lines (PROVISION_CONF, else
 * /etc/provision.conf), each key overridable by an environment variable PROVISION_<KEY> with
 * dots as underscores (db.socket -> PROVISION_DB_SOCKET). Read once at start-up, before the
 * FastCGI loop, because libfcgi replaces the environment per request. */
#ifndef PROV_CONFIG_H
#define PROV_CONFIG_H

#include <stddef.h>

struct config {
    /* database */
    char *db_host;          /* NULL or "" with db_socket set: connect by socket */
    char *db_hosts;         /* "" or a list of host[:port], tried in order (config_hosts) */
    unsigned db_port;
    char *db_socket;
    char *db_name;
    char *db_user;
    char *db_password;
    unsigned db_connect_timeout;  /* seconds */
    unsigned db_rw_timeout;       /* seconds */
    unsigned db_lock_wait_seconds; /* innodb_lock_wait_timeout of the session; 0: server's */
    unsigned db_tx_attempts;      /* runs of a transaction that meets deadlocks (tx.c) */
    unsigned db_tx_backoff_ms;    /* the wait before the first rerun; doubles each time */
    /* limits (docs/CONTRACT.md section 2) */
    size_t body_max;
    unsigned bulk_max_users;
    unsigned file_max_users;
    unsigned json_max_depth;
    size_t string_max;
    /* what one request may cost in memory (docs/SECURITY.md, "Hardening II") */
    size_t json_values;           /* weighted JSON values one request may decode (json_in.h) */
    size_t csv_cells;             /* cells of one uploaded CSV file, header included */
    unsigned form_fields;         /* pairs of one form body or query string */
    unsigned multipart_parts;     /* parts of one multipart body */
    /* passwords and tokens */
    char *password_prefix;
    unsigned long password_cost;
    char *password_dictionary;    /* cracklib dictionary (without .pwd/.pwi), lib/base/pwrule.c */
    unsigned token_ttl_hours;
    /* links and mail */
    char *base_url;
    char *mail_from;
    char *mail_command;
    unsigned mail_after_response;
    unsigned mail_max_attempts;
    unsigned mail_backoff_seconds;      /* delay after the first failure; doubles each time */
    unsigned mail_backoff_max_seconds;  /* the longest delay between two attempts */
    unsigned mail_timeout_seconds;      /* the mail command is killed after this long */
    unsigned mail_after_response_limit; /* mails one request delivers after its response */
    /* background tasks */
    unsigned task_stale_seconds;
    unsigned task_batch_users;  /* users of one import transaction (lib/core/users_import.c) */
    unsigned task_workers;  /* task workers at once per host (lib/core/task_slots.c) */
    char *task_slot_dir;    /* where the workers' slot lock files are */
};

enum config_status { CONFIG_OK = 0, CONFIG_NO_FILE, CONFIG_BAD };

/* One entry of db.hosts: a host name or address (IPv6 without its brackets) and a port. */
enum { CONFIG_HOSTS_MAX = 16, CONFIG_HOST_NAME_MAX = 255 };
struct config_host {
    char name[CONFIG_HOST_NAME_MAX + 1];
    unsigned port;
};

/* Parses db.hosts: entries separated by commas and/or blanks, each "host", "host:port",
 * "[ipv6]" or "[ipv6]:port" (the port defaults to db.port). Fills at most CONFIG_HOSTS_MAX
 * entries of out and returns how many (0 when db.hosts is empty), or -1 when the list is
 * malformed or longer. */
int config_hosts(const struct config *cfg, struct config_host out[CONFIG_HOSTS_MAX]);

/* Fills cfg with defaults, then the file at path (NULL: PROVISION_CONF or /etc/provision.conf),
 * then environment overrides. A missing file is not an error when env supplies the database
 * settings: the result is CONFIG_OK either way unless a line or value is malformed, in which
 * case err (size errlen) names the problem. Free with config_free(). */
enum config_status config_load(struct config *cfg, const char *path, char *err, size_t errlen);
void config_free(struct config *cfg);
/* The path config_load reads when given NULL. */
const char *config_default_path(void);

#endif
