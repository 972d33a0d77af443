// What the main thread hands a worker to run a component: jco's instantiation-mode JS and the core modules it instantiates.

export interface ComponentStart {
  /** The ES module jco generated (instantiation mode, sync): it exports `instantiate(getCoreModule, imports)`. */
  source: string;
  /** The compiled core modules, by the file names the source asks for. */
  modules: Record<string, WebAssembly.Module>;
  /** What the component is run as: a command (wasi:cli/run) or an HTTP handler (wasi:http/incoming-handler). */
  world: 'command' | 'http';
}
