// Image failures, one class per failure with a stable `code`; each names the image and says what went wrong.
import { WasmpodError } from '../errors.js';

/** Any failure to resolve, fetch, verify or store an image. `image` is the reference as the user wrote it. */
export class ImageError extends WasmpodError {
  readonly code: string = 'ERR_IMAGE';
  /** `detail` is the failure without the image's name (the kubelet's events name the image themselves). */
  constructor(readonly image: string, readonly detail: string) {
    super(`image "${image}": ${detail}`);
  }
}

/** The reference cannot be parsed (bad host, repository, tag or digest). */
export class ImageReferenceError extends ImageError {
  readonly code = 'ERR_IMAGE_REFERENCE';
}

/** The registry or server has no such tag, digest or file (HTTP 404, OCI MANIFEST_UNKNOWN). */
export class ImageNotFoundRemoteError extends ImageError {
  readonly code = 'ERR_IMAGE_UNKNOWN';
}

/** The registry wants credentials that were not given, or refused the ones given (HTTP 401). */
export class ImageUnauthorizedError extends ImageError {
  readonly code = 'ERR_IMAGE_UNAUTHORIZED';
}

/** An auth file (auth.json, config.json) that has an entry for the registry cannot be read or parsed. */
export class ImageAuthFileError extends ImageError {
  readonly code = 'ERR_IMAGE_AUTH_FILE';
}

/** The registry knows who is asking and refuses access (HTTP 403). */
export class ImageDeniedError extends ImageError {
  readonly code = 'ERR_IMAGE_DENIED';
}

/** Bytes received do not hash to the digest they were asked for (tampering or corruption). */
export class ImageDigestMismatchError extends ImageError {
  readonly code = 'ERR_IMAGE_DIGEST';
}

/** A blob ended before its declared size, or the connection broke in the middle of it. */
export class ImageTruncatedError extends ImageError {
  readonly code = 'ERR_IMAGE_TRUNCATED';
}

/** The registry or server could not be reached, or went away. */
export class ImageNetworkError extends ImageError {
  readonly code = 'ERR_IMAGE_NETWORK';
}

/** The manifest, index or layer is not a WASI module image (e.g. a linux/amd64-only image, or an ELF entrypoint). */
export class ImageNotWasmError extends ImageError {
  readonly code = 'ERR_IMAGE_NOT_WASM';
}

/** The registry answered with something the distribution API does not allow (a bad status, manifest or header). */
export class ImageProtocolError extends ImageError {
  readonly code = 'ERR_IMAGE_PROTOCOL';
}

/** `imagePullPolicy: Never` and the image is not in the store (the kubelet's ErrImageNeverPull). */
export class ImageNeverPullError extends ImageError {
  readonly code = 'ERR_IMAGE_NEVER_PULL';
}

/** Plain HTTP was asked of a registry that is not marked insecure. */
export class ImageInsecureError extends ImageError {
  readonly code = 'ERR_IMAGE_INSECURE';
}

/** A layer could not be unpacked into a root filesystem (a path escaping it, an unknown media type). */
export class ImageUnpackError extends ImageError {
  readonly code = 'ERR_IMAGE_UNPACK';
}

/** The image store lost a file the pull or the container needed (a blob removed under it): pulling again fetches it. */
export class ImageStoreError extends ImageError {
  readonly code = 'ERR_IMAGE_STORE';
}
