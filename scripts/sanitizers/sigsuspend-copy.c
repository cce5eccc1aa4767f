/* Preloaded into jwtk only by scripts/leaks.sh, to work around a valgrind 3.19 crash (not a jwtk or libdispatch
 * bug). Swift's async main ends in libdispatch's dispatch_main(), whose signal thread calls sigsuspend() with a
 * `static const` mask in read-only memory. valgrind's rt_sigsuspend wrapper removes SIGKILL/SIGSTOP from the
 * mask *in place*, writes into that read-only page and dies ("VALGRIND INTERNAL ERROR: Valgrind received a
 * signal 11", rt_sigsuspend(0x..libdispatch.., 8) in --trace-syscalls). This sigsuspend passes the kernel a
 * writable copy of the same mask; the behaviour is otherwise identical. */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

int sigsuspend(const sigset_t *mask) {
    sigset_t copy = *mask;
    return (int)syscall(SYS_rt_sigsuspend, &copy, (size_t)(_NSIG / 8));
}
