// Runs a runtime as an unprivileged user (the tests run as root): a state dir and root filesystem it owns, a script driven over stdio.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { ROOT } from '../helpers/pods.js';
import { busyboxRootfs, removeStateDir } from './helpers.js';

/** nobody: an unprivileged user every Debian machine has. */
export const USER = { uid: 65534, gid: 65534 };

/** A fresh directory owned by the user (0755: root tests look inside), removed at exit. */
export function userDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  fs.chownSync(dir, USER.uid, USER.gid);
  process.on('exit', () => removeStateDir(dir));
  return dir;
}

/** A copy of the busybox root filesystem owned by the user, as rootless mode needs (its files are the pod's root's). */
export function userRootfs(): string {
  const dir = path.join(userDir('wasmpod-userfs-'), 'rootfs');
  execFileSync('cp', ['-a', busyboxRootfs(), dir]);
  execFileSync('chown', ['-R', '-h', `${USER.uid}:${USER.gid}`, dir]);
  return dir;
}

let userNode: string | undefined;

/**
 * A node binary the user may run: the test's own, copied where the user can reach it (under `npx node@24`
 * it lives in root's npm cache, which other users cannot enter).
 */
function nodeForUser(): string {
  if (userNode) return userNode;
  const file = path.join(userDir('wasmpod-node-'), 'node');
  fs.copyFileSync(process.execPath, file);
  fs.chmodSync(file, 0o755);
  return (userNode = file);
}

/** One line the script printed: a JSON object with a `type`. */
export type Message = Record<string, unknown> & { type: string };

/**
 * A node script run as the user: `body` runs with `Runtime` imported and `send(obj)` printing one JSON line;
 * `lines()` yields what it sends, `tell(text)` writes a line to its stdin (read there with `next()`).
 */
export class UserScript {
  readonly child: ChildProcessWithoutNullStreams;
  private buffered = '';
  private readonly queue: Message[] = [];
  private waiter?: () => void;
  stderr = '';

  /** @param cgroupProcs cgroup.procs files the script is put in before it starts (a tree delegated to the user) */
  constructor(dir: string, body: string, cgroupProcs: string[] = []) {
    const file = path.join(dir, 'script.mjs');
    fs.writeFileSync(file, `
      import { Runtime } from ${JSON.stringify(path.join(ROOT, 'dist/src/index.js'))};
      import * as readline from 'node:readline';
      const send = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
      const input = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
      const next = async () => (await input.next()).value;
      ${body}
      // stdin would keep the script alive: what it is told is over.
      process.stdin.destroy();
    `);
    fs.chmodSync(file, 0o644);
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir };
    // Moving a process into a cgroup whose parent is root's needs root: a root shell moves itself, then becomes the user.
    this.child = cgroupProcs.length === 0
      ? spawn(nodeForUser(), [file], { uid: USER.uid, gid: USER.gid, cwd: dir, env })
      : spawn('/bin/sh', ['-c', 'for f in "$@"; do echo $$ > "$f"; done; exec setpriv --reuid "$U" --regid "$U" --clear-groups "$NODE" "$SCRIPT"', 'sh', ...cgroupProcs], {
        cwd: dir, env: { ...env, U: String(USER.uid), NODE: nodeForUser(), SCRIPT: file },
      });
    this.child.stdout.on('data', (c: Buffer) => {
      this.buffered += c.toString('utf8');
      let nl: number;
      while ((nl = this.buffered.indexOf('\n')) >= 0) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        try {
          this.queue.push(JSON.parse(line) as Message);
        } catch {
          this.queue.push({ type: 'text', text: line });
        }
        this.waiter?.();
      }
    });
    this.child.stderr.on('data', (c: Buffer) => { this.stderr += c.toString('utf8'); });
    this.child.on('exit', () => this.waiter?.());
  }

  /** The next message of `type` (earlier ones of other types are dropped); rejects if the script ends first. */
  async expect(type: string): Promise<Message> {
    for (;;) {
      const i = this.queue.findIndex((m) => m.type === type);
      if (i >= 0) return this.queue.splice(0, i + 1)[i]!;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`the script ended (${this.child.exitCode ?? this.child.signalCode}) before sending "${type}": ${this.stderr}`);
      }
      await new Promise<void>((r) => { this.waiter = r; });
    }
  }

  tell(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  /** Resolves with the exit code once the script has ended. */
  exited(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve(this.child.exitCode);
    return new Promise((r) => this.child.on('exit', (c) => r(c)));
  }
}

/** The `Uid:` line of a process: real, effective, saved, filesystem. */
export function hostUids(pid: number): number[] {
  const m = /^Uid:\s+(.*)$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? m[1]!.trim().split(/\s+/).map(Number) : [];
}

/**
 * A cgroup delegated to the user, as a service manager delegates one: `name` below this process's cgroup in
 * every hierarchy (v1 controllers and the v2 tree beside them), the directory and its cgroup.procs (and tasks,
 * cgroup.subtree_control) chowned to the user, cpuset filled from its parent. Resolves the directories.
 */
export function delegateCgroup(name: string): string[] {
  const dirs: string[] = [];
  for (const line of fs.readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const [, controllers, own] = line.split(':');
    if (controllers === undefined || own === undefined) continue;
    const first = controllers.split(',')[0]!;
    const mount = path.join('/sys/fs/cgroup', first === '' ? 'unified' : first.replace(/^name=/, ''));
    if (!fs.existsSync(mount)) continue;
    const dir = path.join(mount, own, name);
    fs.mkdirSync(dir, { recursive: true });
    for (const f of ['cpuset.cpus', 'cpuset.mems']) {
      if (fs.existsSync(path.join(dir, f))) fs.writeFileSync(path.join(dir, f), fs.readFileSync(path.join(mount, own, f)));
    }
    fs.chownSync(dir, USER.uid, USER.gid);
    for (const f of ['cgroup.procs', 'tasks', 'cgroup.subtree_control', 'cgroup.threads']) {
      if (fs.existsSync(path.join(dir, f))) fs.chownSync(path.join(dir, f), USER.uid, USER.gid);
    }
    dirs.push(dir);
  }
  return dirs;
}

/** Removes a delegated cgroup once its processes are gone (with the `wasmpod` parent the runtime made in it). */
export function removeDelegated(dirs: string[]): void {
  for (const d of dirs) {
    for (const sub of [path.join(d, 'wasmpod'), d]) {
      try { fs.rmdirSync(sub); } catch { /* already gone, or not empty: left for the machine */ }
    }
  }
}
