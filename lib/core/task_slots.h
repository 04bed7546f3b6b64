/* task_slots.h: the per-host bound on background task workers. A slot is an exclusive lock
 * (flock) on one of limits.task_workers lock files in tasks.slot_dir; whoever holds the open
 * lock file holds the slot. Every FastCGI process, CGI copy, web server and provctl of a host
 * that names the same directory shares the same slots. The kernel drops a lock when the last
 * descriptor of its open file closes, so a worker that exits, crashes or is killed frees its
 * slot at once: nothing stale to clean up, no database connection needed to ask.
 * Never waits for a slot, never creates the directory. */
#ifndef PROV_TASK_SLOTS_H
#define PROV_TASK_SLOTS_H

struct config;

enum task_slot_status {
    TASK_SLOT_OK = 0,
    TASK_SLOT_BUSY,     /* every slot is held by a running worker */
    TASK_SLOT_ERROR     /* no slot could be tried (directory or file unusable; logged) */
};

/* The number of slots cfg allows: limits.task_workers, at least 1 and at most 64. */
unsigned task_slot_count(const struct config *cfg);
/* Takes a free slot without waiting: *fd is the open lock file (close-on-exec, so a program
 * the holder runs does not inherit it). The slot stays held while any process that has the
 * descriptor (a forked child too) keeps it open. *fd is -1 unless TASK_SLOT_OK. rid tags the
 * log line of an error (may be NULL). */
enum task_slot_status task_slot_take(const struct config *cfg, const char *rid, int *fd);
/* Closes *fd (when >= 0) and sets it to -1: the slot is free once no other process has it. */
void task_slot_release(int *fd);

#endif
