// The shared-memory layout of every pod IPC object (queue, semaphore, mutex word, robust list): all offsets and bits named here.

// ---- Message queue: a header of Int32 words, then `maxmsg` slots of SLOT_HEADER_BYTES + msgsize bytes.
// The header's words are grouped by who writes them, one 64-byte cache line a group, so that a receiver polling
// Q_SENT does not pull the line a sender is changing under the lock, and the two sides' counters do not share one.
// The last group, changed under Q_LOCK, shares its line with the start of the map of queued slots that follows.
export const Q_MAXMSG = 0;          // capacity in messages (fixed at creation)
export const Q_MSGSIZE = 1;         // largest message in bytes (fixed at creation)
export const Q_SENT = 16;           // epoch: +1 whenever a message becomes receivable (receivers wait on it)
export const Q_RECV_WAITERS = 17;   // receivers registered to sleep on Q_SENT (one that leaves passes a wake-up on while > 0)
// 1 once a receiver (sender) has armed it to sleep: the next message queued (slot freed) swaps it to 0 and pays
// for the one notify; while it is 0, sends and receives make no notify at all (see queue.ts).
export const Q_RECV_ARMED = 18;
export const Q_FREED = 32;          // epoch: +1 whenever a slot becomes free (senders wait on it)
export const Q_SEND_WAITERS = 33;   // senders registered to sleep on Q_FREED
export const Q_SEND_ARMED = 34;
// The Q_FREED value a sleeping sender asks to be woken at: half the slots free, not the first one, so that a fast
// sender sleeps once per half queue rather than once per receive (it bounds that sleep: see queue.ts wait()).
export const Q_SEND_WANT = 35;
export const Q_LOCK = 48;           // 0, or the owner id (| LOCK_WAITERS) of who queues or picks a message
export const LOCK_WAITERS = 0x40000000;
export const Q_SEQ = 49;            // next sequence number (changed under Q_LOCK): FIFO order among messages of equal priority
// The receivers' fast path (queue.ts tryReceive): while no queued message has a priority above 0 (Q_HIPRI counts
// them) and no recovery queued one again (Q_DIRTY), the next message is the one of sequence number Q_HEAD, found in
// the sequence map; otherwise a receiver scans the queued slots, and sets Q_HEAD again for the next one.
export const Q_HEAD = 50;           // no queued message has a lower sequence number (changed under Q_LOCK)
export const Q_HIPRI = 51;          // queued messages of priority > 0 (may stay too high after a sender died: then only slower)
export const Q_DIRTY = 52;          // 1 after a recovery queued a message again: the next receiver scans
export const Q_HEADER_WORDS = 56;
export const Q_HEADER_BYTES = Q_HEADER_WORDS * 4;
// After the header: the map of queued slots, one bit a slot (bit i of word i >> 5), an even number of words so that
// the slots stay 8-byte aligned. A receiver looks only at the slots whose bit is set. A bit is set, under Q_LOCK,
// before its slot becomes QUEUED, and cleared, under Q_LOCK, after it stops being QUEUED; recovery sets the bit of
// a message it queues again. A bit may be left set on a slot that is not QUEUED (its sender died in between): the
// next receiver clears it.
// Then the sequence map: word (seq mod maxmsg) holds the slot of the message of sequence number seq, written under
// Q_LOCK when it is queued (read only by the fast path, which checks the slot's S_SEQ); an even number of words.
export const queueMapWords = (maxmsg: number): number => (((maxmsg + 63) >>> 6) << 1) + ((maxmsg + 1) & ~1);
/** Int32 index of slot `i`'s header in a queue of `maxmsg` slots of `msgsize` bytes. */
export const slotWord = (maxmsg: number, msgsize: number, i: number): number =>
  Q_HEADER_WORDS + queueMapWords(maxmsg) + i * (SLOT_HEADER_WORDS + ((msgsize + 3) >>> 2));

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
