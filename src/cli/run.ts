// `wasmpod run FILE`: runs one pod in the foreground, streams its output, exits with the pod's result.
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { capacityOption, type CapacityCliOptions } from './capacity.js';
import { Runtime } from '../runtime.js';
import { parseManifest } from '../spec/index.js';
import type { PodStatus } from '../spec/types.js';
import { OutputMux } from './output.js';
import { statusText } from './status-text.js';
import type { PodEvent } from '../pod/events.js';
import { imageHttpOptions } from './images.js';
import { parsePublish } from '../net/publish.js';

/** An event as one line, in the columns of `kubectl get events`: TYPE REASON OBJECT MESSAGE. */
function eventLine(e: PodEvent): string {
  const obj = `pod/${e.involvedObject.name}${e.involvedObject.fieldPath ? `/${e.involvedObject.fieldPath}` : ''}`;
  return `wasmpod: ${e.type} ${e.reason} ${obj}: ${e.message}${e.count > 1 ? ` (x${e.count})` : ''}\n`;
}

export interface RunOptions extends CapacityCliOptions {
  output?: string;
  stateDir?: string;
  backoffBase?: string;
  /** Print each pod event and each change of the pod's STATUS to stderr as it happens. */
  events?: boolean;
  /** `--publish [IP:]HOST:POD`, repeatable: pod ports published on the host while the pod runs. */
  publish?: string[];
  /** How remote images are fetched (see images.ts). */
  insecureRegistry?: string[];
  caFile?: string;
  authfile?: string;
}

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
}

/**
 * The order in which containers failed, as their statuses changed: finishedAt has whole seconds only, so two
 * containers that fail within one second cannot be told apart from the final status alone.
 */
export class FailureOrder {
  private readonly seen = new Set<string>();
  /** Exit codes of failed runs, the earliest first. */
  readonly exitCodes: number[] = [];

  observe(status: PodStatus): void {
    for (const s of [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])]) {
      for (const t of [s.lastState?.terminated, s.state?.terminated]) {
        if (!t || t.exitCode === 0) continue;
        const key = `${s.name}\0${t.containerID ?? ''}\0${t.startedAt ?? ''}`;
        if (this.seen.has(key)) continue;
        this.seen.add(key);
        this.exitCodes.push(t.exitCode);
      }
    }
  }
}

/**
 * The exit status of `wasmpod run`: 0 when the pod Succeeded, else the exit code of the first container that
 * failed (by `order` when given, else by finishedAt), 1 when none did.
 */
export function exitStatus(status: PodStatus, order?: FailureOrder): number {
  if (status.phase === 'Succeeded') return 0;
  if (order) {
    order.observe(status);
    if (order.exitCodes.length > 0) return order.exitCodes[0];
  }
  const all = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])];
  const failed = all
    .map((s) => s.state?.terminated ?? s.lastState?.terminated)
    .filter((t) => t && t.exitCode !== 0)
    .sort((a, b) => (a!.finishedAt ?? '').localeCompare(b!.finishedAt ?? ''));
  return failed[0]?.exitCode ?? 1;
}

export async function runCommand(file: string, opts: RunOptions, io: Io): Promise<number> {
  if (opts.output && opts.output !== 'json' && opts.output !== 'yaml') {
    throw new Error(`--output must be json or yaml, not "${opts.output}"`);
  }
  const source = path.resolve(file);
  const text = fs.readFileSync(source, 'utf8');
  const manifest = parseManifest(text, { source: file, baseDir: path.dirname(source) });
  if (manifest.pods.length !== 1) {
    throw new Error(`${file}: wasmpod run takes exactly one Pod, the file has ${manifest.pods.length}`);
  }
  const publish = (opts.publish ?? []).map(parsePublish);
  const backoffBase = opts.backoffBase === undefined ? undefined : Number(opts.backoffBase);
  if (backoffBase !== undefined && !(backoffBase > 0)) throw new Error('--backoff-base must be a positive number of milliseconds');
  const runtime = new Runtime({
    stateDir: opts.stateDir,
    backoff: backoffBase ? { baseMs: backoffBase, maxMs: backoffBase * 30, resetAfterMs: backoffBase * 60 } : undefined,
    images: imageHttpOptions(opts),
    capacity: capacityOption(opts),
    // One pod in a one-shot process: pre-warmed workers would only compete with its own for the CPU.
    workerPool: { minIdle: 0 },
  });
  const pod = await runtime.runPod(manifest.pods[0], { configMaps: manifest.configMaps, secrets: manifest.secrets, publish });
  const containers = [...(pod.pod.spec.initContainers ?? []), ...pod.pod.spec.containers];
  const mux = new OutputMux(containers.length > 1, { stdout: io.stdout, stderr: io.stderr });
  pod.on('output', (e) => mux.write(e.container, e.stream, e.chunk));
  const failures = new FailureOrder();
  failures.observe(pod.status);
  pod.on('status', (s) => failures.observe(s));
  if (opts.events) {
    const inits = pod.pod.spec.initContainers?.length ?? 0;
    let last = '';
    const show = (s: PodStatus): void => {
      const text = statusText(s, inits);
      if (text !== last) io.stderr.write(`wasmpod: pod/${pod.name} ${text}\n`);
      last = text;
    };
    for (const e of pod.events) io.stderr.write(eventLine(e));
    show(pod.status);
    pod.on('event', (e) => io.stderr.write(eventLine(e)));
    pod.on('status', show);
  }

  // stdin goes to the one container that asked for it, as `kubectl run -i` attaches one.
  const withStdin = containers.filter((c) => c.stdin);
  const onData = (chunk: Buffer): void => {
    io.stdin.pause();
    pod.writeStdin(withStdin[0].name, chunk).catch(() => undefined).finally(() => io.stdin.resume());
  };
  const onEnd = (): void => pod.closeStdin(withStdin[0].name);
  if (withStdin.length === 1) {
    io.stdin.on('data', onData);
    io.stdin.on('end', onEnd);
  }

  let interrupts = 0;
  const onSigint = (): void => {
    if (++interrupts === 1) {
      io.stderr.write(`\nwasmpod: deleting pod ${pod.name} (Ctrl-C again to quit at once)\n`);
      void pod.delete();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const status = await pod.wait();
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigint);
  if (withStdin.length === 1) {
    io.stdin.off('data', onData);
    io.stdin.off('end', onEnd);
    io.stdin.pause();
  }
  mux.flush();
  if (opts.output === 'json') io.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
  if (opts.output === 'yaml') io.stdout.write(YAML.stringify(status));
  await runtime.close();
  return exitStatus(status, failures);
}
