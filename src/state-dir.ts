// Where wasmpod keeps state (logs now; persisted objects later): $WASMPOD_STATE_DIR, else the XDG state dir.
import * as os from 'node:os';
import * as path from 'node:path';

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WASMPOD_STATE_DIR) return path.resolve(env.WASMPOD_STATE_DIR);
  const xdg = env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : undefined;
  return path.join(xdg ?? path.join(os.homedir(), '.local', 'state'), 'wasmpod');
}
