// wasi:cli, wasi:clocks and wasi:random for components: args, env, stdio on the container's rings, exit, time, randomness.
import type { Doorbell } from '../ring/doorbell.js';
import type { FdObject } from '../fd/fd-object.js';
import { InputStream, OutputStream, Pollable, fdSink, fdSource } from './io.js';

/** node:crypto, loaded by the first call for randomness: imported, its modules would sit in every worker. */
const crypto = (): typeof import('node:crypto') => process.getBuiltinModule('node:crypto');

/** wasi:cli/exit unwinds the guest with this; it is an Error so jco rethrows it instead of lowering it. */
export class ComponentExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export interface CliInit {
  bell: Doorbell;
  args: string[];
  env: string[];
  stdin: FdObject;
  stdout: FdObject;
  stderr: FdObject;
}

class TerminalInput {}
class TerminalOutput {}

function splitEnv(env: string[]): [string, string][] {
  return env.map((e) => {
    const i = e.indexOf('=');
    return i < 0 ? [e, ''] : [e.slice(0, i), e.slice(i + 1)];
  });
}

export function cliInterfaces(init: CliInit): Record<string, Record<string, unknown>> {
  const { bell } = init;
  // One stream object per standard stream, as a process has one fd 0/1/2.
  const stdin = new InputStream(bell, fdSource(init.stdin));
  const stdout = new OutputStream(bell, fdSink(init.stdout));
  const stderr = new OutputStream(bell, fdSink(init.stderr));
  const env = splitEnv(init.env);
  return {
    'wasi:cli/environment': {
      getEnvironment: () => env,
      getArguments: () => init.args,
      initialCwd: () => undefined,
    },
    'wasi:cli/exit': {
      exit: (status: { tag: 'ok' | 'err' }) => { throw new ComponentExit(status.tag === 'ok' ? 0 : 1); },
      exitWithCode: (code: number) => { throw new ComponentExit(code & 0xff); },
    },
    'wasi:cli/stdin': { getStdin: () => stdin },
    'wasi:cli/stdout': { getStdout: () => stdout },
    'wasi:cli/stderr': { getStderr: () => stderr },
    // A container's stdio is a pipe, never a terminal (as for preview1 guests).
    'wasi:cli/terminal-input': { TerminalInput },
    'wasi:cli/terminal-output': { TerminalOutput },
    'wasi:cli/terminal-stdin': { getTerminalStdin: () => undefined },
    'wasi:cli/terminal-stdout': { getTerminalStdout: () => undefined },
    'wasi:cli/terminal-stderr': { getTerminalStderr: () => undefined },
  };
}

const NS_PER_S = 1_000_000_000n;
// The wall clock: hrtime-based so it is as fine as the monotonic one, anchored to Date.now() once.
const wallOffset = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

function wallNow(): { seconds: bigint; nanoseconds: number } {
  const ns = process.hrtime.bigint() + wallOffset;
  return { seconds: ns / NS_PER_S, nanoseconds: Number(ns % NS_PER_S) };
}

export function clockRandomInterfaces(bell: Doorbell): Record<string, Record<string, unknown>> {
  const never = (): boolean => false;
  return {
    'wasi:clocks/monotonic-clock': {
      now: () => process.hrtime.bigint(),
      resolution: () => 1n,
      subscribeInstant: (when: bigint) => new Pollable(bell, never, when),
      subscribeDuration: (d: bigint) => new Pollable(bell, never, process.hrtime.bigint() + d),
    },
    'wasi:clocks/wall-clock': {
      now: wallNow,
      resolution: () => ({ seconds: 0n, nanoseconds: 1 }),
    },
    'wasi:random/random': {
      getRandomBytes: (len: bigint) => crypto().randomFillSync(new Uint8Array(Number(len))),
      getRandomU64: () => crypto().randomBytes(8).readBigUInt64LE(),
    },
    'wasi:random/insecure': {
      getInsecureRandomBytes: (len: bigint) => crypto().randomFillSync(new Uint8Array(Number(len))),
      getInsecureRandomU64: () => crypto().randomBytes(8).readBigUInt64LE(),
    },
    'wasi:random/insecure-seed': {
      insecureSeed: () => [crypto().randomBytes(8).readBigUInt64LE(), crypto().randomBytes(8).readBigUInt64LE()],
    },
  };
}
