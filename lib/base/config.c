/* config.c: table of configuration keys (name, type, default, place in struct config), the
 * file parser and the environment overrides. Owns the strings in struct config. */
#include "base/config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum ctype { C_STR, C_UINT, C_ULONG, C_SIZE };

struct key {
    const char *name;
    enum ctype type;
    size_t offset;
    const char *def;
};

#define K(name, type, field, def) { name, type, offsetof(struct config, field), def }
static const struct key keys[] = {
    K("db.host", C_STR, db_host, ""),
    K("db.hosts", C_STR, db_hosts, ""),
    K("db.port", C_UINT, db_port, "3306"),
    K("db.socket", C_STR, db_socket, ""),
    K("db.name", C_STR, db_name, "provision"),
    K("db.user", C_STR, db_user, "provision"),
    K("db.password", C_STR, db_password, ""),
    K("db.connect_timeout", C_UINT, db_connect_timeout, "3"),
    K("db.rw_timeout", C_UINT, db_rw_timeout, "30"),
    K("db.lock_wait_seconds", C_UINT, db_lock_wait_seconds, "10"),
    K("db.tx_attempts", C_UINT, db_tx_attempts, "5"),
    K("db.tx_backoff_ms", C_UINT, db_tx_backoff_ms, "5"),
    K("limits.body_bytes", C_SIZE, body_max, "8388608"),
    K("limits.bulk_users", C_UINT, bulk_max_users, "10000"),
    K("limits.file_users", C_UINT, file_max_users, "50000"),
    K("limits.json_depth", C_UINT, json_max_depth, "32"),
    K("limits.string_bytes", C_SIZE, string_max, "1024"),
    /* the defaults admit the biggest legitimate request the limits above allow and keep the
     * worst body within them under +256 MiB of the serving process (docs/SECURITY.md) */
    K("limits.json_values", C_SIZE, json_values, "1600000"),
    K("limits.csv_cells", C_SIZE, csv_cells, "6400000"),
    K("limits.form_fields", C_UINT, form_fields, "12000"),
    K("limits.multipart_parts", C_UINT, multipart_parts, "64"),
    K("password.prefix", C_STR, password_prefix, "$y$"),
    K("password.cost", C_ULONG, password_cost, "0"),
    K("password.dictionary", C_STR, password_dictionary, "/var/cache/cracklib/cracklib_dict"),
    K("token.ttl_hours", C_UINT, token_ttl_hours, "48"),
    K("public.base_url", C_STR, base_url, ""),
    K("mail.from", C_STR, mail_from, ""),
    K("mail.command", C_STR, mail_command, "/usr/sbin/sendmail -t -i"),
    K("mail.after_response", C_UINT, mail_after_response, "0"),
    K("mail.max_attempts", C_UINT, mail_max_attempts, "8"),
    K("mail.backoff_seconds", C_UINT, mail_backoff_seconds, "60"),
    K("mail.backoff_max_seconds", C_UINT, mail_backoff_max_seconds, "21600"),
    K("mail.timeout_seconds", C_UINT, mail_timeout_seconds, "60"),
    K("mail.after_response_limit", C_UINT, mail_after_response_limit, "25"),
    K("tasks.stale_seconds", C_UINT, task_stale_seconds, "60"),
    K("tasks.batch_users", C_UINT, task_batch_users, "250"),
    K("limits.task_workers", C_UINT, task_workers, "2"),
    K("tasks.slot_dir", C_STR, task_slot_dir, "/run/lock"),
};
#undef K

const char *config_default_path(void)
{
    const char *p = getenv("PROVISION_CONF");
    return (p != NULL && *p != '\0') ? p : "/etc/provision.conf";
}

static int parse_unsigned(const char *s, unsigned long long max, unsigned long long *out)
{
    if (!isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > max)
        return -1;
    *out = v;
    return 0;
}

static int set_value(struct config *cfg, const struct key *k, const char *value)
{
    char *base = (char *)cfg;
    unsigned long long v;
    switch (k->type) {
    case C_STR: {
        char **slot = (char **)(base + k->offset);
        char *copy = strdup(value);
        if (copy == NULL)
            return -1;
        free(*slot);
        *slot = copy;
        return 0;
    }
    case C_UINT:
        if (parse_unsigned(value, 0xffffffffu, &v) != 0)
            return -1;
        *(unsigned *)(base + k->offset) = (unsigned)v;
        return 0;
    case C_ULONG:
        if (parse_unsigned(value, (unsigned long long)-1 >> 1, &v) != 0)
            return -1;
        *(unsigned long *)(base + k->offset) = (unsigned long)v;
        return 0;
    case C_SIZE:
        if (parse_unsigned(value, (size_t)-1 >> 1, &v) != 0)
            return -1;
        *(size_t *)(base + k->offset) = (size_t)v;
        return 0;
    }
    return -1;
}

static const struct key *find_key(const char *name)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

