// A container's image for the Linux backend: a root filesystem directory on this host.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ContainerConfig } from '../sandbox.js';
import { RootfsError } from './errors.js';
import { unpackOciLayout, unpackOnce } from './oci-layout.js';
import { ImageStore } from '../../image/store.js';

export interface Rootfs {
  rootfs: string;
  /** What the container status reports as imageID: a layout's manifest digest, or `dir://PATH` for a plain directory. */
  imageID: string;
}

/**
 * The root filesystem of a container's image: a directory used as it is (checked to hold the command
 * when it is an absolute path), or an OCI image layout directory unpacked into `stateDir`.
 */
export async function resolveRootfs(config: ContainerConfig, stateDir: string): Promise<Rootfs> {
  const image = config.image;
  const fail = (cause: string): never => { throw new RootfsError(config.name, image, cause); };
  const pulled = config.rootfsImage;
  if (pulled) {
    // Pulled from a registry by the pod manager: its layers are in the image store, unpacked once per manifest.
    const target = path.join(stateDir, 'linux', 'rootfs', pulled.digest.replace(/^sha256:/, ''));
    try {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      return { rootfs: await unpackOnce(image, new ImageStore(stateDir), pulled.layers, target), imageID: config.imageID ?? pulled.digest };
    } catch (err) {
      return fail(`cannot unpack the image: ${(err as Error).message}`);
    }
  }
  if (!path.isAbsolute(image)) fail('the Linux backend runs a root filesystem directory (give its absolute path) or a registry image');
  let real = '';
  try {
    real = fs.realpathSync(image);
  } catch (err) {
    fail(`cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (!fs.statSync(real).isDirectory()) fail('is not a directory (the Linux backend runs a root filesystem directory)');
  if (fs.existsSync(path.join(real, 'oci-layout'))) {
    try {
      return await unpackOciLayout(real, stateDir, path.join(stateDir, 'linux', 'rootfs'));
    } catch (err) {
      fail(`cannot unpack the OCI image layout: ${(err as Error).message}`);
    }
  }
  const entry = config.argv[0];
  if (entry?.startsWith('/') && !fs.existsSync(path.join(real, entry)) && !isSymlink(path.join(real, entry))) {
    fail(`has no ${entry} (the container's command)`);
  }
  return { rootfs: real, imageID: `dir://${real}` };
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
