/* test_config.c: configuration defaults, the file parser (comments, spacing, CRLF, errors with
 * line numbers), environment overrides and the missing-file rule. Files are mkstemp temporaries;
 * every PROVISION_* variable is removed before and after each test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/config.h"

extern char **environ;

static void clear_provision_env(void)
{
    /* collect first: unsetenv reshuffles environ */
    char names[64][128];
    size_t n = 0;
    for (char **e = environ; *e != NULL && n < 64; e++) {
        const char *eq = strchr(*e, '=');
        if (strncmp(*e, "PROVISION_", 10) != 0 || eq == NULL || (size_t)(eq - *e) >= 128)
            continue;
        memcpy(names[n], *e, (size_t)(eq - *e));
        names[n][eq - *e] = '\0';
        n++;
    }
    for (size_t i = 0; i < n; i++)
        unsetenv(names[i]);
}

static int env_setup(void **state)
{
    (void)state;
    clear_provision_env();
    return 0;
}

static int env_teardown(void **state)
{
    (void)state;
    clear_provision_env();
    return 0;
}

/* A temporary file holding text; its name goes to path (at least 32 bytes). */
static void write_conf(const char *text, char *path)
{
    static const char tmpl[] = "/tmp/test_config_XXXXXX";
    memcpy(path, tmpl, sizeof tmpl);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t n = strlen(text);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    assert_int_equal(close(fd), 0);
}

static void test_defaults(void **state)
{
    (void)state;
    struct config c;
    char err[256] = "";
    const char *missing = "/nonexistent/dir/provision.conf";
    assert_int_equal(config_load(&c, missing, err, sizeof err), CONFIG_NO_FILE);
    assert_non_null(strstr(err, missing));
    assert_non_null(strstr(err, "No such file"));
    assert_string_equal(c.db_host, "");
    assert_int_equal(c.db_port, 3306);
    assert_string_equal(c.db_socket, "");
    assert_string_equal(c.db_name, "provision");
    assert_string_equal(c.db_user, "provision");
    assert_string_equal(c.db_password, "");
    assert_int_equal(c.db_connect_timeout, 3);
    assert_int_equal(c.db_rw_timeout, 30);
    assert_int_equal(c.body_max, 8388608);
    assert_int_equal(c.bulk_max_users, 10000);
    assert_int_equal(c.file_max_users, 50000);
    assert_int_equal(c.json_max_depth, 32);
    assert_int_equal(c.string_max, 1024);
    assert_int_equal(c.json_values, 1600000);
    assert_int_equal(c.csv_cells, 6400000);
    assert_int_equal(c.form_fields, 12000);
    assert_int_equal(c.multipart_parts, 64);
    assert_string_equal(c.password_prefix, "$y$");
    assert_int_equal(c.password_cost, 0);
    assert_string_equal(c.password_dictionary, "/var/cache/cracklib/cracklib_dict");
    assert_int_equal(c.token_ttl_hours, 48);
    assert_string_equal(c.base_url, "");
    assert_string_equal(c.mail_from, "");
    assert_string_equal(c.mail_command, "/usr/sbin/sendmail -t -i");
    assert_int_equal(c.mail_after_response, 0);
    assert_int_equal(c.mail_max_attempts, 8);
    assert_int_equal(c.task_stale_seconds, 60);
    assert_int_equal(c.task_workers, 2);
    assert_string_equal(c.task_slot_dir, "/run/lock");
    config_free(&c);
    assert_null(c.db_name);
    config_free(&c);   /* twice is harmless */
}

static void test_file(void **state)
{
    (void)state;
    char path[64], err[256] = "";
    write_conf("# provision.conf\n"
               "\n"
               "   # an indented comment\n"
               "db.host = db.internal\n"
               "db.port=3307\n"
               "\tdb.user\t=\tsvc \t\n"
               "db.password = se=cr#et\r\n"
               "db.name = first\n"
               "db.name = second\n"
               "limits.body_bytes = 9223372036854775807\n"
               "password.cost = 3\n"
               "public.base_url = https://id.example.com/\n"
               "mail.from =\n"
               "tasks.stale_seconds = 4294967295", path);
    struct config c;
    assert_int_equal(config_load(&c, path, err, sizeof err), CONFIG_OK);
    assert_string_equal(c.db_host, "db.internal");
    assert_int_equal(c.db_port, 3307);
    assert_string_equal(c.db_user, "svc");
    assert_string_equal(c.db_password, "se=cr#et");   /* no trailing CR, '=' and '#' kept */
    assert_string_equal(c.db_name, "second");         /* the last duplicate wins */
    assert_int_equal(c.body_max, (size_t)9223372036854775807ull);
    assert_int_equal(c.password_cost, 3);
    assert_string_equal(c.base_url, "https://id.example.com/");
    assert_string_equal(c.mail_from, "");
    assert_int_equal(c.task_stale_seconds, 4294967295u);
    /* untouched keys keep their defaults */
    assert_string_equal(c.db_socket, "");
    assert_int_equal(c.json_max_depth, 32);
    assert_string_equal(c.mail_command, "/usr/sbin/sendmail -t -i");
    config_free(&c);
    unlink(path);
}

