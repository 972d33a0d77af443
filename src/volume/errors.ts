// Failures to prepare a pod's volumes or a container's mounts and environment, one class per failure with a stable code.
import { WasmpodError } from '../errors.js';

/** A volume could not be created (emptyDir, configMap, secret, downwardAPI, projected). */
export class VolumeSetupError extends WasmpodError {
  readonly code = 'ERR_VOLUME_SETUP';
  constructor(readonly volume: string, message: string) {
    super(`volume "${volume}": ${message}`);
  }
}

/**
 * A ConfigMap or Secret (or one of its keys) that a volume or env entry needs is missing; the kubelet
 * reports this as CreateContainerConfigError. The message names the object and key, never a value.
 */
export class ConfigRefError extends WasmpodError {
  readonly code = 'ERR_CONFIG_REF';
  readonly reason = 'CreateContainerConfigError';
}

/** A volumeMount's subPath does not stay inside its volume, or does not name a directory. */
export class SubPathError extends WasmpodError {
  readonly code = 'ERR_SUBPATH';
  constructor(readonly container: string, readonly subPath: string, message: string) {
    super(`container "${container}": subPath "${subPath}": ${message}`);
  }
}
