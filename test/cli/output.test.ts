// How `wasmpod run` shows output: one container's bytes pass through untouched; several containers' output
// is cut into lines, each prefixed with the container's name, per stream.
import t from 'tap';
import { OutputMux } from '../../dist/src/cli/output.js';

function sinks() {
  const got = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  const sink = (k: 'stdout' | 'stderr') => ({ write: (c: Buffer | string) => got[k].push(Buffer.from(c)) });
  return { got, sinks: { stdout: sink('stdout'), stderr: sink('stderr') } };
}

t.test('one container: every chunk is written as it is, byte for byte', async (t) => {
  const { got, sinks: s } = sinks();
  const mux = new OutputMux(false, s);
  const binary = Buffer.from([0, 255, 10, 13, 0x80, 0x0a]);
  mux.write('a', 'stdout', Buffer.from('no newline'));
  mux.write('a', 'stdout', binary);
  mux.write('a', 'stderr', Buffer.from('err'));
  mux.flush();
  t.same(got.stdout, [Buffer.from('no newline'), binary], 'chunks unchanged, nothing added at the end');
  t.same(got.stderr, [Buffer.from('err')]);
});

t.test('several containers: whole lines, prefixed, kept apart per container and stream', async (t) => {
  const { got, sinks: s } = sinks();
  const mux = new OutputMux(true, s);
  mux.write('web', 'stdout', Buffer.from('hel'));
  mux.write('db', 'stdout', Buffer.from('one\ntw'));
  mux.write('web', 'stdout', Buffer.from('lo\nagain\n'));
  mux.write('web', 'stderr', Buffer.from('oops'));
  mux.write('db', 'stdout', Buffer.from('o\n'));
  t.equal(Buffer.concat(got.stdout).toString(), '[db] one\n[web] hello\n[web] again\n[db] two\n');
  t.equal(got.stderr.length, 0, 'a line without its newline waits');
  mux.flush();
  t.equal(Buffer.concat(got.stderr).toString(), '[web] oops\n', 'flush ends the unfinished line');
});
