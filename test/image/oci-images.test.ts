import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ImageService, unpackLayers } from '../../dist/src/index.js';
import { fastRuntime } from '../helpers/pods.js';
import { registryMissing, skopeoMissing, startRegistry } from './helpers/registry.js';
import { storeState } from './helpers/store-check.js';
import { skopeoPush, writeLayout } from './helpers/oci-layout.js';
import { tgzOf } from './helpers/tar.js';
import { SHOW, podOf, run, sha, tmp } from './helpers/pods.js';

const missing = registryMissing();
if (missing) {
  t.plan(0, missing);
} else {
  const reg = await startRegistry(tmp('registry'));
  t.teardown(() => reg.close());
  const host = reg.host;

  const noSkopeo = skopeoMissing();
  t.test('ordinary OCI images pushed by skopeo', { skip: noSkopeo ?? false }, async (t) => {
    const show = fs.readFileSync(SHOW);
    const wasmImage = {
      os: 'wasi', architecture: 'wasm', run: { Entrypoint: ['/app/show.wasm'], Cmd: ['from-cmd'], Env: ['FROM_IMAGE=1', 'OVERRIDE=image'] },
      layers: [tgzOf([{ path: 'app/', type: 'dir' }, { path: 'app/show.wasm', data: show }])],
    };
    const linuxImage = (arch: string) => ({
      os: 'linux', architecture: arch, run: { Entrypoint: ['/bin/app'] },
      layers: [tgzOf([{ path: 'bin/', type: 'dir' }, { path: 'bin/app', data: '#!/bin/sh\necho hi\n', mode: 0o755 }])],
    });
    const publish = (name: string, images: Parameters<typeof writeLayout>[2], format?: 'v2s2'): void => {
      const dir = tmp('layout');
      writeLayout(dir, 'latest', images);
      skopeoPush(dir, 'latest', `${host}/${name}`, format);
    };
    publish('show:1.0', [wasmImage]);
    publish('multi:1.0', [linuxImage('amd64'), wasmImage]);
    publish('linux-only:1.0', [linuxImage('amd64'), linuxImage('arm64')]);
    publish('shell:1.0', [linuxImage('amd64')]);

    t.test('the module is the file the entrypoint names; Cmd and Env come from the image config', async (t) => {
      const runtime = fastRuntime();
      t.teardown(() => runtime.close());
      const r = await run(runtime, podOf('show', [
        { name: 'plain', image: `${host}/show:1.0`, env: [{ name: 'OVERRIDE', value: 'pod' }] },
        { name: 'args', image: `${host}/show:1.0`, args: ['x'] },
        { name: 'command', image: `${host}/show:1.0`, command: ['other'] },
      ]));
      t.equal(r.status.phase, 'Succeeded');
      t.equal(r.out.plain, 'argv: /app/show.wasm\nargv: from-cmd\nenv: FROM_IMAGE=1\nenv: OVERRIDE=pod\n');
      t.equal(r.out.args, 'argv: /app/show.wasm\nargv: x\nenv: FROM_IMAGE=1\nenv: OVERRIDE=image\n', 'args replace Cmd');
      t.equal(r.out.command, 'argv: other\nenv: FROM_IMAGE=1\nenv: OVERRIDE=image\n', 'command replaces Entrypoint and Cmd');
      const rec = (await runtime.images.list()).find((x) => x.name === `${host}/show:1.0`)!;
      t.equal(rec.layout, 'oci');
      t.equal(rec.moduleDigest, sha(show), 'the module taken out of the layer is stored under its own digest');
    });

    t.test('an index: the wasi/wasm entry is chosen; an index without one, or an image of a shell script, is not wasm', async (t) => {
      const svc = new ImageService({ stateDir: tmp('index') });
      t.teardown(() => svc.close());
      t.equal((await svc.ensure(`${host}/multi:1.0`)).record.moduleDigest, sha(show));
      await t.rejects(svc.ensure(`${host}/linux-only:1.0`), {
        code: 'ERR_IMAGE_NOT_WASM', message: /the index has no wasi\/wasm image \(it has: linux\/amd64, linux\/arm64\)/,
      });
      await t.rejects(svc.ensure(`${host}/shell:1.0`), {
        code: 'ERR_IMAGE_NOT_WASM', message: /\/bin\/app in the image's layer is not a WebAssembly module/,
      });
      const s = storeState(path.dirname(svc.store.root));
      t.same(s.records, [`${host}/multi:1.0`], 'only the good image is recorded');
      t.same([s.tmpFiles, s.corrupt], [[], []]);
    });

    t.test('Docker images (manifest v2 schema 2 and a manifest list, converted by skopeo) run as OCI ones do', async (t) => {
      publish('docker-show:1.0', [wasmImage], 'v2s2');
      publish('docker-multi:1.0', [linuxImage('amd64'), wasmImage], 'v2s2');
      const accept = 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json';
      const type = async (name: string) => (await fetch(`http://${host}/v2/${name}/manifests/1.0`, { method: 'HEAD', headers: { accept } })).headers.get('content-type');
      t.equal(await type('docker-show'), 'application/vnd.docker.distribution.manifest.v2+json', 'the registry holds a Docker manifest');
      t.equal(await type('docker-multi'), 'application/vnd.docker.distribution.manifest.list.v2+json', 'and a Docker manifest list');
      const runtime = fastRuntime();
      t.teardown(() => runtime.close());
      const r = await run(runtime, podOf('docker', [
        { name: 'single', image: `${host}/docker-show:1.0` },
        { name: 'list', image: `${host}/docker-multi:1.0`, args: ['from-list'] },
      ]));
      t.equal(r.status.phase, 'Succeeded');
      t.equal(r.out.single, 'argv: /app/show.wasm\nargv: from-cmd\nenv: FROM_IMAGE=1\nenv: OVERRIDE=image\n', 'Entrypoint, Cmd and Env from the Docker image config');
      t.equal(r.out.list, 'argv: /app/show.wasm\nargv: from-list\nenv: FROM_IMAGE=1\nenv: OVERRIDE=image\n', 'the wasi/wasm entry of the list');
      for (const name of ['docker-show', 'docker-multi']) {
        const rec = (await runtime.images.list()).find((x) => x.name === `${host}/${name}:1.0`)!;
        t.same([rec.layout, rec.moduleDigest], ['oci', sha(show)], name);
      }
    });

    t.test('for the Linux backend: a linux/amd64 image is pulled as layers and unpacked with whiteouts', async (t) => {
      publish('rootfs:1', [{
        os: 'linux', architecture: 'amd64', layers: [
          tgzOf([{ path: 'etc/', type: 'dir' }, { path: 'etc/a', data: 'A' }, { path: 'etc/b', data: 'B' },
            { path: 'dir/', type: 'dir' }, { path: 'dir/old', data: 'old' }, { path: 'keep/', type: 'dir' }, { path: 'keep/k', data: 'k' }]),
          tgzOf([{ path: 'etc/.wh.a', data: '' }, { path: 'etc/c', data: 'C' }, { path: 'dir/', type: 'dir' },
            { path: 'dir/.wh..wh..opq', data: '' }, { path: 'dir/new', data: 'new' }]),
        ],
      }]);
      const svc = new ImageService({ stateDir: tmp('rootfs') });
      t.teardown(() => svc.close());
      const r = await svc.ensure(`${host}/rootfs:1`, { platform: { os: 'linux', architecture: 'amd64' } });
      t.equal(r.record.layout, 'rootfs');
      t.equal(r.record.layers!.length, 2);
      const rootfs = tmp('unpacked');
      await unpackLayers(r.record.name, svc.store, r.record.layers!, rootfs);
      const files = (d: string): string[] => fs.readdirSync(path.join(rootfs, d)).sort();
      t.same(files('etc'), ['b', 'c'], '.wh.a deleted etc/a and is not written itself');
      t.same(files('dir'), ['new'], 'the opaque whiteout emptied dir of the lower layer');
      t.same(files('keep'), ['k']);
      t.equal(fs.readFileSync(path.join(rootfs, 'etc/c'), 'utf8'), 'C');
      // One name, two platforms: the wasm record and the linux/amd64 record live side by side.
      const linux = await svc.ensure(`${host}/multi:1.0`, { platform: { os: 'linux', architecture: 'amd64' } });
      const wasm = await svc.ensure(`${host}/multi:1.0`);
      t.same([linux.record.layout, linux.record.platform, wasm.record.layout, wasm.pulled], ['rootfs', 'linux/amd64', 'oci', true]);
      t.equal((await svc.ensure(`${host}/multi:1.0`, { platform: { os: 'linux', architecture: 'amd64' } })).pulled, false);
    });
  });
}
