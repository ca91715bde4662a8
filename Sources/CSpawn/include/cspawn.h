#ifndef CSPAWN_H
#define CSPAWN_H
#include <sys/types.h>
/* posix_spawn with the GNU extensions Swift's Glibc module does not show (addchdir_np,
   addclosefrom_np). No other logic; the Swift side is Sources/Basics/ChildSpawn.swift. */

/* Starts `path` with `argv` and `envp` (NULL-terminated). The descriptors `stdin_fd`,
   `stdout_fd` and `stderr_fd` become the child's 0, 1 and 2 (-1: /dev/null); every other descriptor is closed
   in the child; it starts in `directory` (here when NULL), leads a new process group and blocks
   no signal. Returns 0 and sets `*pid`, or the errno value posix_spawn reported. */
int cspawn_start(const char *path, char *const argv[], char *const envp[], const char *directory,
                 int stdin_fd, int stdout_fd, int stderr_fd, pid_t *pid);
#endif
