// One `wasmpod serve` per state dir: a lock file holding the server's pid, taken over when that process is gone.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WasmpodError } from '../errors.js';
import { processAlive } from '../state-dir.js';

/** Another live server holds the state dir. */
export class StateDirLockedError extends WasmpodError {
  readonly code = 'ERR_STATE_DIR_LOCKED';
  constructor(readonly stateDir: string, readonly pid: number) {
    super(`another wasmpod serve (pid ${pid}) is using the state dir ${stateDir}; stop it first, or pass another --state-dir`);
  }
}

/** State dirs locked by this process: a second server in the same process is refused too. */
const heldHere = new Set<string>();

function holder(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The lock on a state dir, `STATE_DIR/serve.lock` with the holder's pid. It is created complete (written to
 * a temp file, then hard-linked into place, which fails if the lock exists), so a reader never sees it empty.
 * A lock whose pid is no longer running (a crash, a SIGKILL) is stale and taken over.
 */
export class StateLock {
  private constructor(readonly file: string, private readonly dir: string) {}

  static acquire(stateDir: string): StateLock {
    const dir = path.resolve(stateDir);
    const file = path.join(dir, 'serve.lock');
    if (heldHere.has(dir)) throw new StateDirLockedError(dir, process.pid);
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${process.pid}\n`, { mode: 0o600 });
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          fs.linkSync(tmp, file);
          break;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
        const pid = holder(file);
        if (pid !== undefined && pid !== process.pid && processAlive(pid)) throw new StateDirLockedError(dir, pid);
        // Stale (or unreadable: a crash while it was written by an older version): remove it and try again.
        if (attempt >= 3) throw new WasmpodError(`cannot take over the stale lock ${file}`);
        fs.rmSync(file, { force: true });
      }
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    heldHere.add(dir);
    return new StateLock(file, dir);
  }

  /** Removes the lock, if it is still ours. */
  release(): void {
    if (!heldHere.delete(this.dir)) return;
    if (holder(this.file) === process.pid) fs.rmSync(this.file, { force: true });
  }
}
