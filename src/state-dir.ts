// Where wasmpod keeps state ($WASMPOD_STATE_DIR, else the XDG state dir), and whether the process that owns a part of it still lives.
import * as os from 'node:os';
import * as path from 'node:path';

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WASMPOD_STATE_DIR) return path.resolve(env.WASMPOD_STATE_DIR);
  const xdg = env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : undefined;
  return path.join(xdg ?? path.join(os.homedir(), '.local', 'state'), 'wasmpod');
}

/**
 * Whether process `pid` exists: how a state dir's owner (a server's lock, a sandbox's record) is told
 * from one left by a process that died. EPERM means it exists but belongs to another user.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
