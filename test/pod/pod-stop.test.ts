// PodStop: the stop flag a pod's worker gives its container loops, in place of an AbortController's signal.
import t from 'tap';
import { PodStop } from '../../dist/src/pod/pod-stop.js';

t.test('abort sets the flag and the reason, and calls each listener once', async (t) => {
  const stop = new PodStop();
  const calls: string[] = [];
  const a = (): void => { calls.push('a'); };
  const b = (): void => { calls.push('b'); };
  stop.addEventListener('abort', a, { once: true });
  stop.addEventListener('abort', b);
  t.equal(stop.aborted, false);
  t.equal(stop.reason, undefined);
  stop.abort('pod deleted');
  t.equal(stop.aborted, true);
  t.equal(stop.reason, 'pod deleted');
  t.same(calls, ['a', 'b']);
  stop.abort('pod stopped');
  t.equal(stop.reason, 'pod deleted', 'the first reason stays');
  t.same(calls, ['a', 'b'], 'no listener is called twice');
});

t.test('a removed listener is not called; one added after the stop never is', async (t) => {
  const stop = new PodStop();
  let called = 0;
  const fn = (): void => { called++; };
  stop.addEventListener('abort', fn);
  stop.removeEventListener('abort', fn);
  stop.abort('x');
  stop.addEventListener('abort', fn);
  t.equal(called, 0);
});

t.test('a listener may remove another during the stop, as a sleep clears itself', async (t) => {
  const stop = new PodStop();
  const calls: string[] = [];
  const second = (): void => { calls.push('second'); };
  stop.addEventListener('abort', () => { calls.push('first'); stop.removeEventListener('abort', second); });
  stop.addEventListener('abort', second);
  stop.abort('x');
  // As an EventTarget's dispatch: a listener removed before its turn is not called.
  t.same(calls, ['first']);
});
