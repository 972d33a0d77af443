// The podman peer: `podman kube play` of the same manifests, with the busybox root filesystem imported as
// an image. Timed from `kube play` to: its return (the pod's containers started), the client's first log
// output (web), or the hello container's exit (`podman wait`). Each pod is then removed with `pod rm -f`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { findOnPath } from '../runtime/linux/linux-backend.js';
import { runCommand } from '../runtime/linux/command.js';
import type { BenchEnv } from './env.js';
import { benchPod, type PodKind } from './fixtures.js';
import { now, sleep } from './stats.js';

const IMAGE = 'localhost/wasmpod-bench-busybox:latest';

export class PodmanPeer {
  private constructor(private readonly env: BenchEnv, private readonly podman: string) {}

  /** The peer with its image imported, or why it cannot run here. */
  static async open(env: BenchEnv): Promise<PodmanPeer | string> {
    const podman = findOnPath(['podman']);
    if (!podman) return 'podman not found';
    if (!env.rootfs) return env.rootfsReason ?? 'no root filesystem';
    const tarball = path.join(env.tmp, 'busybox.tar');
    const tar = await runCommand('tar', ['-C', env.rootfs, '-cf', tarball, '.']);
    if (tar.code !== 0) return `cannot pack the busybox root filesystem: ${tar.stderr}`;
    const imported = await runCommand(podman, ['import', tarball, IMAGE]);
    if (imported.code !== 0) return `podman import failed: ${imported.stderr}`;
    return new PodmanPeer(env, podman);
  }

  private async must(args: string[]): Promise<string> {
    const r = await runCommand(this.podman, args);
    if (r.code !== 0) throw new Error(`podman ${args.slice(0, 2).join(' ')}: exit ${r.code}: ${r.stderr}`);
    return r.stdout;
  }

  /** The manifest the Linux backend runs, with the image name instead of the root filesystem's path. */
  private manifest(kind: PodKind): { file: string; name: string } {
    const name = this.env.name(`podman-${kind}`);
    const pod = benchPod(kind, 'linux', name, { rootfs: IMAGE }) as { spec: Record<string, unknown> };
    delete pod.spec['runtimeClassName'];
    const file = path.join(this.env.tmp, `${name}.yaml`);
    fs.writeFileSync(file, YAML.stringify(pod));
    return { file, name };
  }

  private async timed(kind: PodKind, until: (name: string) => Promise<void>): Promise<number> {
    const { file, name } = this.manifest(kind);
    const t0 = now();
    try {
      await this.must(['kube', 'play', file]);
      await until(name);
      return now() - t0;
    } finally {
      await runCommand(this.podman, ['pod', 'rm', '-f', '-t', '0', name]);
    }
  }

  /** The idle two-container pod: `kube play` returns once its containers have started. */
  start(): Promise<number> {
    return this.timed('idle', async () => {});
  }

  /** The hello pod, to its container's exit. */
  hello(): Promise<number> {
    return this.timed('hello', async (name) => { await this.must(['wait', `${name}-hello`]); });
  }

  /** The web server + client pod, to the client's first output. */
  web(): Promise<number> {
    return this.timed('web', async (name) => {
      const deadline = now() + 60_000;
      while ((await runCommand(this.podman, ['logs', `${name}-client`])).stdout === '') {
        if (now() > deadline) throw new Error('podman: the client wrote nothing in 60 s');
        await sleep(5);
      }
    });
  }
}
