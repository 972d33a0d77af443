// The shared-memory layout of every pod IPC object (queue, semaphore, mutex word, robust list): all offsets and bits named here.

// ---- Message queue: a header of Int32 words, then `maxmsg` slots of SLOT_HEADER_BYTES + msgsize bytes.
export const Q_MAXMSG = 0;          // capacity in messages (fixed at creation)
export const Q_MSGSIZE = 1;         // largest message in bytes (fixed at creation)
export const Q_SENT = 2;            // epoch: +1 whenever a message becomes receivable (receivers wait on it)
export const Q_FREED = 3;           // epoch: +1 whenever a slot becomes free (senders wait on it)
export const Q_SEQ = 4;             // next sequence number: FIFO order among messages of equal priority
export const Q_RECV_WAITERS = 5;    // receivers asleep on Q_SENT (senders skip the notify when 0)
export const Q_SEND_WAITERS = 6;    // senders asleep on Q_FREED
export const Q_LOCK = 7;            // 0, or the owner id (| LOCK_WAITERS) of who queues or picks a message
export const LOCK_WAITERS = 0x40000000;
export const Q_HEADER_WORDS = 8;
export const Q_HEADER_BYTES = Q_HEADER_WORDS * 4;

// A slot's header (Int32 words at the slot's start), then the message bytes.
export const S_STATE = 0;           // SLOT_FREE, SLOT_QUEUED, or WRITING/READING tagged with the owner
export const S_LEN = 1;             // message length in bytes
export const S_PRIO = 2;            // priority, 0..MQ_PRIO_MAX-1, higher first
export const S_SEQ = 3;             // sequence number taken when the message was queued
export const SLOT_HEADER_WORDS = 4;
export const SLOT_HEADER_BYTES = SLOT_HEADER_WORDS * 4;

// Slot states. Bytes are copied while the slot is tagged with the copier's owner id, outside the lock;
// under Q_LOCK only a sequence number and a state word change. A worker that dies at any step leaves at
// most a tagged slot and the lock word, which the main thread puts back (see queue.ts recover()).
export const SLOT_FREE = 0;
export const SLOT_QUEUED = 1;
export const SLOT_WRITING = 2;      // | owner << 2
export const SLOT_READING = 3;      // | owner << 2
export const SLOT_KIND_MASK = 3;
export const slotTag = (kind: number, owner: number): number => (owner << 2) | kind;
export const slotOwner = (state: number): number => state >>> 2;

export const MQ_PRIO_MAX = 32768;

// ---- Semaphore: two Int32 words.
export const SEM_VALUE = 0;
export const SEM_WAITERS = 1;
export const SEM_WORDS = 2;

// ---- Robust mutex: one Int32 word in a segment: 0 when free, else the owner id plus these bits.
export const MUTEX_OWNER_MASK = 0x1fffffff;
export const MUTEX_OWNER_DIED = 0x20000000;  // the owner ended while holding it; the next locker gets EOWNERDEAD
export const MUTEX_WAITERS = 0x40000000;     // someone may be asleep on the word: unlock must notify
/** Owner ids are positive and fit the mask (and the slot tag). */
export const MAX_OWNER = MUTEX_OWNER_MASK;

// ---- A container's robust list: the mutexes it holds (or is acquiring), read by the main thread when it dies.
export const ROBUST_ENTRIES = 32;
export const R_SEGMENT = 0;         // segment id (0: entry unused)
export const R_OFFSET = 1;          // byte offset of the mutex word
export const R_ENTRY_WORDS = 2;
export const ROBUST_BYTES = ROBUST_ENTRIES * R_ENTRY_WORDS * 4;
