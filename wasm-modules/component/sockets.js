// A WASI 0.2 command in JavaScript (built with jco componentize) that uses wasi:sockets directly. One command per run:
//   client HOST PORT MSG   resolve HOST, connect (retrying while refused), send MSG, shut down sending, print the reply
//   server PORT N          listen on PORT, serve N connections: read to EOF, answer "component got: <bytes>"
//   udp HOST PORT MSG      send MSG as a datagram to HOST:PORT, print the datagram that comes back
//   refused PORT           connect to 127.0.0.1:PORT once and print the error code
import { getArguments } from 'wasi:cli/environment@0.2.12';
import { instanceNetwork } from 'wasi:sockets/instance-network@0.2.12';
import { createTcpSocket } from 'wasi:sockets/tcp-create-socket@0.2.12';
import { createUdpSocket } from 'wasi:sockets/udp-create-socket@0.2.12';
import { resolveAddresses } from 'wasi:sockets/ip-name-lookup@0.2.12';
import { subscribeDuration } from 'wasi:clocks/monotonic-clock@0.2.12';
import { poll } from 'wasi:io/poll@0.2.12';

const enc = new TextEncoder();
const dec = new TextDecoder();
// Taken in run(): imports cannot be called while the component is pre-initialized at build time.
let net;
const code = (e) => (typeof e === 'string' ? e : e && e.payload !== undefined ? e.payload : String(e));

function resolve(host) {
  const stream = resolveAddresses(net, host);
  for (;;) {
    try {
      const a = stream.resolveNextAddress();
      if (a === undefined) throw new Error(`no address for ${host}`);
      if (a.tag === 'ipv4') return a.val;
    } catch (e) {
      if (code(e) !== 'would-block') throw e;
      stream.subscribe().block();
    }
  }
}

function connect(address, port, retry) {
  for (let attempt = 0; ; attempt++) {
    const s = createTcpSocket('ipv4');
    s.startConnect(net, { tag: 'ipv4', val: { port, address } });
    s.subscribe().block();
    try {
      const [input, output] = s.finishConnect();
      return { s, input, output };
    } catch (e) {
      if (!retry || code(e) !== 'connection-refused' || attempt > 500) throw e;
      s[Symbol.dispose]?.();
      subscribeDuration(20_000_000n).block(); // the server may not be listening yet
    }
  }
}

function readAll(input) {
  const chunks = [];
  for (;;) {
    try {
      chunks.push(input.blockingRead(65536n));
    } catch (e) {
      if (code(e).tag === 'closed' || code(e) === 'closed' || e?.payload?.tag === 'closed') break;
      throw e;
    }
  }
  return dec.decode(Uint8Array.from(chunks.flatMap((c) => [...c])));
}

function client(host, port, msg) {
  const { s, input, output } = connect(resolve(host), port, true);
  output.blockingWriteAndFlush(enc.encode(msg));
  s.shutdown('send');
  console.log(`reply: ${readAll(input)}`);
}

function server(port, n) {
  const s = createTcpSocket('ipv4');
  s.startBind(net, { tag: 'ipv4', val: { port, address: [0, 0, 0, 0] } });
  s.finishBind();
  s.startListen();
  s.finishListen();
  console.log(`listening on ${port}`);
  for (let i = 0; i < n; i++) {
    let conn;
    for (;;) {
      try {
        conn = s.accept();
        break;
      } catch (e) {
        if (code(e) !== 'would-block') throw e;
        s.subscribe().block();
      }
    }
    const [peer, input, output] = conn;
    const got = readAll(input);
    console.log(`received: ${got}`);
    output.blockingWriteAndFlush(enc.encode(`component got: ${got}`));
    peer.shutdown('both');
  }
}

function udp(host, port, msg) {
  const s = createUdpSocket('ipv4');
  s.startBind(net, { tag: 'ipv4', val: { port: 0, address: [0, 0, 0, 0] } });
  s.finishBind();
  const [incoming, outgoing] = s.stream({ tag: 'ipv4', val: { port, address: resolve(host) } });
  for (let attempt = 0; attempt < 500; attempt++) {
    outgoing.send([{ data: enc.encode(msg) }]);
    // Wait up to 20 ms for the answer (the echo server may not be bound yet: then send again).
    const timer = subscribeDuration(20_000_000n);
    const ready = incoming.subscribe();
    for (;;) {
      const got = incoming.receive(1n);
      if (got.length > 0) {
        console.log(`datagram: ${dec.decode(got[0].data)}`);
        return;
      }
      if (timer.ready()) break;
      poll([timer, ready]);
    }
  }
  throw new Error('no datagram came back');
}

export const run = {
  run() {
    net = instanceNetwork();
    const [, cmd, ...args] = getArguments();
    try {
      if (cmd === 'client') client(args[0], Number(args[1]), args[2]);
      else if (cmd === 'server') server(Number(args[0]), Number(args[1]));
      else if (cmd === 'udp') udp(args[0], Number(args[1]), args[2]);
      else if (cmd === 'refused') {
        try {
          connect([127, 0, 0, 1], Number(args[0]), false);
          console.log('connected?');
        } catch (e) {
          console.log(`connect error: ${code(e)}`);
        }
      } else throw new Error(`unknown command ${cmd}`);
    } catch (e) {
      console.log(`failed: ${code(e)} ${e && e.stack ? e.stack : ''}`);
      throw e;
    }
  },
};
