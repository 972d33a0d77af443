// Starts the pod's pause process (pause/pause.c) and reads the pid whose namespaces the containers join.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { fileURLToPath } from 'node:url';
import { PauseError } from './errors.js';
import { processStart } from './sandbox-state.js';

/** The pause binary committed for this machine's architecture (rebuild with pause/build.sh). */
export function defaultPauseBinary(): string {
  return fileURLToPath(new URL(`../../../../src/runtime/linux/pause/pause-${os.arch() === 'x64' ? 'x86_64' : os.arch()}`, import.meta.url));
}

/**
 * Runs `binary HOSTNAME [--pid] [--host-net] [--userns]` detached (it outlives this process, as the pod does) and
 * resolves with the pid of the process holding the namespaces, once they are ready. With `userns` (rootless) the
 * pause process first makes a user namespace mapping this process's uid and gid to root, which owns the others.
 */
export function startPause(binary: string, hostname: string, sharePid: boolean, hostNet: boolean, userns = false): Promise<number> {
  if (!fs.existsSync(binary)) {
    return Promise.reject(new PauseError(`pause binary ${binary} not found (build it with src/runtime/linux/pause/build.sh)`));
  }
  return new Promise((resolve, reject) => {
    const flags = [...(sharePid ? ['--pid'] : []), ...(hostNet ? ['--host-net'] : []), ...(userns ? ['--userns'] : [])];
    const child = spawn(binary, [hostname, ...flags], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => reject(new PauseError(`cannot start ${binary}: ${e.message}`)));
    // The pause process closes its stdout once the namespaces are set up, or exits on failure.
    child.stdout.on('end', () => {
      const pid = Number(Buffer.concat(out).toString('utf8').trim());
      if (Number.isInteger(pid) && pid > 0) {
        child.stderr.destroy();
        child.unref();
        resolve(pid);
        return;
      }
      child.on('close', (code) => reject(new PauseError(`pause process failed (exit ${code}): ${Buffer.concat(err).toString('utf8').trim()}`)));
    });
  });
}

/**
 * Whether `pid` is still the pause process started from `binary` (at `start`, when known): the pid of a
 * process long gone may be someone else's, even another pod's pause process.
 */
export function isPause(pid: number, binary: string, start?: string): boolean {
  try {
    if (pid <= 0 || fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] !== binary) return false;
    return start === undefined || processStart(pid) === start;
  } catch {
    return false;
  }
}

/** Kills a sandbox's pause process (ending its namespaces, and with a shared pid namespace every process in it), if it is still it. */
export function killPause(pid: number, binary: string, start?: string): void {
  if (!isPause(pid, binary, start)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
