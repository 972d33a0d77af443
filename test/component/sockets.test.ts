// wasi:sockets on the pod network: a component (JavaScript, built with jco componentize) and a preview1/WASIX module talk over localhost.
import t from 'tap';
import * as path from 'node:path';
import { MODULES } from '../helpers/pods.js';
import { runPodCollect } from '../helpers/run-pod.js';

const SOCKETS = path.join(MODULES, 'component/sockets.component.wasm');
const NETTOOL = path.join(MODULES, 'net-tests/nettool.wasm');

t.test('tcp both ways, udp, name lookup and a refused connect, between a component and preview1 modules', async (t) => {
  const spec = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'sockets' },
    spec: {
      restartPolicy: 'Never',
      containers: [
        { name: 'p1-echo', image: NETTOOL, args: ['echo', '7000', '1'] },
        { name: 'c-client', image: SOCKETS, args: ['client', 'localhost', '7000', 'hello from the component'] },
        { name: 'c-server', image: SOCKETS, args: ['server', '7001', '1'] },
        { name: 'p1-client', image: NETTOOL, args: ['client', 'localhost', '7001', 'hello from preview1'] },
        { name: 'p1-udp', image: NETTOOL, args: ['udp-echo', '7002', '1'] },
        { name: 'c-udp', image: SOCKETS, args: ['udp', '127.0.0.1', '7002', 'a datagram from the component'] },
        { name: 'c-refused', image: SOCKETS, args: ['refused', '7999'] },
      ],
    },
  };
  const { status, out, runtime } = await runPodCollect(spec, {}, undefined, 120_000);
  t.equal(status.phase, 'Succeeded', JSON.stringify(out));
  t.match(out['c-client'], /^reply: hello from the component/);
  t.match(out['c-server'], /listening on 7001\n[^]*received: hello from preview1\n/);
  t.match(out['p1-client'], /component got: hello from preview1/);
  t.match(out['c-udp'], /^datagram: a datagram from the component\n/);
  t.match(out['c-refused'], /^connect error: connection-refused\n/);
  await runtime.close();
});
