// The complete `wasi_snapshot_preview1` import module for one container, assembled from the per-area ABI files.
import type { WasiContext } from './context.js';
import { procImports } from './abi-proc.js';
import { fdImports } from './abi-fd.js';
import { pathImports } from './abi-path.js';
import { pollImports } from './abi-poll.js';
import { sockImports } from './abi-sock.js';

export const PREVIEW1 = 'wasi_snapshot_preview1';

export function preview1Imports(ctx: WasiContext): Record<string, (...a: never[]) => unknown> {
  return {
    ...procImports(ctx),
    ...fdImports(ctx),
    ...pathImports(ctx),
    ...pollImports(ctx),
    ...sockImports(ctx),
  };
}
