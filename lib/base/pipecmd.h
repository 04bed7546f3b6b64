/* pipecmd.h: running a configured command (the sendmail-compatible mail command) with some
 * bytes on its standard input, without a shell: the command line is split into words here
 * (quotes and backslashes, nothing else: no variables, globs, redirections or pipes), the
 * program is started with fork/execvp, fed under a time limit and reaped with waitpid.
 * The child gets only stdin (the input), stdout and stderr (captured for the error reason);
 * no other descriptor of the caller (database, FastCGI socket) reaches it. */
#ifndef PROV_PIPECMD_H
#define PROV_PIPECMD_H

#include <stddef.h>

enum { PIPECMD_MAX_WORDS = 32, PIPECMD_REASON_MAX = 200 };

/* Splits line (modified in place) into at most max words stored in argv, NULL-terminated
 * (argv needs max + 1 slots). Words are separated by blanks; '...' is literal; inside "..."
 * a backslash escapes '"' and '\\' only; outside quotes a backslash escapes any character.
 * Returns the number of words, or -1 for an empty line, an unterminated quote, a trailing
 * backslash or too many words. */
int pipecmd_split(char *line, char *argv[], size_t max);

enum pipecmd_status {
    PIPECMD_OK = 0,       /* the command read all its input and exited with status 0 */
    PIPECMD_FAILED,       /* it ran and failed: see the result */
    PIPECMD_BAD_COMMAND,  /* the command line cannot be split (see pipecmd_split) */
    PIPECMD_NOT_STARTED   /* fork, pipe or exec failed (reason says which) */
};

struct pipecmd_result {
    int exit_status;      /* the exit status when the command exited, else -1 */
    int term_signal;      /* the signal that ended it, else 0 */
    int timed_out;        /* killed after the time limit */
    int input_short;      /* it exited before reading all of its input */
    char reason[PIPECMD_REASON_MAX + 1];   /* one printable-ASCII line for the operator */
};

/* Runs command with the n bytes at input on its standard input, allowing timeout_ms for all
 * of it (writing, running, exiting); after that the child is killed. The reason names the
 * program (argv[0]), the status, and the first line the command wrote to stdout/stderr. */
enum pipecmd_status pipecmd_run(const char *command, const void *input, size_t n,
                                unsigned timeout_ms, struct pipecmd_result *r);
/* The same, with env (NULL-terminated "NAME=value" strings, or NULL) added to the command's
 * environment. */
enum pipecmd_status pipecmd_run_env(const char *command, const char *const *env,
                                    const void *input, size_t n, unsigned timeout_ms,
                                    struct pipecmd_result *r);

#endif