/* Loads text and expects CONFIG_BAD with err exactly "<path>:<suffix>". */
static void expect_bad(const char *text, const char *suffix)
{
    char path[64], err[512] = "", want[512];
    write_conf(text, path);
    struct config c;
    assert_int_equal(config_load(&c, path, err, sizeof err), CONFIG_BAD);
    snprintf(want, sizeof want, "%s:%s", path, suffix);
    assert_string_equal(err, want);
    config_free(&c);
    unlink(path);
}

static void test_file_errors(void **state)
{
    (void)state;
    expect_bad("db.port = 1\n# ok\ndb.hots = x\n", "3: unknown key 'db.hots'");
    expect_bad("DB.PORT = 1\n", "1: unknown key 'DB.PORT'");
    expect_bad("\n\n\n\ndb.name\n", "5: expected key = value");
    expect_bad("# c\ndb.port = 33o6\n", "2: bad value for 'db.port'");
    expect_bad("db.port = -1\n", "1: bad value for 'db.port'");
    expect_bad("db.port = +1\n", "1: bad value for 'db.port'");
    expect_bad("db.port = 0x10\n", "1: bad value for 'db.port'");
    expect_bad("db.port =\n", "1: bad value for 'db.port'");
    expect_bad("db.port = 1 # comment\n", "1: bad value for 'db.port'");
    expect_bad("db.port = 4294967296\n", "1: bad value for 'db.port'");
    expect_bad("db.port = 99999999999999999999999\n", "1: bad value for 'db.port'");
    expect_bad("limits.body_bytes = 9223372036854775808\n",
               "1: bad value for 'limits.body_bytes'");
    expect_bad("db.name = a\n= b\n", "2: unknown key ''");

    char *longline = malloc(5002);
    assert_non_null(longline);
    memcpy(longline, "db.name = ", 10);
    memset(longline + 10, 'n', 4990);
    memcpy(longline + 5000, "\n", 2);
    expect_bad(longline, "1: line too long");
    free(longline);
}

static void test_env_overrides(void **state)
{
    (void)state;
    char path[64], err[256] = "";
    write_conf("db.socket = /file.sock\ndb.port = 1\nmail.from = file@example.com\n", path);
    setenv("PROVISION_DB_SOCKET", "/run/mysqld/mysqld.sock", 1);
    setenv("PROVISION_DB_PORT", "3308", 1);
    setenv("PROVISION_LIMITS_BODY_BYTES", "1000", 1);
    setenv("PROVISION_PUBLIC_BASE_URL", "https://env.example.com", 1);
    setenv("PROVISION_MAIL_FROM", "", 1);
    setenv("PROVISION_PASSWORD_COST", "2", 1);
    struct config c;
    assert_int_equal(config_load(&c, path, err, sizeof err), CONFIG_OK);
    assert_string_equal(c.db_socket, "/run/mysqld/mysqld.sock");
    assert_int_equal(c.db_port, 3308);
    assert_int_equal(c.body_max, 1000);
    assert_string_equal(c.base_url, "https://env.example.com");
    assert_string_equal(c.mail_from, "");
    assert_int_equal(c.password_cost, 2);
    assert_string_equal(c.db_name, "provision");
    config_free(&c);

    /* a malformed value in the environment is an error too */
    setenv("PROVISION_DB_PORT", "33o8", 1);
    assert_int_equal(config_load(&c, path, err, sizeof err), CONFIG_BAD);
    assert_string_equal(err, "environment PROVISION_DB_PORT: bad value");
    config_free(&c);
    unlink(path);
}

