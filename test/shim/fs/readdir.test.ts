// The directory listing behind fd_readdir (shim/fs/readdir.ts), checked on the host side: order, "." and "..",
// inodes and types, mounts shown as their roots, a listing kept for a scan while files are added, and the
// bounds that make a directory too large to hold fail with ENOMEM instead of filling the worker's memory.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Vfs } from '../../../dist/shim/fs/vfs.js';
import { DirListing, MAX_DIR_ENTRIES, MAX_DIR_NAME_BYTES, RUN_LISTING_BYTES, listingBudget, readDirectory } from '../../../dist/shim/fs/readdir.js';
import { HostDir } from '../../../dist/shim/fd/host-dir.js';
import { DIR_RIGHTS } from '../../../dist/shim/wasi/constants.js';
import { errno } from '../../helpers/wasi-errno.js';

const DIRECTORY = 3, REGULAR_FILE = 4, SYMBOLIC_LINK = 7;
const ENOMEM = 48;

interface Row { name: string; ino: bigint; type: number }
function rows(l: DirListing): Row[] {
  const out: Row[] = [];
  for (let i = 0; i < l.length; i++) out.push({ name: l.name(i).toString('latin1'), ino: l.ino(i), type: l.type(i) });
  return out;
}


const ino = (p: string): bigint => fs.lstatSync(p, { bigint: true }).ino;

t.test('".", ".." first, then every entry sorted bytewise with its lstat inode and type', async (t) => {
  const root = t.testdir({ b: 'x', B: 'x', a: { inner: 'y' }, '~z': '', 'é': '', '10': '', '9': '' });
  fs.symlinkSync('a', path.join(root, 'link'));
  fs.symlinkSync('nowhere', path.join(root, 'dangling'));
  // A name that is not UTF-8 is listed by its own bytes.
  const raw = Buffer.from([0x78, 0xff, 0x79]);
  fs.writeFileSync(Buffer.concat([Buffer.from(`${root}/`), raw]), '');
  const vfs = new Vfs([{ mountPath: '/', hostPath: root, readOnly: false }]);
  const real = fs.realpathSync(root);
  const l = readDirectory(vfs.resolve([], '.', true), vfs.mounts);
  const names = fs.readdirSync(root, { encoding: 'buffer' }).sort(Buffer.compare);
  t.same([...Array(l.length).keys()].map((i) => l.name(i)), [Buffer.from('.'), Buffer.from('..'), ...names], 'order');
  const r = rows(l);
  t.same(r[0], { name: '.', ino: ino(real), type: DIRECTORY });
  t.same(r[1], { name: '..', ino: ino(real), type: DIRECTORY }, '".." of a mount root is the root itself');
  const by = (n: string) => r.find((e) => e.name === n)!;
  t.same(by('a'), { name: 'a', ino: ino(path.join(real, 'a')), type: DIRECTORY });
  t.same(by('b'), { name: 'b', ino: ino(path.join(real, 'b')), type: REGULAR_FILE });
  t.same(by('link'), { name: 'link', ino: ino(path.join(real, 'link')), type: SYMBOLIC_LINK }, 'a symlink is not followed');
  t.equal(by('dangling').type, SYMBOLIC_LINK);
  t.ok(l.name(r.findIndex((e) => e.name === raw.toString('latin1'))).equals(raw), 'the non-UTF-8 name, byte for byte');
  t.equal(by(raw.toString('latin1')).type, REGULAR_FILE, 'and stat\'ed by those bytes');

  const sub = readDirectory(vfs.resolve([], 'a', true), vfs.mounts);
  t.same(rows(sub), [
    { name: '.', ino: ino(path.join(real, 'a')), type: DIRECTORY },
    { name: '..', ino: ino(real), type: DIRECTORY },
    { name: 'inner', ino: ino(path.join(real, 'a', 'inner')), type: REGULAR_FILE },
  ], 'below the root, ".." is the parent');
});

t.test('a mount directly below shows as its root: it replaces an entry of its name or is added after the others', async (t) => {
  const dir = t.testdir({ root: { data: { hidden: '' }, m: '', z: '' }, vol: { v: '' }, other: {}, 'file.txt': 'f' });
  const vfs = new Vfs([
    { mountPath: '/', hostPath: path.join(dir, 'root'), readOnly: false },
    { mountPath: '/data', hostPath: path.join(dir, 'vol'), readOnly: false },
    { mountPath: '/new', hostPath: path.join(dir, 'other'), readOnly: true },
    { mountPath: '/cfg.txt', hostPath: path.join(dir, 'file.txt'), readOnly: true },
    { mountPath: '/new/deeper', hostPath: path.join(dir, 'other'), readOnly: true },
  ]);
  const r = rows(readDirectory(vfs.resolve([], '.', true), vfs.mounts));
  t.same(r.slice(2), [
    { name: 'data', ino: ino(path.join(dir, 'vol')), type: DIRECTORY },
    { name: 'm', ino: ino(path.join(dir, 'root', 'm')), type: REGULAR_FILE },
    { name: 'z', ino: ino(path.join(dir, 'root', 'z')), type: REGULAR_FILE },
    { name: 'new', ino: ino(path.join(dir, 'other')), type: DIRECTORY },
    { name: 'cfg.txt', ino: ino(path.join(dir, 'file.txt')), type: REGULAR_FILE },
  ], 'data replaced in place; new and cfg.txt added in mount order; /new/deeper is not directly below');
});

