// Transpiled components kept on disk under the state dir (STATE_DIR/components), so a new process skips jco.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';

const MARKER = 'files.json';
let jcoVersion: string | undefined;

/** jco's version is part of the key: another version's output may expect another import object. */
function version(): string {
  if (jcoVersion) return jcoVersion;
  try {
    const main = createRequire(import.meta.url).resolve('@bytecodealliance/jco-transpile');
    const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(main), '..', 'package.json'), 'utf8')) as { version?: string };
    jcoVersion = pkg.version ?? 'unknown';
  } catch {
    jcoVersion = 'unknown';
  }
  return jcoVersion;
}

function entryDir(dir: string, digest: string): string {
  return path.join(dir, `${digest.replace(/^sha256:/, '')}-jco-${version()}`);
}

/** The files of an earlier transpile of `digest`, or undefined (never stored, incomplete, unreadable). */
export function readTranspiled(dir: string, digest: string): Record<string, Uint8Array> | undefined {
  try {
    const at = entryDir(dir, digest);
    const names = JSON.parse(fs.readFileSync(path.join(at, MARKER), 'utf8')) as unknown;
    if (!Array.isArray(names)) return undefined;
    const files: Record<string, Uint8Array> = {};
    for (const n of names) {
      if (typeof n !== 'string' || n.includes('/') || n.startsWith('.')) return undefined;
      files[n] = fs.readFileSync(path.join(at, n));
    }
    return files;
  } catch {
    return undefined;
  }
}

/**
 * Stores a transpile: written to a temporary directory, then renamed into place, so a reader sees a whole
 * entry or none. Failing to store only costs the next process a transpile.
 */
export function writeTranspiled(dir: string, digest: string, files: Record<string, Uint8Array>): void {
  const tmp = path.join(dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    // A damaged entry being replaced goes first.
    fs.rmSync(entryDir(dir, digest), { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true, mode: 0o700 });
    for (const [n, bytes] of Object.entries(files)) fs.writeFileSync(path.join(tmp, n), bytes);
    fs.writeFileSync(path.join(tmp, MARKER), JSON.stringify(Object.keys(files)));
    fs.renameSync(tmp, entryDir(dir, digest));
  } catch {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
