// Runs one guest module as a one-container pod and collects its output: the harness of the shim tests.
// (Implementation lands with the runtime; the signature is fixed so tests can be written against it.)
export interface GuestMount { hostPath: string; mountPath: string; readOnly?: boolean }
export interface GuestRunOptions {
  module: string;                 // path to a .wasm file
  args?: string[];                // argv[1..]; argv[0] is the module's file name
  env?: Record<string, string>;   // exactly the guest's environment
  mounts?: GuestMount[];          // hostPath volumes, preopened in this order from fd 3
  workingDir?: string;
  stdin?: string | Buffer;        // bytes the guest reads on fd 0, then EOF (default: EOF at once)
  timeoutMs?: number;             // the pod is deleted after this (default 30000)
}
export interface GuestRun {
  exitCode: number;
  reason: string;                 // Completed, Error, ...
  message?: string;               // the trap's message when the guest trapped
  stdout: string;
  stderr: string;
}
export declare function runGuest(opts: GuestRunOptions): Promise<GuestRun>;
