// Checks an image store after a failure: no temp file left, every blob hashing to its name, no record for the failed image.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface StoreState {
  tmpFiles: string[];
  /** Blobs whose bytes do not hash to their file name. */
  corrupt: string[];
  blobs: string[];
  records: string[];
}

export function storeState(stateDir: string): StoreState {
  const root = path.join(stateDir, 'images');
  const list = (d: string): string[] => (fs.existsSync(d) ? fs.readdirSync(d) : []);
  const blobDir = path.join(root, 'blobs', 'sha256');
  const blobs = list(blobDir).map((f) => `sha256:${f}`);
  const corrupt = blobs.filter((b) => `sha256:${createHash('sha256').update(fs.readFileSync(path.join(blobDir, b.slice(7)))).digest('hex')}` !== b);
  const records = list(path.join(root, 'refs')).map((f) => JSON.parse(fs.readFileSync(path.join(root, 'refs', f), 'utf8')).name as string);
  return { tmpFiles: list(path.join(root, 'tmp')), corrupt, blobs, records };
}
