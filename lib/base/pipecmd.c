/* pipecmd.c: fork/exec of a configured command, its input fed through a non-blocking pipe and
 * its output collected, all under one deadline. Exec failures travel back through a
 * close-on-exec pipe (so "not found" is told apart from a command that exits 127), and the
 * child's exit is watched with a pidfd when the kernel has one. SIGPIPE is ignored while
 * feeding, so a command that stops reading early cannot kill the caller. */
#include "base/pipecmd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { CAPTURE_MAX = 512, FALLBACK_POLL_MS = 10, FALLBACK_FD_MAX = 4096 };

int pipecmd_split(char *line, char *argv[], size_t max)
{
    size_t argc = 0;
    char *r = line, *w = line;   /* reading and writing positions: w never passes r */
    for (;;) {
        while (*r == ' ' || *r == '\t')
            r++;
        if (*r == '\0')
            break;
        if (argc == max)
            return -1;
        argv[argc++] = w;
        while (*r != '\0' && *r != ' ' && *r != '\t') {
            if (*r == '\'') {
                for (r++; *r != '\0' && *r != '\''; )
                    *w++ = *r++;
                if (*r++ == '\0')
                    return -1;
            } else if (*r == '"') {
                for (r++; *r != '\0' && *r != '"'; ) {
                    if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
                        r++;
                    *w++ = *r++;
                }
                if (*r++ == '\0')
                    return -1;
            } else if (*r == '\\') {
                if (*++r == '\0')
                    return -1;
                *w++ = *r++;
            } else {
                *w++ = *r++;
            }
        }
        char sep = *r;
        *w++ = '\0';
        if (sep == '\0')
            break;
        r++;
    }
    argv[argc] = NULL;
    return argc > 0 ? (int)argc : -1;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Moves fd above the standard descriptors (close-on-exec), so that the dup2 calls that set up
 * 0, 1 and 2 cannot overwrite one another whatever numbers the pipes got. */
static int lift(int fd)
{
    return fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

static _Noreturn void child(char **argv, const char *const *env, int in, int out, int ex)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    int e = 0;
    in = lift(in);
    out = lift(out);
    if (in < 0 || out < 0 || dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
        dup2(out, STDERR_FILENO) < 0) {
        e = errno;
        goto fail;
    }
    /* nothing else of ours (database socket, FastCGI listener) may reach the command */
    if (close_range(3, ~0u, CLOSE_RANGE_CLOEXEC) != 0)
        for (int fd = 3; fd < FALLBACK_FD_MAX; fd++)
            if (fd != ex)
                (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    /* the caller's own strings; this process becomes the command at once */
    for (size_t i = 0; env != NULL && env[i] != NULL; i++)
        if (putenv((char *)(uintptr_t)env[i]) != 0) {
            e = errno;
            goto fail;
        }
    execvp(argv[0], argv);
    e = errno;
fail:
    while (write(ex, &e, sizeof e) < 0 && errno == EINTR)
        ;
    _exit(127);
}

static void reap(pid_t pid, int *wstatus)
{
    while (waitpid(pid, wstatus, 0) < 0 && errno == EINTR)
        ;
}

/* Keeps the first CAPTURE_MAX bytes of the output and discards the rest. Returns 0 at end of
 * file, 1 when more may come. */
static int collect(int fd, char *cap, size_t *caplen)
{
    char tmp[4096];
    for (;;) {
        ssize_t k = read(fd, tmp, sizeof tmp);
        if (k > 0) {
            size_t take = CAPTURE_MAX - *caplen < (size_t)k ? CAPTURE_MAX - *caplen : (size_t)k;
            memcpy(cap + *caplen, tmp, take);
            *caplen += take;
            continue;
        }
        if (k < 0 && errno == EINTR)
            continue;
        return k < 0 && errno == EAGAIN ? 1 : 0;
    }
}

/* The first non-empty line of the output as printable ASCII, for the reason text. */
static void first_line(const char *cap, size_t n, char *out, size_t outlen)
{
    size_t i = 0, o = 0;
    while (i < n && (cap[i] == '\n' || cap[i] == '\r' || cap[i] == ' '))
        i++;
    for (; i < n && cap[i] != '\n' && cap[i] != '\r' && o + 1 < outlen; i++) {
        unsigned char c = (unsigned char)cap[i];
        out[o++] = c >= 0x20 && c < 0x7F ? (char)c : '?';
    }
    out[o] = '\0';
}

static void describe(struct pipecmd_result *r, const char *prog, const char *out)
{
    char what[96];
    if (r->timed_out)
        snprintf(what, sizeof what, "timed out and was killed");
    else if (r->term_signal != 0)
        snprintf(what, sizeof what, "was killed by signal %d", r->term_signal);
    else if (r->input_short && r->exit_status == 0)
        snprintf(what, sizeof what, "exited with status %d before reading the whole message",
                 r->exit_status);
    else
        snprintf(what, sizeof what, "exited with status %d", r->exit_status);
    /* cut to the field's size: the program's own words come last and may be lost */
    if (snprintf(r->reason, sizeof r->reason, "%.60s %s%s%s", prog, what, *out ? ": " : "",
                 out) < 0)
        r->reason[0] = '\0';
}

struct feed {
    pid_t pid;
    int in, out, pidfd;
    const char *input;
    size_t n, off;
    char cap[CAPTURE_MAX];
    size_t caplen;
};

/* Feeds the input and collects the output until the child has exited or the deadline. Returns
 * 1 when the child exited (its status in *wstatus), 0 on timeout. */
static int feed_loop(struct feed *f, long long deadline, int *wstatus)
{
    for (;;) {
        pid_t w = waitpid(f->pid, wstatus, WNOHANG);
        if (w == f->pid) {
            if (f->out >= 0)
                (void)collect(f->out, f->cap, &f->caplen);
            return 1;
        }
        long long left = deadline - now_ms();
        if (left <= 0)
            return 0;
        struct pollfd p[3];
        nfds_t np = 0;
        int i_in = -1, i_out = -1;
        if (f->in >= 0) {
            i_in = (int)np;
            p[np++] = (struct pollfd){ .fd = f->in, .events = POLLOUT };
        }
        if (f->out >= 0) {
            i_out = (int)np;
            p[np++] = (struct pollfd){ .fd = f->out, .events = POLLIN };
        }
        if (f->pidfd >= 0)
            p[np++] = (struct pollfd){ .fd = f->pidfd, .events = POLLIN };
        int wait = f->pidfd >= 0 ? (int)(left < 1000 ? left : 1000)
                                 : (int)(left < FALLBACK_POLL_MS ? left : FALLBACK_POLL_MS);
        if (poll(p, np, wait) < 0 && errno != EINTR)
            return 0;
        if (i_in >= 0 && p[i_in].revents != 0) {
            ssize_t k = write(f->in, f->input + f->off, f->n - f->off);
            if (k > 0)
                f->off += (size_t)k;
            if (f->off == f->n || (k < 0 && errno != EAGAIN && errno != EINTR)) {
                close(f->in);   /* all written (end of input for the child), or it went away */
                f->in = -1;
            }
        }
        if (i_out >= 0 && p[i_out].revents != 0 && collect(f->out, f->cap, &f->caplen) == 0) {
            close(f->out);
            f->out = -1;
        }
    }
}

enum pipecmd_status pipecmd_run(const char *command, const void *input, size_t n,
                                unsigned timeout_ms, struct pipecmd_result *r)
{
    return pipecmd_run_env(command, NULL, input, n, timeout_ms, r);
}

enum pipecmd_status pipecmd_run_env(const char *command, const char *const *env,
                                    const void *input, size_t n, unsigned timeout_ms,
                                    struct pipecmd_result *r)
{
    enum pipecmd_status st = PIPECMD_NOT_STARTED;
    char *argv[PIPECMD_MAX_WORDS + 1];
    int in[2] = { -1, -1 }, out[2] = { -1, -1 }, ex[2] = { -1, -1 };
    struct feed f = { .pid = -1, .in = -1, .out = -1, .pidfd = -1, .input = input, .n = n };
    struct sigaction ign = { .sa_handler = SIG_IGN }, old;
    int sig_saved = 0;
    char *copy = strdup(command != NULL ? command : "");

    memset(r, 0, sizeof *r);
    r->exit_status = -1;
    if (copy == NULL) {
        snprintf(r->reason, sizeof r->reason, "out of memory");
        goto done;
    }
    if (pipecmd_split(copy, argv, PIPECMD_MAX_WORDS) < 0) {
        snprintf(r->reason, sizeof r->reason, "the mail command cannot be parsed");
        st = PIPECMD_BAD_COMMAND;
        goto done;
    }
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(ex, O_CLOEXEC) != 0) {
        snprintf(r->reason, sizeof r->reason, "cannot create pipes: %s", strerror(errno));
        goto done;
    }
    sigemptyset(&ign.sa_mask);
    sig_saved = sigaction(SIGPIPE, &ign, &old) == 0;
    f.pid = fork();
    if (f.pid < 0) {
        snprintf(r->reason, sizeof r->reason, "cannot fork: %s", strerror(errno));
        goto done;
    }
    if (f.pid == 0)
        child(argv, env, in[0], out[1], ex[1]);
    close(in[0]);
    close(out[1]);
    close(ex[1]);
    in[0] = out[1] = ex[1] = -1;
    int e = 0;
    ssize_t k;
    while ((k = read(ex[0], &e, sizeof e)) < 0 && errno == EINTR)
        ;
    if (k == (ssize_t)sizeof e) {
        int ws;
        reap(f.pid, &ws);
        f.pid = -1;
        snprintf(r->reason, sizeof r->reason, "cannot execute %.60s: %s", argv[0], strerror(e));
        goto done;
    }
    f.in = in[1];
    f.out = out[0];
    in[1] = out[0] = -1;
    fcntl(f.in, F_SETFL, fcntl(f.in, F_GETFL) | O_NONBLOCK);
    fcntl(f.out, F_SETFL, fcntl(f.out, F_GETFL) | O_NONBLOCK);
    f.pidfd = pidfd_open(f.pid, 0);
    if (f.n == 0) {
        close(f.in);
        f.in = -1;
    }
    int ws = 0;
    if (!feed_loop(&f, now_ms() + timeout_ms, &ws)) {
        kill(f.pid, SIGKILL);
        reap(f.pid, &ws);
        r->timed_out = 1;
    }
    f.pid = -1;
    if (WIFEXITED(ws) && !r->timed_out)
        r->exit_status = WEXITSTATUS(ws);
    else if (WIFSIGNALED(ws) && !r->timed_out)
        r->term_signal = WTERMSIG(ws);
    r->input_short = f.off < f.n;
    char line[PIPECMD_REASON_MAX];
    first_line(f.cap, f.caplen, line, sizeof line);
    st = r->exit_status == 0 && !r->input_short ? PIPECMD_OK : PIPECMD_FAILED;
    if (st != PIPECMD_OK)
        describe(r, argv[0], line);
done:
    if (f.pid > 0) {
        int ignored;
        kill(f.pid, SIGKILL);
        reap(f.pid, &ignored);
    }
    int fds[] = { in[0], in[1], out[0], out[1], ex[0], ex[1], f.in, f.out, f.pidfd };
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    if (sig_saved)
        sigaction(SIGPIPE, &old, NULL);
    free(copy);
    return st;
}
