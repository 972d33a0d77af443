// Runs a host command (runc, mount) to completion and returns its output, or throws an error class with its stderr.
import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `file args`; never throws for a non-zero exit (the caller decides), only when it cannot start. */
export function runCommand(file: string, args: string[]): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({
      code: code ?? (signal ? 128 : 1),
      stdout: Buffer.concat(out).toString('utf8'),
      stderr: Buffer.concat(err).toString('utf8').trim(),
    }));
  });
}

/** Runs a command that must succeed; a failure becomes `make(message)` naming the command and its stderr. */
export async function mustRun(file: string, args: string[], make: (message: string) => Error): Promise<string> {
  const r = await runCommand(file, args);
  if (r.code !== 0) throw make(`${file} ${args.join(' ')}: exit ${r.code}${r.stderr ? `: ${r.stderr}` : ''}`);
  return r.stdout;
}
