/* test_task_slots.c: the per-host worker bound (lib/core/task_slots.c) in a temporary directory: N
 * slots and no more, a freed slot taken again, a slot held by a forked child after the parent
 * closed its copy and freed by the kernel when that child is killed, the lock files readable
 * by everyone whatever the creator's umask, never a slot on descriptors 0-2, the count clamped to 1..64, and an unusable
 * directory or a planted FIFO reported as an error (never a hang, never a slot). */
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/config.h"
#include "core/task_slots.h"

struct fixture {
    char dir[64];
    struct config cfg;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/test_task_slots_XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    f->cfg.task_workers = 2;
    f->cfg.task_slot_dir = f->dir;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char path[128];
    for (unsigned i = 0; i < 70; i++) {
        snprintf(path, sizeof path, "%s/provision-task-slot.%u", f->dir, i);
        unlink(path);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static void test_bound(void **state)
{
    struct fixture *f = *state;
    int a = -1, b = -1, c = 7;
    assert_int_equal(task_slot_take(&f->cfg, NULL, &a), TASK_SLOT_OK);
    assert_int_equal(task_slot_take(&f->cfg, NULL, &b), TASK_SLOT_OK);
    assert_true(a >= 0 && b >= 0 && a != b);
    assert_true(fcntl(a, F_GETFD) & FD_CLOEXEC);   /* a program the worker runs has no slot */
    assert_int_equal(task_slot_take(&f->cfg, NULL, &c), TASK_SLOT_BUSY);
    assert_int_equal(c, -1);
    task_slot_release(&a);
    assert_int_equal(a, -1);
    task_slot_release(&a);   /* twice is harmless */
    assert_int_equal(task_slot_take(&f->cfg, NULL, &c), TASK_SLOT_OK);
    assert_int_equal(task_slot_take(&f->cfg, NULL, &a), TASK_SLOT_BUSY);
    task_slot_release(&b);
    task_slot_release(&c);
    /* another process sees the same bound: the lock is the file's, not this process's */
    assert_int_equal(task_slot_take(&f->cfg, NULL, &a), TASK_SLOT_OK);
    assert_int_equal(task_slot_take(&f->cfg, NULL, &b), TASK_SLOT_OK);
    pid_t p = fork();
    assert_true(p >= 0);
    if (p == 0) {
        int x;
        _exit(task_slot_take(&f->cfg, NULL, &x) == TASK_SLOT_BUSY ? 0 : 1);
    }
    int st;
    assert_int_equal(waitpid(p, &st, 0), p);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    task_slot_release(&a);
    task_slot_release(&b);
}

static void test_inherited_then_freed_by_death(void **state)
{
    struct fixture *f = *state;
    f->cfg.task_workers = 1;
    int s = -1, x = -1;
    int ready[2];
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(task_slot_take(&f->cfg, NULL, &s), TASK_SLOT_OK);
    pid_t p = fork();
    assert_true(p >= 0);
    if (p == 0) {
        close(ready[0]);
        if (write(ready[1], "r", 1) != 1)
            _exit(1);
        pause();   /* holds the inherited slot until killed */
        _exit(0);
    }
    close(ready[1]);
    char ch;
    assert_int_equal(read(ready[0], &ch, 1), 1);
    close(ready[0]);
    task_slot_release(&s);   /* the parent's copy: the child still holds the slot */
    assert_int_equal(task_slot_take(&f->cfg, NULL, &x), TASK_SLOT_BUSY);
    assert_int_equal(kill(p, SIGKILL), 0);
    int st;
    assert_int_equal(waitpid(p, &st, 0), p);
    assert_int_equal(task_slot_take(&f->cfg, NULL, &x), TASK_SLOT_OK);   /* freed by death */
    task_slot_release(&x);
}

/* A CGI program closes its stdout after answering: the slot must not land on a standard
 * descriptor, which the worker it forks points at /dev/null (closing the slot). */
static void test_never_on_a_standard_descriptor(void **state)
{
    struct fixture *f = *state;
    int saved = dup(STDIN_FILENO), s = -1;
    assert_true(saved > STDERR_FILENO);
    assert_int_equal(close(STDIN_FILENO), 0);
    enum task_slot_status st = task_slot_take(&f->cfg, NULL, &s);
    int lowest = open("/dev/null", O_RDONLY);   /* 0 is still free */
    assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
    close(saved);
    if (lowest > STDIN_FILENO)
        close(lowest);
    assert_int_equal(st, TASK_SLOT_OK);
    assert_true(s > STDERR_FILENO);
    assert_int_equal(lowest, STDIN_FILENO);
    assert_true(fcntl(s, F_GETFD) & FD_CLOEXEC);
    task_slot_release(&s);
}

static void test_files_readable_whatever_the_umask(void **state)
{
    struct fixture *f = *state;
    mode_t old = umask(077);
    int s = -1;
    assert_int_equal(task_slot_take(&f->cfg, NULL, &s), TASK_SLOT_OK);
    umask(old);
    struct stat st;
    assert_int_equal(fstat(s, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    task_slot_release(&s);
}

static void test_count_clamped(void **state)
{
    struct fixture *f = *state;
    f->cfg.task_workers = 0;
    assert_int_equal(task_slot_count(&f->cfg), 1);
    int a = -1, b = -1;
    assert_int_equal(task_slot_take(&f->cfg, NULL, &a), TASK_SLOT_OK);
    assert_int_equal(task_slot_take(&f->cfg, NULL, &b), TASK_SLOT_BUSY);
    task_slot_release(&a);
    f->cfg.task_workers = 1000;
    assert_int_equal(task_slot_count(&f->cfg), 64);
}

static void test_unusable(void **state)
{
    struct fixture *f = *state;
    char path[128];
    int s = 7;
    /* a FIFO planted under a slot's name: refused at once, not waited on */
    f->cfg.task_workers = 1;
    snprintf(path, sizeof path, "%s/provision-task-slot.0", f->dir);
    assert_int_equal(mkfifo(path, 0644), 0);
    assert_int_equal(task_slot_take(&f->cfg, NULL, &s), TASK_SLOT_ERROR);
    assert_int_equal(s, -1);
    /* with a second slot usable, that one is taken */
    f->cfg.task_workers = 2;
    assert_int_equal(task_slot_take(&f->cfg, NULL, &s), TASK_SLOT_OK);
    task_slot_release(&s);
    unlink(path);
    /* a directory that does not exist */
    char missing[96];
    snprintf(missing, sizeof missing, "%s/none", f->dir);
    f->cfg.task_slot_dir = missing;
    assert_int_equal(task_slot_take(&f->cfg, NULL, &s), TASK_SLOT_ERROR);
    assert_int_equal(s, -1);
    f->cfg.task_slot_dir = f->dir;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inherited_then_freed_by_death, setup, teardown),
        cmocka_unit_test_setup_teardown(test_never_on_a_standard_descriptor, setup, teardown),
        cmocka_unit_test_setup_teardown(test_files_readable_whatever_the_umask, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_count_clamped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unusable, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
