import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ImageStore, unpackLayers } from '../../dist/src/index.js';
import { tarOf, tgzOf, type TarEntry } from './helpers/tar.js';

const TGZ = 'application/vnd.oci.image.layer.v1.tar+gzip';
const TAR = 'application/vnd.oci.image.layer.v1.tar';

/** A store holding the layers, a root filesystem to unpack into, and a folder beside it that must stay untouched. */
async function setup(t: { testdir: (typeof import('tap'))['default']['testdir'] }, layers: { entries: TarEntry[]; gzip?: boolean }[]) {
  const dir = t.testdir({ state: {}, rootfs: {}, outside: { victim: 'must survive' } });
  const store = new ImageStore(path.join(dir, 'state'));
  const descs = [];
  for (const l of layers) {
    const bytes = l.gzip === false ? tarOf(l.entries) : tgzOf(l.entries);
    descs.push({ digest: await store.putBytes('test', bytes), mediaType: l.gzip === false ? TAR : TGZ, size: bytes.length });
  }
  return { dir, store, layers: descs, rootfs: path.join(dir, 'rootfs'), outside: path.join(dir, 'outside') };
}

t.test('layers apply in order: files replace files, whiteouts delete, opaque directories drop what was below', async (t) => {
  const s = await setup(t, [
    { entries: [{ path: 'a/', type: 'dir' }, { path: 'a/x', data: '1' }, { path: 'a/sub/', type: 'dir' }, { path: 'a/sub/deep', data: 'd' },
      { path: 'b/', type: 'dir' }, { path: 'b/old', data: 'o' }, { path: 'link', type: 'symlink', linkpath: 'a/x' },
      { path: 'bin/', type: 'dir' }, { path: 'bin/sh', type: 'symlink', linkpath: '/bin/busybox' }, { path: 'up', type: 'symlink', linkpath: '../../..' }] },
    { entries: [{ path: 'a/x', data: '2' }, { path: 'a/.wh.sub', data: '' }, { path: 'b/', type: 'dir' }, { path: 'b/.wh..wh..opq', data: '' },
      { path: 'b/fresh', data: 'f' }, { path: '.wh.link', data: '' }], gzip: false },
  ]);
  await unpackLayers('test', s.store, s.layers, s.rootfs);
  t.equal(fs.readFileSync(path.join(s.rootfs, 'a/x'), 'utf8'), '2');
  t.same(fs.readdirSync(path.join(s.rootfs, 'a')), ['x'], 'a/sub deleted by its whiteout');
  t.same(fs.readdirSync(path.join(s.rootfs, 'b')), ['fresh'], 'opaque: only this layer\'s entries');
  t.notOk(fs.existsSync(path.join(s.rootfs, 'link')), 'a whiteout deletes a symlink itself');
  t.equal(fs.readlinkSync(path.join(s.rootfs, 'bin/sh')), '/bin/busybox', 'symlink targets are kept verbatim: the container resolves them');
  t.equal(fs.readlinkSync(path.join(s.rootfs, 'up')), '../../..');
  t.same(fs.readdirSync(s.rootfs).sort(), ['a', 'b', 'bin', 'up'], 'no .wh. file is written');
});

t.test('escapes are refused and nothing outside the root filesystem changes', async (t) => {
  const cases: { name: string; layers: TarEntry[][]; message: RegExp }[] = [
    { name: 'an entry with ..', layers: [[{ path: '../outside/pwned', data: 'x' }]], message: /"\.\.\/outside\/pwned" climbs out of the root filesystem/ },
    { name: 'a whiteout with ..', layers: [[{ path: 'a/../../outside/.wh.victim', data: '' }]], message: /climbs out of the root filesystem/ },
    {
      name: 'a whiteout through a symlink', message: /whiteout "evil\/victim" goes through "evil", which is a symlink/,
      layers: [[{ path: 'evil', type: 'symlink', linkpath: '../outside' }], [{ path: 'evil/.wh.victim', data: '' }]],
    },
  ];
  for (const c of cases) {
    await t.test(c.name, async (t) => {
      const s = await setup(t, c.layers.map((entries) => ({ entries })));
      await t.rejects(unpackLayers('img', s.store, s.layers, s.rootfs), { code: 'ERR_IMAGE_UNPACK', message: c.message });
      t.same(fs.readdirSync(s.outside), ['victim']);
      t.equal(fs.readFileSync(path.join(s.outside, 'victim'), 'utf8'), 'must survive');
    });
  }
});

t.test('a file below a symlink of a lower layer is written inside the root, never through the link', async (t) => {
  const s = await setup(t, [{ entries: [{ path: 'evil', type: 'symlink', linkpath: '../outside' }] }, { entries: [{ path: 'evil/pwned', data: 'x' }] }]);
  await unpackLayers('img', s.store, s.layers, s.rootfs);
  t.same(fs.readdirSync(s.outside), ['victim']);
  t.ok(fs.lstatSync(path.join(s.rootfs, 'evil')).isDirectory(), 'the tar reader replaced the symlink by a directory');
  t.equal(fs.readFileSync(path.join(s.rootfs, 'evil/pwned'), 'utf8'), 'x');
});

t.test('a hard link to a file outside the root is not made', async (t) => {
  const s = await setup(t, [{ entries: [{ path: 'hl', type: 'link', linkpath: '../outside/victim' }] }]);
  await unpackLayers('img', s.store, s.layers, s.rootfs).catch(() => undefined);
  if (fs.existsSync(path.join(s.rootfs, 'hl'))) fs.writeFileSync(path.join(s.rootfs, 'hl'), 'overwritten');
  t.equal(fs.readFileSync(path.join(s.outside, 'victim'), 'utf8'), 'must survive');
});

t.test('a layer blob damaged on disk is refused and removed; an unknown media type is refused', async (t) => {
  const s = await setup(t, [{ entries: [{ path: 'f', data: 'x' }] }]);
  fs.appendFileSync(s.store.blobPath(s.layers[0].digest), 'junk');
  await t.rejects(unpackLayers('img', s.store, s.layers, s.rootfs), { code: 'ERR_IMAGE_DIGEST', message: /is corrupt .* it was removed, pull again/ });
  t.notOk(fs.existsSync(s.store.blobPath(s.layers[0].digest)));
  t.same(fs.readdirSync(s.rootfs), []);
  const garbage = await setup(t, []);
  const junk = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(3000, 7)]);
  const junkDigest = await garbage.store.putBytes('img', junk);
  await t.rejects(unpackLayers('img', garbage.store, [{ digest: junkDigest, mediaType: TGZ, size: junk.length }], garbage.rootfs),
    { code: 'ERR_IMAGE_UNPACK', message: /is not a readable tar archive/ }, 'a layer that is not a tar: an error, not a crash');
  const z = await setup(t, [{ entries: [{ path: 'f', data: 'x' }] }]);
  await t.rejects(unpackLayers('img', z.store, [{ ...z.layers[0], mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' }], z.rootfs),
    { code: 'ERR_IMAGE_UNPACK', message: /not a tar layer/ });
});
