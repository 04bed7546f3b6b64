/* test_pipecmd.c: pipecmd_split (quotes, escapes, limits, errors) and pipecmd_run against real
 * programs: success, exit status with the first output line as the reason, a missing program,
 * a timeout, a command that stops reading, large input, no descriptor leaked to the child and
 * the caller's SIGPIPE disposition restored. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/pipecmd.h"

static int split(const char *line, char *copy, size_t size, char **argv, size_t max)
{
    snprintf(copy, size, "%s", line);
    return pipecmd_split(copy, argv, max);
}

static void test_split(void **state)
{
    (void)state;
    char buf[256];
    char *argv[PIPECMD_MAX_WORDS + 1];
    assert_int_equal(split("/usr/sbin/sendmail -t -i", buf, sizeof buf, argv, 8), 3);
    assert_string_equal(argv[0], "/usr/sbin/sendmail");
    assert_string_equal(argv[1], "-t");
    assert_string_equal(argv[2], "-i");
    assert_null(argv[3]);
    assert_int_equal(split("  a\t 'b c' \"d \\\" \\\\ \\n\" e\\ f '' g'h'\"i\"  ", buf,
                           sizeof buf, argv, 8), 6);
    assert_string_equal(argv[0], "a");
    assert_string_equal(argv[1], "b c");
    assert_string_equal(argv[2], "d \" \\ \\n");
    assert_string_equal(argv[3], "e f");
    assert_string_equal(argv[4], "");
    assert_string_equal(argv[5], "ghi");
    /* no shell meaning anywhere */
    assert_int_equal(split("x ;|&$(y)`z`>w", buf, sizeof buf, argv, 8), 2);
    assert_string_equal(argv[1], ";|&$(y)`z`>w");
    assert_int_equal(split("", buf, sizeof buf, argv, 8), -1);
    assert_int_equal(split("   ", buf, sizeof buf, argv, 8), -1);
    assert_int_equal(split("a 'b", buf, sizeof buf, argv, 8), -1);
    assert_int_equal(split("a \"b", buf, sizeof buf, argv, 8), -1);
    assert_int_equal(split("a b\\", buf, sizeof buf, argv, 8), -1);
    assert_int_equal(split("1 2 3", buf, sizeof buf, argv, 2), -1);
    assert_int_equal(split("1 2", buf, sizeof buf, argv, 2), 2);
}

static void test_success_and_input(void **state)
{
    (void)state;
    struct pipecmd_result r;
    assert_int_equal(pipecmd_run("/bin/cat", "hello\n", 6, 5000, &r), PIPECMD_OK);
    assert_int_equal(r.exit_status, 0);
    assert_string_equal(r.reason, "");
    /* 4 MiB, far more than a pipe buffer, read by the child */
    size_t n = 4u << 20;
    char *big = malloc(n);
    memset(big, 'x', n);
    assert_int_equal(pipecmd_run("/bin/sh -c 'cat >/dev/null'", big, n, 20000, &r),
                     PIPECMD_OK);
    /* a command that exits 0 without reading has not taken the message */
    assert_int_equal(pipecmd_run("/bin/true", big, n, 20000, &r), PIPECMD_FAILED);
    assert_int_equal(r.input_short, 1);
    assert_string_equal(r.reason, "/bin/true exited with status 0 before reading the whole "
                                  "message");
    free(big);
    assert_int_equal(pipecmd_run("/bin/true", "", 0, 5000, &r), PIPECMD_OK);
}

