// Preview1 conformance, part 2: operations on open descriptors (read/write/seek, fdstat,
// filestat, readdir, renumber) and the preopens. Each program gets a fresh scratch directory
// as its only mount and creates its own fixtures in it; see wasm-modules/wasi-tests/*.c.
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { runGuest } from '../helpers/run-guest.js';

const wasm = (name: string) =>
  fileURLToPath(new URL(`../../wasm-modules/wasi-tests/${name}.wasm`, import.meta.url));

const passed = { stderr: '', exitCode: 0, reason: 'Completed', stdout: 'ok\n' } as const;

// Runs `name` with a fresh scratch directory mounted at `mountPath` (its argv[1]).
const inScratch = (dir: string, name: string, mountPath = '/sandbox') =>
  runGuest({ module: wasm(name), args: [mountPath], mounts: [{ hostPath: dir, mountPath }] });

t.test('fd_read, fd_write, fd_pread, fd_pwrite, fd_seek, fd_tell, sync, advise, allocate',
  async t => {
    t.hasStrict(await inScratch(t.testdir(), 'fd-basic'), passed);
  });

t.test('fd_fdstat_get reports APPEND; set_flags; set_rights only narrows', async t => {
  t.hasStrict(await inScratch(t.testdir(), 'fd-fdstat'), passed);
});

t.test('fd_filestat_get, set_size, set_times to the nanosecond, NOW flags, INVAL', async t => {
  // Mounted at "/" to also exercise a preopen named "/".
  t.hasStrict(await inScratch(t.testdir(), 'fd-filestat', '/'), passed);
});

t.test('fd_readdir lists . and .., resumes at cookies, truncates to buf_len', async t => {
  t.hasStrict(await inScratch(t.testdir(), 'fd-readdir'), passed);
});

t.test('fd_renumber moves descriptors, also stderr and over a preopen', async t => {
  const run = await inScratch(t.testdir(), 'fd-renumber');
  // The program moves stderr to another number and writes this line through it.
  t.hasStrict(run, { ...passed, stderr: 'moved stderr\n' });
});

t.test('fd_prestat_get and fd_prestat_dir_name name each mount, in mount order', async t => {
  const dir = t.testdir({ first: {}, second: {} });
  const run = await runGuest({
    module: wasm('prestat'),
    args: ['/sandbox', '/data/second'],
    mounts: [
      { hostPath: `${dir}/first`, mountPath: '/sandbox' },
      { hostPath: `${dir}/second`, mountPath: '/data/second' },
    ],
  });
  t.hasStrict(run, passed);
});
