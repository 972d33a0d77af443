// The import names a guest may use: every function of wasi_snapshot_preview1, of wasmpod_ipc and the WASIX socket calls.
import { IPC_FUNCTIONS, IPC_MODULE } from '../../../shim/ipc/abi-ipc.js';
import { WASIX_FUNCTIONS, WASIX_MODULE } from '../../../shim/net/abi-wasix.js';
import { PREVIEW1 } from '../../../shim/wasi/preview1.js';

export const PREVIEW1_FUNCTIONS: ReadonlySet<string> = new Set([
  'args_get', 'args_sizes_get', 'environ_get', 'environ_sizes_get', 'clock_res_get', 'clock_time_get',
  'fd_advise', 'fd_allocate', 'fd_close', 'fd_datasync', 'fd_fdstat_get', 'fd_fdstat_set_flags',
  'fd_fdstat_set_rights', 'fd_filestat_get', 'fd_filestat_set_size', 'fd_filestat_set_times', 'fd_pread',
  'fd_prestat_get', 'fd_prestat_dir_name', 'fd_pwrite', 'fd_read', 'fd_readdir', 'fd_renumber', 'fd_seek',
  'fd_sync', 'fd_tell', 'fd_write', 'path_create_directory', 'path_filestat_get', 'path_filestat_set_times',
  'path_link', 'path_open', 'path_readlink', 'path_remove_directory', 'path_rename', 'path_symlink',
  'path_unlink_file', 'poll_oneoff', 'proc_exit', 'proc_raise', 'sched_yield', 'random_get', 'sock_accept',
  'sock_recv', 'sock_send', 'sock_shutdown',
]);

export const IPC_IMPORTS: ReadonlySet<string> = new Set(IPC_FUNCTIONS);
export const WASIX_IMPORTS: ReadonlySet<string> = new Set(WASIX_FUNCTIONS);

/** True when the shim provides this import. */
export function isProvidedImport(i: WebAssembly.ModuleImportDescriptor): boolean {
  if (i.kind !== 'function') return false;
  if (i.module === PREVIEW1) return PREVIEW1_FUNCTIONS.has(i.name);
  if (i.module === WASIX_MODULE) return WASIX_IMPORTS.has(i.name);
  return i.module === IPC_MODULE && IPC_IMPORTS.has(i.name);
}

const moduleUses = new WeakMap<WebAssembly.Module, { ipc: boolean; net: boolean }>();

/** What a module can reach besides its files: the pod's IPC (it imports wasmpod_ipc), the network (sockets). */
export function usesOf(module: WebAssembly.Module, component: boolean): { ipc: boolean; net: boolean } {
  if (component) return { ipc: false, net: true };
  let uses = moduleUses.get(module);
  if (!uses) {
    const imports = WebAssembly.Module.imports(module);
    uses = {
      ipc: imports.some((i) => i.module === IPC_MODULE),
      net: imports.some((i) => i.module === WASIX_MODULE || (i.module === PREVIEW1 && i.name.startsWith('sock_'))),
    };
    moduleUses.set(module, uses);
  }
  return uses;
}