static void test_failures(void **state)
{
    (void)state;
    struct pipecmd_result r;
    assert_int_equal(pipecmd_run("/bin/sh -c 'echo; echo \"  queue full\x01\"; echo more >&2; "
                                 "exit 75'", "m", 1, 5000, &r), PIPECMD_FAILED);
    assert_int_equal(r.exit_status, 75);
    assert_string_equal(r.reason, "/bin/sh exited with status 75: queue full?");
    assert_int_equal(pipecmd_run("/nonexistent/sendmail -t", "m", 1, 5000, &r),
                     PIPECMD_NOT_STARTED);
    assert_string_equal(r.reason, "cannot execute /nonexistent/sendmail: No such file or "
                                  "directory");
    assert_int_equal(pipecmd_run("sh -c 'kill -9 $$'", "m", 1, 5000, &r), PIPECMD_FAILED);
    assert_int_equal(r.term_signal, 9);
    assert_string_equal(r.reason, "sh was killed by signal 9");
    assert_int_equal(pipecmd_run("'unterminated", "m", 1, 5000, &r), PIPECMD_BAD_COMMAND);
    assert_string_equal(r.reason, "the mail command cannot be parsed");
    assert_int_equal(pipecmd_run(NULL, "m", 1, 5000, &r), PIPECMD_BAD_COMMAND);
}

/* pipecmd_run_env: the variables reach the command (the deliverer names the outbox row this
 * way instead of in the message), and the caller's own environment is not changed. */
static void test_extra_environment(void **state)
{
    (void)state;
    struct pipecmd_result r;
    static const char *const env[] = { "PROVISION_OUTBOX_ID=42", "OTHER_ONE=a b", NULL };
    /* each command reads its input first: one that exits before has failed (input_short) */
    assert_int_equal(pipecmd_run_env("/bin/sh -c 'cat >/dev/null; test "
                                     "\"$PROVISION_OUTBOX_ID|$OTHER_ONE\" = \"42|a b\" || exit 3'",
                                     env, "m", 1, 5000, &r),
                     PIPECMD_OK);
    assert_null(getenv("PROVISION_OUTBOX_ID"));
    assert_int_equal(pipecmd_run_env("/bin/sh -c 'cat >/dev/null; "
                                     "test -z \"$PROVISION_OUTBOX_ID\" || exit 3'",
                                     NULL, "m", 1, 5000, &r), PIPECMD_OK);
    /* and a wrong value is seen as wrong */
    assert_int_equal(pipecmd_run_env("/bin/sh -c 'cat >/dev/null; "
                                     "test \"$PROVISION_OUTBOX_ID\" = 41 || exit 3'",
                                     env, "m", 1, 5000, &r), PIPECMD_FAILED);
    assert_int_equal(r.exit_status, 3);
}

static void test_timeout(void **state)
{
    (void)state;
    struct pipecmd_result r;
    time_t t0 = time(NULL);
    assert_int_equal(pipecmd_run("/bin/sleep 10", "m", 1, 300, &r), PIPECMD_FAILED);
    assert_true(time(NULL) - t0 < 5);
    assert_int_equal(r.timed_out, 1);
    assert_string_equal(r.reason, "/bin/sleep timed out and was killed");
}

static void test_no_descriptor_leaks_and_sigpipe_restored(void **state)
{
    (void)state;
    int fd = open("/dev/null", O_RDONLY);   /* stands for the database socket */
    assert_true(fd > 2);
    char cmd[256];
    snprintf(cmd, sizeof cmd,
             "/bin/sh -c 'if [ -e /proc/self/fd/%d ]; then echo leaked; else echo clean; fi; "
             "exit 3'", fd);
    struct sigaction before, after;
    sigaction(SIGPIPE, NULL, &before);
    struct pipecmd_result r;
    assert_int_equal(pipecmd_run(cmd, "m", 1, 5000, &r), PIPECMD_FAILED);
    assert_string_equal(r.reason, "/bin/sh exited with status 3: clean");
    sigaction(SIGPIPE, NULL, &after);
    assert_ptr_equal(before.sa_handler, after.sa_handler);
    close(fd);
    /* even with the standard descriptors closed in the caller (plain CGI after the response) */
    int saved = dup(STDOUT_FILENO);
    close(STDOUT_FILENO);
    assert_int_equal(pipecmd_run("/bin/cat", "x", 1, 5000, &r), PIPECMD_OK);
    dup2(saved, STDOUT_FILENO);
    close(saved);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_success_and_input),
        cmocka_unit_test(test_failures),
        cmocka_unit_test(test_extra_environment),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_no_descriptor_leaks_and_sigpipe_restored),
    };
    return cmocka_run_group_tests_name("pipecmd", tests, NULL, NULL);
}
