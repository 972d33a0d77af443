// The part of the WebAssembly JS API wasmpod uses; Node has it at run time, but @types/node does not declare it.
declare namespace WebAssembly {
  type ImportValue = Function | Global | Memory | Table | number | bigint;
  type Imports = Record<string, Record<string, ImportValue>>;
  type ExportValue = Function | Global | Memory | Table;
  interface ModuleImportDescriptor { module: string; name: string; kind: 'function' | 'table' | 'memory' | 'global' }
  interface ModuleExportDescriptor { name: string; kind: 'function' | 'table' | 'memory' | 'global' }
  class Module {
    constructor(bytes: BufferSource);
    static imports(m: Module): ModuleImportDescriptor[];
    static exports(m: Module): ModuleExportDescriptor[];
    static customSections(m: Module, name: string): ArrayBuffer[];
  }
  class Instance {
    constructor(m: Module, imports?: Imports);
    readonly exports: Record<string, ExportValue>;
  }
  interface MemoryDescriptor { initial: number; maximum?: number; shared?: boolean }
  class Memory {
    constructor(d: MemoryDescriptor);
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
    grow(delta: number): number;
  }
  class Table { readonly length: number }
  class Global { value: unknown }
  class CompileError extends Error {}
  class LinkError extends Error {}
  class RuntimeError extends Error {}
  function validate(bytes: BufferSource): boolean;
  function compile(bytes: BufferSource): Promise<Module>;
  function instantiate(m: Module, imports?: Imports): Promise<Instance>;
}
type BufferSource = ArrayBufferView | ArrayBuffer;
