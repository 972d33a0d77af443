/* wasmpod_ipc.h: the `wasmpod_ipc` import module, shared memory and message queues between the containers
 * of one wasmpod pod. Every function returns 0 or a WASI errno (the values of <errno.h> in wasi-libc).
 * docs/ipc.md describes each function, its arguments and its errno values.
 * Timeouts are in nanoseconds: WASMPOD_IPC_FOREVER (-1) waits without end, 0 does not wait (EAGAIN). */
#ifndef WASMPOD_IPC_H
#define WASMPOD_IPC_H

#include <stdint.h>

#define WASMPOD_IPC_IMPORT(name) __attribute__((import_module("wasmpod_ipc"), import_name(#name)))

/* open flags */
#define WASMPOD_IPC_CREAT    1
#define WASMPOD_IPC_EXCL     2
#define WASMPOD_IPC_READ     4
#define WASMPOD_IPC_WRITE    8
#define WASMPOD_IPC_RDWR     (WASMPOD_IPC_READ | WASMPOD_IPC_WRITE)
#define WASMPOD_IPC_NONBLOCK 16

#define WASMPOD_IPC_FOREVER ((int64_t)-1)

/* shm_atomic operations; each returns the word's previous value in *old */
#define WASMPOD_ATOMIC_LOAD     0
#define WASMPOD_ATOMIC_STORE    1
#define WASMPOD_ATOMIC_ADD      2
#define WASMPOD_ATOMIC_SUB      3
#define WASMPOD_ATOMIC_AND      4
#define WASMPOD_ATOMIC_OR       5
#define WASMPOD_ATOMIC_XOR      6
#define WASMPOD_ATOMIC_EXCHANGE 7
#define WASMPOD_ATOMIC_CAS      8  /* a: expected, b: replacement */

#define WASMPOD_MQ_PRIO_MAX 32768

typedef uint32_t wasmpod_ipc_handle;

typedef struct {
    uint32_t maxmsg;   /* capacity in messages */
    uint32_t msgsize;  /* largest message in bytes */
    uint32_t curmsgs;  /* messages queued now */
    uint32_t flags;    /* the flags of this handle's open */
} wasmpod_mq_attr;

/* shared-memory segments */
int32_t wasmpod_shm_open(const char *name, uint32_t name_len, uint32_t flags, uint32_t size,
                         wasmpod_ipc_handle *out) WASMPOD_IPC_IMPORT(shm_open);
int32_t wasmpod_shm_size(wasmpod_ipc_handle h, uint32_t *size) WASMPOD_IPC_IMPORT(shm_size);
int32_t wasmpod_shm_unlink(const char *name, uint32_t name_len) WASMPOD_IPC_IMPORT(shm_unlink);
int32_t wasmpod_shm_read(wasmpod_ipc_handle h, uint32_t offset, void *buf, uint32_t len) WASMPOD_IPC_IMPORT(shm_read);
int32_t wasmpod_shm_write(wasmpod_ipc_handle h, uint32_t offset, const void *buf, uint32_t len) WASMPOD_IPC_IMPORT(shm_write);
int32_t wasmpod_shm_atomic(wasmpod_ipc_handle h, uint32_t op, uint32_t offset, int32_t a, int32_t b,
                           int32_t *old) WASMPOD_IPC_IMPORT(shm_atomic);
int32_t wasmpod_shm_futex_wait(wasmpod_ipc_handle h, uint32_t offset, int32_t expected,
                               int64_t timeout_ns) WASMPOD_IPC_IMPORT(shm_futex_wait);
int32_t wasmpod_shm_futex_wake(wasmpod_ipc_handle h, uint32_t offset, uint32_t count,
                               uint32_t *woken) WASMPOD_IPC_IMPORT(shm_futex_wake);
int32_t wasmpod_shm_mutex_lock(wasmpod_ipc_handle h, uint32_t offset, int64_t timeout_ns) WASMPOD_IPC_IMPORT(shm_mutex_lock);
int32_t wasmpod_shm_mutex_unlock(wasmpod_ipc_handle h, uint32_t offset) WASMPOD_IPC_IMPORT(shm_mutex_unlock);

/* message queues */
int32_t wasmpod_mq_open(const char *name, uint32_t name_len, uint32_t flags, uint32_t maxmsg, uint32_t msgsize,
                        wasmpod_ipc_handle *out) WASMPOD_IPC_IMPORT(mq_open);
int32_t wasmpod_mq_unlink(const char *name, uint32_t name_len) WASMPOD_IPC_IMPORT(mq_unlink);
int32_t wasmpod_mq_send(wasmpod_ipc_handle h, const void *msg, uint32_t len, uint32_t prio,
                        int64_t timeout_ns) WASMPOD_IPC_IMPORT(mq_send);
int32_t wasmpod_mq_receive(wasmpod_ipc_handle h, void *buf, uint32_t buf_len, uint32_t *len, uint32_t *prio,
                           int64_t timeout_ns) WASMPOD_IPC_IMPORT(mq_receive);
int32_t wasmpod_mq_getattr(wasmpod_ipc_handle h, wasmpod_mq_attr *attr) WASMPOD_IPC_IMPORT(mq_getattr);

/* counting semaphores */
int32_t wasmpod_sem_open(const char *name, uint32_t name_len, uint32_t flags, uint32_t value,
                         wasmpod_ipc_handle *out) WASMPOD_IPC_IMPORT(sem_open);
int32_t wasmpod_sem_unlink(const char *name, uint32_t name_len) WASMPOD_IPC_IMPORT(sem_unlink);
int32_t wasmpod_sem_wait(wasmpod_ipc_handle h, int64_t timeout_ns) WASMPOD_IPC_IMPORT(sem_wait);
int32_t wasmpod_sem_post(wasmpod_ipc_handle h) WASMPOD_IPC_IMPORT(sem_post);
int32_t wasmpod_sem_getvalue(wasmpod_ipc_handle h, uint32_t *value) WASMPOD_IPC_IMPORT(sem_getvalue);

/* any handle */
int32_t wasmpod_ipc_close(wasmpod_ipc_handle h) WASMPOD_IPC_IMPORT(close);

#endif