t.test('a listing is taken at cookie 0 and kept while the scan goes on; cookie 0 takes a new one', async (t) => {
  const root = t.testdir({ a: '', b: '', c: '' });
  const vfs = new Vfs([{ mountPath: '/', hostPath: root, readOnly: false }]);
  const d = new HostDir(vfs, vfs.resolve([], '.', true), DIR_RIGHTS, DIR_RIGHTS);
  const first = d.readdir(0n);
  t.equal(first.length, 5);
  fs.writeFileSync(path.join(root, 'aa'), '');
  fs.unlinkSync(path.join(root, 'c'));
  t.equal(d.readdir(3n), first, 'a later cookie indexes the same listing');
  t.same(rows(d.readdir(3n)).map((e) => e.name), ['.', '..', 'a', 'b', 'c'], 'unchanged by the files added and removed');
  t.same(rows(d.readdir(0n)).map((e) => e.name), ['.', '..', 'a', 'aa', 'b'], 'cookie 0 sees them');
  d.close();
  t.same(rows(d.readdir(2n)).map((e) => e.name), ['.', '..', 'a', 'aa', 'b'], 'after close, a cookie lists again');
});

t.test('names across many chunks stay whole and sorted', async (t) => {
  const root = t.testdir({});
  const want: string[] = [];
  // 6000 names of 200 bytes: 1.2 MB of names, several chunks, in an order unlike the creation order.
  for (let i = 0; i < 6000; i++) {
    const name = `${String((i * 7919) % 6000).padStart(5, '0')}${'x'.repeat(195)}`;
    fs.writeFileSync(path.join(root, name), '');
    want.push(name);
  }
  const vfs = new Vfs([{ mountPath: '/', hostPath: root, readOnly: false }]);
  const l = readDirectory(vfs.resolve([], '.', true), vfs.mounts);
  t.equal(l.length, 6002);
  want.sort();
  let same = true;
  for (let i = 0; i < want.length; i++) same &&= l.name(i + 2).toString() === want[i];
  t.ok(same, 'every name, in order');
});

t.test('a directory past the bounds is ENOMEM (the defaults are documented constants)', async (t) => {
  t.equal(MAX_DIR_ENTRIES, 1_000_000);
  t.equal(MAX_DIR_NAME_BYTES, 64 * 1024 * 1024);
  const root = t.testdir(Object.fromEntries([...Array(10).keys()].map((i) => [`f${i}`, ''])));
  const vfs = new Vfs([{ mountPath: '/', hostPath: root, readOnly: false }]);
  const where = vfs.resolve([], '.', true);
  t.equal(readDirectory(where, vfs.mounts, { entries: 10, nameBytes: 1000 }).length, 12, '10 entries (and "." "..") fit a bound of 10');
  t.equal(errno(() => readDirectory(where, vfs.mounts, { entries: 9, nameBytes: 1000 })), ENOMEM, 'not a bound of 9');
  t.equal(readDirectory(where, vfs.mounts, { entries: 10, nameBytes: 23 }).length, 12, 'names of 23 bytes ("." ".." f0..f9) fit 23 bytes');
  t.equal(errno(() => readDirectory(where, vfs.mounts, { entries: 10, nameBytes: 22 })), ENOMEM, 'not 22');
  // The fd is closed after a failure: listing again works.
  t.equal(readDirectory(where, vfs.mounts).length, 12);
});

t.test("a run's listings share one budget: past it ENOMEM, and a listing let go gives its bytes back", async (t) => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 50; i++) files[`file-${String(i).padStart(3, '0')}`] = '';
  const root = t.testdir(files);
  const vfs = new Vfs([{ mountPath: '/', hostPath: root, readOnly: false }]);
  t.equal(vfs.listings.max, RUN_LISTING_BYTES, 'each Vfs (one per run) has the default budget');
  const where = vfs.resolve([], '.', true);
  // 52 entries: 50 names of 8 bytes and "." and "..", 19 bytes each besides the name: 1,391 bytes a listing.
  const budget = listingBudget(2000);
  const first = readDirectory(where, vfs.mounts, undefined, budget);
  t.equal(budget.held, 50 * (8 + 19) + (1 + 19) + (2 + 19));
  t.equal(errno(() => readDirectory(where, vfs.mounts, undefined, budget)), ENOMEM, 'a second one does not fit beside it');
  t.equal(budget.held, 1391, 'the refused listing gave back what it had taken');
  first.release();
  t.equal(budget.held, 0);
  t.equal(first.length, 52, 'a released listing is still readable');
  t.equal(readDirectory(where, vfs.mounts, undefined, budget).length, 52, 'once the first is let go, it fits');
  // Through a directory fd: a new scan (cookie 0) and close() give the fd's listing back.
  const dir = new HostDir(vfs, where, DIR_RIGHTS, DIR_RIGHTS);
  dir.readdir(0n);
  t.equal(vfs.listings.held, 1391);
  dir.readdir(0n);
  t.equal(vfs.listings.held, 1391, 'one listing per fd');
  dir.close();
  t.equal(vfs.listings.held, 0);
});