static void test_missing_file(void **state)
{
    (void)state;
    const char *missing = "/nonexistent/provision.conf";
    char err[256] = "";
    struct config c;

    /* nothing says where the database is: the missing file is reported */
    setenv("PROVISION_DB_NAME", "prov", 1);
    assert_int_equal(config_load(&c, missing, err, sizeof err), CONFIG_NO_FILE);
    config_free(&c);

    setenv("PROVISION_DB_SOCKET", "/tmp/mysqld.sock", 1);
    assert_int_equal(config_load(&c, missing, err, sizeof err), CONFIG_OK);
    assert_string_equal(c.db_socket, "/tmp/mysqld.sock");
    assert_string_equal(c.db_name, "prov");
    config_free(&c);
    unsetenv("PROVISION_DB_SOCKET");

    setenv("PROVISION_DB_HOST", "10.0.0.5", 1);
    setenv("PROVISION_DB_PORT", "3310", 1);
    assert_int_equal(config_load(&c, missing, err, sizeof err), CONFIG_OK);
    assert_string_equal(c.db_host, "10.0.0.5");
    assert_int_equal(c.db_port, 3310);
    config_free(&c);

    /* an empty host is no database location */
    setenv("PROVISION_DB_HOST", "", 1);
    assert_int_equal(config_load(&c, missing, err, sizeof err), CONFIG_NO_FILE);
    config_free(&c);
}

/* db.hosts: the list in order, default ports, IPv6 in brackets; malformed lists refused. */
static void test_hosts(void **state)
{
    (void)state;
    char path[64], err[256] = "";
    write_conf("db.port = 3307\n"
               "db.hosts = db1.internal:3306, 10.0.0.2 ,[fd00::3]:4406,[::1]\tdb-5\n", path);
    struct config c;
    assert_int_equal(config_load(&c, path, err, sizeof err), CONFIG_OK);
    struct config_host h[CONFIG_HOSTS_MAX];
    assert_int_equal(config_hosts(&c, h), 5);
    assert_string_equal(h[0].name, "db1.internal");
    assert_int_equal(h[0].port, 3306);
    assert_string_equal(h[1].name, "10.0.0.2");
    assert_int_equal(h[1].port, 3307);
    assert_string_equal(h[2].name, "fd00::3");
    assert_int_equal(h[2].port, 4406);
    assert_string_equal(h[3].name, "::1");
    assert_int_equal(h[3].port, 3307);
    assert_string_equal(h[4].name, "db-5");
    config_free(&c);
    unlink(path);

    /* the list alone says where the database is */
    setenv("PROVISION_DB_HOSTS", "127.0.0.1:13306,127.0.0.1:13316", 1);
    assert_int_equal(config_load(&c, "/nonexistent/provision.conf", err, sizeof err),
                     CONFIG_OK);
    assert_int_equal(config_hosts(&c, h), 2);
    assert_int_equal(h[1].port, 13316);
    config_free(&c);
    unsetenv("PROVISION_DB_HOSTS");

    /* empty: none (db.host / db.socket apply) */
    write_conf("db.hosts =\n", path);
    assert_int_equal(config_load(&c, path, err, sizeof err), CONFIG_OK);
    assert_int_equal(config_hosts(&c, h), 0);
    config_free(&c);
    unlink(path);

    static const char *const bad[] = {
        "db.hosts = a:0\n", "db.hosts = a:65536\n", "db.hosts = a:\n", "db.hosts = :3306\n",
        "db.hosts = a:33o6\n", "db.hosts = a;b\n", "db.hosts = [::1\n", "db.hosts = [::1]x\n",
        "db.hosts = fd00::1\n", "db.hosts = a:123456\n", "db.hosts = a/b\n",
        "db.hosts = a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_conf(bad[i], path);
        assert_int_equal(config_load(&c, path, err, sizeof err), CONFIG_BAD);
        assert_non_null(strstr(err, "db.hosts"));
        config_free(&c);
        unlink(path);
    }
    /* sixteen entries are the most */
    write_conf("db.hosts = a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p\n", path);
    assert_int_equal(config_load(&c, path, err, sizeof err), CONFIG_OK);
    assert_int_equal(config_hosts(&c, h), 16);
    assert_string_equal(h[15].name, "p");
    config_free(&c);
    unlink(path);
}

static void test_default_path(void **state)
{
    (void)state;
    assert_string_equal(config_default_path(), "/etc/provision.conf");
    setenv("PROVISION_CONF", "", 1);
    assert_string_equal(config_default_path(), "/etc/provision.conf");

    char path[64], err[256] = "";
    write_conf("db.name = from_conf_env\n", path);
    setenv("PROVISION_CONF", path, 1);
    assert_string_equal(config_default_path(), path);
    struct config c;
    assert_int_equal(config_load(&c, NULL, err, sizeof err), CONFIG_OK);
    assert_string_equal(c.db_name, "from_conf_env");
    config_free(&c);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults, env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_file, env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_file_errors, env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_env_overrides, env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_missing_file, env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_default_path, env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_hosts, env_setup, env_teardown),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
