/* proc_child.h — what a child the worker forks does before it execs (a
 * user's command, a preload helper): its own process group, signals at
 * their defaults with none blocked, whatever the worker's threads had set.
 * Only async-signal-safe calls: the worker forks from several threads. */
#ifndef LRS_PROC_CHILD_H
#define LRS_PROC_CHILD_H

void lrs_proc_child_defaults(void);

#endif
