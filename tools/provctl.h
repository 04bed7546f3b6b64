/* provctl.h: what the admin CLI's command files share: the open configuration and database, option
 * parsing, and the exit conventions of docs/CONTRACT.md section 9 (bad arguments: one line on
 * stderr and exit status 2, nothing changed; a database failure: exit status 1). */
#ifndef PROV_PROVCTL_H
#define PROV_PROVCTL_H

#include <json-c/json.h>

#include "base/config.h"
#include "codec/json_out.h"
#include "core/core.h"

struct arena;
struct db;
struct tenant;

enum { EXIT_USAGE = 2, EXIT_FAIL = 1 };

/* The kind of credential "provctl token" makes and revokes: Skedulo API tokens (scoped). */
#define TOKEN_KIND "skedulo_token"

struct cli {
    struct config cfg;
    struct db *db;
    struct arena *arena;
    struct core core;     /* the three above, for the core functions that take one */
    int opened;
};

struct opt {
    const char *name;     /* "--name" */
    int takes_value;
    const char *value;    /* set by cli_parse */
    int given;
};

/* Parses argv[first..] against opts; any unknown option, missing value or stray argument is a
 * usage error (exits 2). */
void cli_parse(int argc, char **argv, int first, struct opt *opts, size_t n);
/* The value of a required option, or a usage error. */
const char *cli_required(const struct opt *o);
/* Exits 2 with "provctl: <message>". */
_Noreturn void cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Exits 1 with "provctl: <message>". */
_Noreturn void cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Loads the configuration and opens the database handle (once); exits 1 on failure. Commands
 * call it after their arguments are known to be good. */
void cli_open(struct cli *cli);
/* The tenant named by a 24-hex id, or a usage error when it is malformed or unknown. */
const struct tenant *cli_tenant(struct cli *cli, const char *oid);
/* Reads one secret line from standard input into buf (n bytes), surrounding blanks trimmed;
 * a usage error when there is none, it is empty or it does not fit. what names it in the
 * messages ("token"), which never show the secret. */
void cli_read_secret(char *buf, size_t n, const char *what);
/* Prints obj as one line of JSON and puts it; obj NULL or bad (one of its adds failed,
 * codec/json_out.h) is "out of memory" instead. */
void cli_print(json_object *obj, int bad);

int cmd_migrate(struct cli *cli, int argc, char **argv);
int cmd_tenant(struct cli *cli, int argc, char **argv);
int cmd_tenant_password_policy(struct cli *cli, int argc, char **argv);   /* provctl_pwpolicy.c */
int cmd_catalog(struct cli *cli, const char *what, int argc, char **argv);
int cmd_token(struct cli *cli, int argc, char **argv);
int cmd_tasks(struct cli *cli, int argc, char **argv);   /* provctl_tasks.c */
int cmd_mail(struct cli *cli, int argc, char **argv);    /* provctl_mail.c */
int cmd_credential(struct cli *cli, int argc, char **argv);   /* provctl_credential.c */

#endif
