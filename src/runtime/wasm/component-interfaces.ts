// The WASI 0.2 interfaces wasmpod implements for components (shim/component), and the check that refuses anything else by name.

/** Interfaces of WASI 0.2 we provide, any 0.2.x version: their functions did not change within 0.2. */
export const PROVIDED_INTERFACES: ReadonlySet<string> = new Set([
  'wasi:cli/environment', 'wasi:cli/exit', 'wasi:cli/stdin', 'wasi:cli/stdout', 'wasi:cli/stderr',
  'wasi:cli/terminal-input', 'wasi:cli/terminal-output', 'wasi:cli/terminal-stdin', 'wasi:cli/terminal-stdout',
  'wasi:cli/terminal-stderr',
  'wasi:clocks/monotonic-clock', 'wasi:clocks/wall-clock',
  'wasi:random/random', 'wasi:random/insecure', 'wasi:random/insecure-seed',
  'wasi:io/error', 'wasi:io/poll', 'wasi:io/streams',
  'wasi:filesystem/types', 'wasi:filesystem/preopens',
  'wasi:sockets/network', 'wasi:sockets/instance-network', 'wasi:sockets/tcp', 'wasi:sockets/tcp-create-socket',
  'wasi:sockets/udp', 'wasi:sockets/udp-create-socket', 'wasi:sockets/ip-name-lookup',
  'wasi:http/types', 'wasi:http/outgoing-handler',
]);

const VERSION = /^0\.2\.\d+$/;

/** The imports of a component we do not provide, each named as the component names it. */
export function unprovidedImports(imports: string[]): string[] {
  return imports.filter((name) => {
    const at = name.lastIndexOf('@');
    if (at < 0) return true;
    return !PROVIDED_INTERFACES.has(name.slice(0, at)) || !VERSION.test(name.slice(at + 1));
  });
}

/** How a component is run, from what it exports; undefined when it exports nothing wasmpod can run. */
export function componentWorld(exports: string[]): 'command' | 'http' | undefined {
  const base = (n: string): string => n.split('@')[0]!;
  if (exports.some((e) => base(e) === 'wasi:http/incoming-handler' && VERSION.test(e.split('@')[1] ?? ''))) return 'http';
  if (exports.some((e) => base(e) === 'wasi:cli/run' && VERSION.test(e.split('@')[1] ?? ''))) return 'command';
  return undefined;
}