static enum config_status read_file(struct config *cfg, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return CONFIG_NO_FILE;
    }
    enum config_status st = CONFIG_OK;
    char line[4096];
    unsigned lineno = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        lineno++;
        if (strchr(line, '\n') == NULL && !feof(f)) {
            snprintf(err, errlen, "%s:%u: line too long", path, lineno);
            st = CONFIG_BAD;
            break;
        }
        char *s = trim(line);
        if (*s == '\0' || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (eq == NULL) {
            snprintf(err, errlen, "%s:%u: expected key = value", path, lineno);
            st = CONFIG_BAD;
            break;
        }
        *eq = '\0';
        char *name = trim(s), *value = trim(eq + 1);
        const struct key *k = find_key(name);
        if (k == NULL) {
            snprintf(err, errlen, "%s:%u: unknown key '%s'", path, lineno, name);
            st = CONFIG_BAD;
            break;
        }
        if (set_value(cfg, k, value) != 0) {
            snprintf(err, errlen, "%s:%u: bad value for '%s'", path, lineno, name);
            st = CONFIG_BAD;
            break;
        }
    }
    fclose(f);
    return st;
}

static void env_name(const char *key, char *out, size_t outlen)
{
    size_t o = (size_t)snprintf(out, outlen, "PROVISION_");
    for (const char *p = key; *p != '\0' && o + 1 < outlen; p++)
        out[o++] = *p == '.' ? '_' : (char)toupper((unsigned char)*p);
    out[o] = '\0';
}

enum config_status config_load(struct config *cfg, const char *path, char *err, size_t errlen)
{
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (set_value(cfg, &keys[i], keys[i].def) != 0) {
            snprintf(err, errlen, "out of memory");
            return CONFIG_BAD;
        }
    if (path == NULL)
        path = config_default_path();
    enum config_status st = read_file(cfg, path, err, errlen);
    if (st == CONFIG_BAD)
        return st;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char name[64];
        env_name(keys[i].name, name, sizeof name);
        const char *v = getenv(name);
        if (v == NULL)
            continue;
        if (set_value(cfg, &keys[i], v) != 0) {
            snprintf(err, errlen, "environment %s: bad value", name);
            return CONFIG_BAD;
        }
    }
    struct config_host hosts[CONFIG_HOSTS_MAX];
    int nhosts = config_hosts(cfg, hosts);
    if (nhosts < 0) {
        snprintf(err, errlen, "bad value for 'db.hosts' (host[:port], ... at most %d)",
                 CONFIG_HOSTS_MAX);
        return CONFIG_BAD;
    }
    /* a missing file is fine when the environment says where the database is */
    if (st == CONFIG_NO_FILE &&
        (cfg->db_socket[0] != '\0' || cfg->db_host[0] != '\0' || nhosts > 0))
        st = CONFIG_OK;
    return st;
}

static int host_char(char ch, int bracketed)
{
    return isalnum((unsigned char)ch) || ch == '.' || ch == '-' || ch == '_' ||
           (bracketed && (ch == ':' || ch == '%'));
}

/* One entry, p[0..n): fills *h; -1 when malformed. */
static int parse_host(const char *p, size_t n, unsigned def_port, struct config_host *h)
{
    size_t i = 0, start, end;
    int bracketed = n > 0 && p[0] == '[';
    if (bracketed) {
        start = i = 1;
        while (i < n && p[i] != ']')
            i++;
        if (i == n)
            return -1;
        end = i++;
    } else {
        start = 0;
        while (i < n && p[i] != ':')
            i++;
        end = i;
    }
    if (end == start || end - start > CONFIG_HOST_NAME_MAX)
        return -1;
    for (size_t k = start; k < end; k++)
        if (!host_char(p[k], bracketed))
            return -1;
    h->port = def_port;
    if (i < n) {
        if (p[i] != ':' || i + 1 == n || n - (i + 1) > 5)
            return -1;
        unsigned port = 0;
        for (size_t k = i + 1; k < n; k++) {
            if (!isdigit((unsigned char)p[k]))
                return -1;
            port = port * 10 + (unsigned)(p[k] - '0');
        }
        if (port == 0 || port > 65535)
            return -1;
        h->port = port;
    }
    memcpy(h->name, p + start, end - start);
    h->name[end - start] = '\0';
    return 0;
}

int config_hosts(const struct config *cfg, struct config_host out[CONFIG_HOSTS_MAX])
{
    const char *s = cfg->db_hosts != NULL ? cfg->db_hosts : "";
    int count = 0;
    while (*s != '\0') {
        if (*s == ',' || *s == ' ' || *s == '\t') {
            s++;
            continue;
        }
        size_t n = strcspn(s, ", \t");
        if (count == CONFIG_HOSTS_MAX || parse_host(s, n, cfg->db_port, &out[count]) != 0)
            return -1;
        count++;
        s += n;
    }
    return count;
}

void config_free(struct config *cfg)
{
    char *base = (char *)cfg;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (keys[i].type == C_STR) {
            char **slot = (char **)(base + keys[i].offset);
            free(*slot);
            *slot = NULL;
        }
}
