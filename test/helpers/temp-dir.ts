// Temporary directories of a test process, removed when it exits (the suite used to leave thousands in /tmp).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const made: string[] = [];

/** A fresh directory `parent/prefixXXXXXX`, removed at exit: after the test's own teardown has stopped what used it. */
export function tempDir(prefix: string, parent = os.tmpdir()): string {
  if (made.length === 0) {
    process.on('exit', () => {
      for (const d of made) {
        // A process still writing in it makes rm -r fail (ENOTEMPTY): retry, and never fail a test over cleanup.
        try { fs.rmSync(d, { recursive: true, force: true, maxRetries: 3 }); } catch { /* left behind */ }
      }
    });
  }
  const dir = fs.mkdtempSync(path.join(parent, prefix));
  made.push(dir);
  return dir;
}
