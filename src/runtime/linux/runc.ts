// The OCI runtime's command line (runc or crun): the verbs the backend uses, each failure an OciRuntimeError.
import { spawn, type ChildProcess } from 'node:child_process';
import { runCommand } from './command.js';
import { OciRuntimeError } from './errors.js';

/**
 * Runs the OCI runtime (`runc run --keep`) under a small shell monitor that writes the exit status to a
 * file, so the status survives a restart of wasmpod: the monitor is the container's parent, not us.
 */
const MONITOR = 'exit_file="$1"; shift; "$@"; rc=$?; echo $rc > "$exit_file.tmp" && mv "$exit_file.tmp" "$exit_file"; exit $rc';

export interface RunFiles {
  bundle: string;
  /** Where the runtime writes the container's host pid once its process has started. */
  pidFile: string;
  /** Where the monitor writes the exit status. */
  exitFile: string;
  /** The runtime's own log (its errors), kept apart from the container's output. */
  logFile: string;
  stdout: number;
  stderr: number;
  /** Pipe the container's stdin from us (it cannot outlive this process). */
  stdin: boolean;
}


export class OciRuntime {
  /**
   * @param binary the runtime's path (runc or crun)
   * @param root the runtime's state directory (its --root), private to this wasmpod state dir
   */
  constructor(readonly binary: string, readonly root: string) {}

  private args(...rest: string[]): string[] {
    return ['--root', this.root, ...rest];
  }

  /** Starts `id` from its bundle in the foreground of a detached monitor; returns the monitor process. */
  run(id: string, f: RunFiles): ChildProcess {
    const argv = [
      MONITOR, 'wasmpod-monitor', f.exitFile, this.binary, '--log', f.logFile, '--log-format', 'json',
      ...this.args('run', '--keep', '--bundle', f.bundle, '--pid-file', f.pidFile, id),
    ];
    // Detached: the container keeps running across a restart of wasmpod and a Ctrl-C to its process group.
    return spawn('/bin/sh', ['-c', ...argv], { detached: true, stdio: [f.stdin ? 'pipe' : 'ignore', f.stdout, f.stderr] });
  }

  /** Sends a signal; with `all`, to every process of the container's cgroup. A stopped container is not an error. */
  async kill(id: string, signal: 'TERM' | 'KILL', all = false): Promise<void> {
    const r = await runCommand(this.binary, this.args('kill', ...(all ? ['--all'] : []), id, signal));
    if (r.code !== 0 && !/not running|container not running|does not exist|process already finished/i.test(r.stderr)) {
      throw new OciRuntimeError(`${this.binary} kill ${id} ${signal}: ${r.stderr}`);
    }
  }

  /** Removes a container's runtime state and its cgroup; a container that does not exist is already removed. */
  async delete(id: string): Promise<void> {
    const r = await runCommand(this.binary, this.args('delete', '--force', id));
    if (r.code !== 0 && !/does not exist/i.test(r.stderr)) throw new OciRuntimeError(`${this.binary} delete ${id}: ${r.stderr}`);
  }



  /** Starts `argv` inside a running container (its env, cwd and namespaces), with piped output (and stdin, when asked). */
  exec(id: string, argv: string[], pidFile: string, stdin = false): ChildProcess {
    return spawn(this.binary, this.args('exec', '--pid-file', pidFile, id, ...argv), { stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  }
}
