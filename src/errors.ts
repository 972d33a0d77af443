// Host-side failures as error classes with a stable `code`, one class per failure, as undici does.
export class WasmpodError extends Error {
  readonly code: string = 'ERR_WASMPOD';
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A container's image path does not exist or cannot be read. */
export class ImageNotFoundError extends WasmpodError {
  readonly code = 'ERR_IMAGE_NOT_FOUND';
  constructor(readonly container: string, readonly image: string, cause: string) {
    super(`container "${container}": image ${image}: ${cause}`);
  }
}

/** The image is not a valid WebAssembly module. */
export class InvalidModuleError extends WasmpodError {
  readonly code = 'ERR_MODULE_INVALID';
  constructor(readonly container: string, readonly image: string, cause: string) {
    super(`container "${container}": image ${image} is not a valid WebAssembly module: ${cause}`);
  }
}

/** The module imports functions or objects wasmpod does not provide. */
export class UnsupportedImportError extends WasmpodError {
  readonly code = 'ERR_MODULE_IMPORT';
  constructor(readonly container: string, readonly image: string, readonly missing: string[]) {
    super(`container "${container}": image ${image} imports what wasmpod does not provide: ${missing.join(', ')}`);
  }
}

/** A hostPath volume fails its `type` check before the pod starts. */
export class HostPathError extends WasmpodError {
  readonly code = 'ERR_HOSTPATH';
  constructor(readonly volume: string, message: string) {
    super(`volume "${volume}": ${message}`);
  }
}

/** An operation named a pod or container that does not exist. */
export class NotFoundError extends WasmpodError {
  readonly code = 'ERR_NOT_FOUND';
}
