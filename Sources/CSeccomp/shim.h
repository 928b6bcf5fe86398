// The inspecting child's write ban: a seccomp filter, in C because the BPF macros are C.
//
// Once installed (after the child has loaded its system data and before it reads a byte of the
// upload), no process of the child's may change the content, name or mode of any file: it
// cannot open a file for writing, create, truncate, rename, link or unlink one, change a mode,
// owner or extended attribute, nor reach another process's memory or descriptors (ptrace,
// process_vm_*, pidfd_getfd) or use io_uring, which seccomp cannot see into. Reading, mapping
// read-only, pipes to the parent and memory allocation stay allowed. The filter is inherited by
// threads and across exec, and no_new_privs keeps it from being lifted.
//
// That is what lets the server trust the staged upload after inspection without hashing it
// again: a compromised parser has no way to alter it.
#pragma once

#if defined(__linux__) && (defined(__x86_64__) || defined(__aarch64__))
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/types.h>

#if defined(__x86_64__)
#define ZHTJ_AUDIT_ARCH AUDIT_ARCH_X86_64
#else
#define ZHTJ_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

#define ZHTJ_DENY(nr, err) \
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (err))

// Flags that make an open write, create or truncate.
#define ZHTJ_WRITE_FLAGS (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)

// The low 32 bits of argument `n` (both architectures are little-endian).
#define ZHTJ_ARG_LOW(n) (offsetof(struct seccomp_data, args) + 8 * (n))

/// 1 where the write ban exists (Linux on x86-64 and AArch64), else 0.
static inline int zhtj_write_ban_supported(void) { return 1; }

/// Installs the write ban on the calling thread (and all it later creates); 0 on success, else
/// the errno of the prctl that failed.
static inline int zhtj_install_write_ban(void) {
    struct sock_filter filter[] = {
        // Another architecture's calling convention (x32, i386 on x86-64): kill.
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ZHTJ_AUDIT_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#if defined(__x86_64__)
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
#endif
        // openat(dirfd, path, flags, mode): allowed only without write flags.
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat, 0, 4),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ZHTJ_ARG_LOW(2)),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, ZHTJ_WRITE_FLAGS, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
#if defined(SYS_open)
        // open(path, flags, mode), the same.
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_open, 0, 4),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ZHTJ_ARG_LOW(1)),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, ZHTJ_WRITE_FLAGS, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
#endif
        // Its flags are in a struct the filter cannot read; glibc falls back to openat.
        ZHTJ_DENY(437 /* openat2 */, ENOSYS),
#if defined(SYS_creat)
        ZHTJ_DENY(SYS_creat, EPERM),
#endif
#if defined(SYS_rename)
        ZHTJ_DENY(SYS_rename, EPERM),
#endif
        ZHTJ_DENY(SYS_renameat, EPERM),
        ZHTJ_DENY(SYS_renameat2, EPERM),
#if defined(SYS_link)
        ZHTJ_DENY(SYS_link, EPERM),
        ZHTJ_DENY(SYS_symlink, EPERM),
        ZHTJ_DENY(SYS_unlink, EPERM),
        ZHTJ_DENY(SYS_rmdir, EPERM),
        ZHTJ_DENY(SYS_mkdir, EPERM),
        ZHTJ_DENY(SYS_mknod, EPERM),
        ZHTJ_DENY(SYS_chmod, EPERM),
        ZHTJ_DENY(SYS_chown, EPERM),
        ZHTJ_DENY(SYS_lchown, EPERM),
#endif
        ZHTJ_DENY(SYS_linkat, EPERM),
        ZHTJ_DENY(SYS_symlinkat, EPERM),
        ZHTJ_DENY(SYS_unlinkat, EPERM),
        ZHTJ_DENY(SYS_mkdirat, EPERM),
        ZHTJ_DENY(SYS_mknodat, EPERM),
        ZHTJ_DENY(SYS_truncate, EPERM),
        ZHTJ_DENY(SYS_ftruncate, EPERM),
        ZHTJ_DENY(SYS_fallocate, EPERM),
        ZHTJ_DENY(SYS_fchmod, EPERM),
        ZHTJ_DENY(SYS_fchmodat, EPERM),
        ZHTJ_DENY(452 /* fchmodat2 */, EPERM),
        ZHTJ_DENY(SYS_fchown, EPERM),
        ZHTJ_DENY(SYS_fchownat, EPERM),
        ZHTJ_DENY(SYS_setxattr, EPERM),
        ZHTJ_DENY(SYS_lsetxattr, EPERM),
        ZHTJ_DENY(SYS_fsetxattr, EPERM),
        ZHTJ_DENY(SYS_removexattr, EPERM),
        ZHTJ_DENY(SYS_lremovexattr, EPERM),
        ZHTJ_DENY(SYS_fremovexattr, EPERM),
        ZHTJ_DENY(SYS_name_to_handle_at, EPERM),
        ZHTJ_DENY(SYS_open_by_handle_at, EPERM),
        ZHTJ_DENY(SYS_ptrace, EPERM),
        ZHTJ_DENY(SYS_process_vm_readv, EPERM),
        ZHTJ_DENY(SYS_process_vm_writev, EPERM),
        ZHTJ_DENY(438 /* pidfd_getfd */, EPERM),
        ZHTJ_DENY(425 /* io_uring_setup */, EPERM),
        ZHTJ_DENY(426 /* io_uring_enter */, EPERM),
        ZHTJ_DENY(427 /* io_uring_register */, EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog program = {.len = (unsigned short)(sizeof(filter) / sizeof(filter[0])), .filter = filter};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return errno;
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program, 0, 0) != 0) return errno;
    return 0;
}

/// For the ban's self-check: attaches to `pid` with ptrace (detaching at once should it work);
/// -1 when refused.
static inline long zhtj_try_ptrace_attach(pid_t pid) {
    long result = ptrace(PTRACE_ATTACH, pid, 0, 0);
    if (result == 0) ptrace(PTRACE_DETACH, pid, 0, 0);
    return result;
}
#else
static inline long zhtj_try_ptrace_attach(int pid) { (void)pid; return -1; }
static inline int zhtj_write_ban_supported(void) { return 0; }
static inline int zhtj_install_write_ban(void) { return 38; /* ENOSYS */ }
#endif
