// `wasmpod pull|images|rmi|push`: the image store from the command line, with progress bars on a terminal.
import * as fs from 'node:fs';
import type { MultiBar, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { ImageService } from '../image/image-service.js';
import type { BlobProgress } from '../image/pull.js';
import type { HttpOptions } from '../image/http-client.js';
import type { ImageRecord } from '../image/store.js';
import { parseImageRef } from '../image/reference.js';
import { defaultStateDir } from '../state-dir.js';
import type { Io } from './run.js';

export interface ImageCliOptions {
  stateDir?: string;
  /** Registries (host[:port]) reached over plain HTTP, beside loopback ones. */
  insecureRegistry?: string[];
  /** A PEM file of extra CA certificates. */
  caFile?: string;
  /** An auth file (auth.json / config.json) to read credentials from instead of the default ones. */
  authfile?: string;
  quiet?: boolean;
}

/** A repeatable option: commander passes undefined before the first value. */
const collect = (v: string, all: string[] = []): string[] => [...all, v];

/** The HTTP options of the image flags (`--insecure-registry`, `--ca-file`, `--authfile`), for `run` too. */
export function imageHttpOptions(opts: Pick<ImageCliOptions, 'insecureRegistry' | 'caFile' | 'authfile'>): HttpOptions {
  return {
    ...(opts.insecureRegistry ? { insecureRegistries: opts.insecureRegistry } : {}),
    ...(opts.caFile ? { ca: fs.readFileSync(opts.caFile) } : {}),
    ...(opts.authfile ? { authFiles: [opts.authfile] } : {}),
  };
}

function service(opts: ImageCliOptions): ImageService {
  return new ImageService({ ...imageHttpOptions(opts), stateDir: opts.stateDir ?? defaultStateDir() });
}

/** Adds `--insecure-registry`, `--ca-file` and `--authfile` to a command. */
export function imageFlags(c: Command): Command {
  return c
    .option('--insecure-registry <host>', 'reach this registry (host[:port]) over plain HTTP; repeatable (loopback always is)', collect)
    .option('--ca-file <file>', 'trust the CA certificates in this PEM file for https')
    .option('--authfile <file>', 'read credentials from this auth file instead of auth.json / ~/.docker/config.json');
}

/** One bar per blob on a terminal (stderr); nothing when stderr is not one, or with --quiet. */
async function progressBars(io: Io, quiet?: boolean): Promise<{ progress?: BlobProgress; stop(): void }> {
  const tty = (io.stderr as NodeJS.WriteStream).isTTY === true;
  if (!tty || quiet) return { stop: () => undefined };
  // Loaded here: `wasmpod run` imports this file for its image flags and has no bars to draw.
  const { default: cliProgress } = await import('cli-progress');
  const multi: MultiBar = new cliProgress.MultiBar({
    stream: io.stderr, format: '{digest} [{bar}] {percentage}% {value}/{total} bytes', hideCursor: true, clearOnComplete: false,
  }, cliProgress.Presets.shades_classic);
  const bars = new Map<string, SingleBar>();
  return {
    progress: (e) => {
      let bar = bars.get(e.digest);
      const short = e.digest.replace(/^sha256:/, '').slice(0, 12);
      if (!bar) {
        bar = multi.create(e.total || e.done, 0, { digest: short });
        bars.set(e.digest, bar);
      }
      if (e.total === 0) bar.setTotal(e.done);
      bar.update(e.done, { digest: short });
    },
    stop: () => { if (multi.isActive) multi.stop(); },
  };
}

export async function pullCommand(image: string, opts: ImageCliOptions, io: Io): Promise<number> {
  const images = service(opts);
  const bars = await progressBars(io, opts.quiet);
  try {
    const r = await images.ensure(image, { policy: 'Always', ...(bars.progress ? { progress: bars.progress } : {}) });
    bars.stop();
    io.stdout.write(`${r.record.name} ${r.record.digest}\n`);
    return 0;
  } finally {
    bars.stop();
    await images.close();
  }
}

const size = (n: number): string =>
  n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} kB` : `${n} B`;

/** Name and tag columns of a record: `127.0.0.1:5000/hello` and `v1`, or the URL and `<none>`. */
function columns(r: ImageRecord): [string, string] {
  try {
    const ref = parseImageRef(r.name);
    if (ref.kind === 'registry') return [`${ref.registry}/${ref.repository}`, ref.tag ?? '<none>'];
  } catch {
    // A record written by a newer wasmpod: show its name whole.
  }
  return [r.name, '<none>'];
}

export async function imagesCommand(opts: ImageCliOptions & { output?: string }, io: Io): Promise<number> {
  if (opts.output !== undefined && opts.output !== 'json') throw new Error(`-o must be json, not "${opts.output}"`);
  const images = service(opts);
  try {
    const list = await images.list();
    if (opts.output === 'json') {
      io.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      return 0;
    }
    if (opts.quiet) {
      for (const r of list) io.stdout.write(`${r.name}\n`);
      return 0;
    }
    const rows = [['REPOSITORY', 'TAG', 'DIGEST', 'KIND', 'SIZE', 'PULLED'],
      ...list.map((r) => [...columns(r), r.digest.replace(/^sha256:/, '').slice(0, 12), r.layout, size(r.size), r.pulledAt])];
    const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
    for (const row of rows) io.stdout.write(`${row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]))).join('  ')}\n`);
    return 0;
  } finally {
    await images.close();
  }
}

export async function rmiCommand(names: string[], opts: ImageCliOptions, io: Io): Promise<number> {
  const images = service(opts);
  try {
    const { removed, freedBytes } = await images.remove(names);
    for (const n of removed) io.stdout.write(`Untagged: ${n}\n`);
    if (!opts.quiet) io.stdout.write(`Deleted unreferenced blobs: ${size(freedBytes)}\n`);
    return 0;
  } finally {
    await images.close();
  }
}

export async function pushCommand(file: string, image: string, opts: ImageCliOptions, io: Io): Promise<number> {
  const images = service(opts);
  const bars = await progressBars(io, opts.quiet);
  try {
    const r = await images.push(file, image, bars.progress);
    bars.stop();
    io.stdout.write(`${r.ref} ${r.digest}\n`);
    return 0;
  } finally {
    bars.stop();
    await images.close();
  }
}


/** Adds the image commands to the program; `done` receives each command's exit status. */
export function registerImageCommands(program: Command, done: (code: number) => void): void {
  const io: Io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
  const common = (c: Command): Command => imageFlags(c
    .option('--state-dir <dir>', 'where the image store is (default $WASMPOD_STATE_DIR or $XDG_STATE_HOME/wasmpod)'))
    .option('-q, --quiet', 'no progress bars; names only');
  common(program.command('pull')
    .description('pull an image (registry reference or https URL) into the store; prints its name and digest')
    .argument('<image>', 'host[:port]/repo[:tag|@sha256:...], or https://.../x.wasm[@sha256:...]'))
    .action(async (image: string, opts: ImageCliOptions) => done(await pullCommand(image, opts, io)));
  common(program.command('images')
    .description('list the images in the store')
    .option('-o, --output <format>', 'json: the store records'))
    .action(async (opts: ImageCliOptions & { output?: string }) => done(await imagesCommand(opts, io)));
  common(program.command('rmi')
    .description('remove images from the store (by name or digest) and delete blobs nothing references')
    .argument('<image...>', 'image names or sha256: digests'))
    .action(async (names: string[], opts: ImageCliOptions) => done(await rmiCommand(names, opts, io)));
  common(program.command('push')
    .description('publish a WebAssembly module as a wasm OCI artifact; prints the manifest digest')
    .argument('<file>', 'a .wasm module')
    .argument('<image>', 'host[:port]/repo[:tag]'))
    .action(async (file: string, image: string, opts: ImageCliOptions) => done(await pushCommand(file, image, opts, io)));
}
