// Objects on disk, one msgpack file per object, each written atomically (a temp file renamed over the old one).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pack, unpack } from 'msgpackr';
import type { ApiObject } from './store.js';

const SAFE = /^[a-z0-9][a-z0-9.-]*$/;

/**
 * Keeps the API objects in `<dir>/<resource>/<namespace>/<name>.mpk` (cluster-scoped objects under `_`).
 * Writes are coalesced: the last version of an object changed in one turn of the event loop is written
 * once, to a temp file that is fsynced and renamed, so a crash leaves the old version or the new one.
 */
export class ObjectFiles {
  private readonly dirty = new Map<string, { file: string; obj?: ApiObject }>();
  private scheduled = false;

  /** `onError` hears of a write that failed (a full disk): the server keeps serving from memory. */
  constructor(readonly dir: string, private readonly onError: (err: Error) => void) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  private file(resource: string, namespace: string | undefined, name: string): string {
    for (const part of [resource, namespace ?? '_', name]) {
      // Names were validated as DNS names; this keeps a bug elsewhere from ever writing outside the folder.
      if (part !== '_' && !SAFE.test(part)) throw new Error(`refusing to persist an object named ${JSON.stringify(part)}`);
    }
    return path.join(this.dir, resource, namespace ?? '_', `${name}.mpk`);
  }

  save(resource: string, obj: ApiObject): void {
    const f = this.file(resource, obj.metadata.namespace, obj.metadata.name!);
    this.dirty.set(f, { file: f, obj });
    this.schedule();
  }

  remove(resource: string, obj: ApiObject): void {
    const f = this.file(resource, obj.metadata.namespace, obj.metadata.name!);
    this.dirty.set(f, { file: f });
    this.schedule();
  }

  /** Writes the resourceVersion counter, so versions keep growing across restarts even when objects are gone. */
  saveCounter(rv: number): void {
    const f = path.join(this.dir, 'resource-version');
    this.dirty.set(f, { file: f, obj: { apiVersion: 'v1', kind: 'Counter', metadata: { resourceVersion: String(rv) } } });
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  /** Writes every pending change now. */
  flush(): void {
    const batch = [...this.dirty.values()];
    this.dirty.clear();
    for (const { file, obj } of batch) {
      try {
        write(file, obj);
      } catch (err) {
        this.onError(err as Error);
      }
    }
  }

  /** Every stored object by resource, and the saved resourceVersion counter (0 when there is none). */
  load(): { objects: Map<string, ApiObject[]>; counter: number } {
    const objects = new Map<string, ApiObject[]>();
    let counter = 0;
    for (const resource of fs.readdirSync(this.dir)) {
      const rdir = path.join(this.dir, resource);
      if (resource === 'resource-version') {
        counter = Number((unpack(fs.readFileSync(rdir)) as ApiObject).metadata.resourceVersion) || 0;
        continue;
      }
      if (!fs.statSync(rdir).isDirectory()) continue;
      const list: ApiObject[] = [];
      for (const ns of fs.readdirSync(rdir)) {
        for (const f of fs.readdirSync(path.join(rdir, ns))) {
          const file = path.join(rdir, ns, f);
          // A temp file is a write that never finished: its object's previous version is the good one.
          if (f.endsWith('.tmp')) { fs.rmSync(file, { force: true }); continue; }
          if (f.endsWith('.mpk')) list.push(unpack(fs.readFileSync(file)) as ApiObject);
        }
      }
      objects.set(resource, list);
    }
    return { objects, counter };
  }
}

function write(file: string, obj: ApiObject | undefined): void {
  if (!obj) {
    fs.rmSync(file, { force: true });
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, pack(obj));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
