// The Linux backend's host-side failures, one class per failure with a stable code.
import { WasmpodError } from '../../errors.js';

/** The backend cannot run here: not Linux, not root, or no OCI runtime found. */
export class LinuxBackendUnavailableError extends WasmpodError {
  readonly code = 'ERR_LINUX_UNAVAILABLE';
}

/** A container's image is not a root filesystem directory the backend can use. */
export class RootfsError extends WasmpodError {
  readonly code = 'ERR_ROOTFS';
  constructor(readonly container: string, readonly image: string, cause: string) {
    super(`container "${container}": image ${image}: ${cause}`);
  }
}

/** The pause process could not set up the pod's namespaces. */
export class PauseError extends WasmpodError {
  readonly code = 'ERR_PAUSE';
}

/** An OCI runtime command (runc create, kill, delete, exec) failed; the message carries its stderr. */
export class OciRuntimeError extends WasmpodError {
  readonly code = 'ERR_OCI_RUNTIME';
}

/** A mount or unmount the sandbox needs (rootfs overlay, shm tmpfs) failed. */
export class MountError extends WasmpodError {
  readonly code = 'ERR_MOUNT';
}

/**
 * A subPath (or a hostPath inside another volume of the pod) no longer resolves inside its volume without
 * following a symlink when its container starts: it was swapped (CVE-2017-1002101). The container is not
 * started; the kubelet reports this as CreateContainerConfigError.
 */
export class SubPathRefusedError extends WasmpodError {
  readonly code = 'ERR_SUBPATH';
  readonly reason = 'CreateContainerConfigError';
}
