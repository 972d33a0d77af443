// The image layer's public API: references, the store, pulls and pushes, and unpacking for the Linux backend.
export * from './errors.js';
export { parseImageRef, defaultPullPolicy, isDigest, type ImageRef, type PullPolicy } from './reference.js';
export { ImageService, type ImageServiceOptions, type EnsureOptions, type ResolvedImage } from './image-service.js';
export { ImageStore, type ImageRecord, type LayerDescriptor } from './store.js';
export type { PullLease } from './lease.js';
export type { HttpOptions } from './http-client.js';
export type { BlobProgress } from './pull.js';
export { WASM_PLATFORM, type Platform } from './layout.js';
export { unpackLayers } from './unpack.js';
