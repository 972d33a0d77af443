// The public API of the pod spec layer: parse, validate and default Kubernetes v1 Pods, ConfigMaps and Secrets.

export type * from './types.js';
export { parseManifest, type ParseOptions } from './parse.js';
export { normalizePod, decodePod, decodeConfigMap, decodeSecret, type NormalizeOptions } from './normalize.js';
export { validatePod, validateConfigMap, validateSecret } from './validate.js';
export {
  applyPodDefaults, applyConfigMapDefaults, applySecretDefaults, resolveImage, rfc3339, type DefaultsOptions,
} from './defaults.js';
export { ManifestError, type FieldError } from './errors.js';
export { Quantity, QuantityError, parseQuantity, memoryBytes, cpuMillis } from './quantity.js';
export { SUPPORT, supportOf, type SupportEntry, type SupportLevel } from './support.js';
export { RESOURCE_SUPPORT } from './validate-resources.js';
export { pod as podSchema, configMap as configMapSchema, secret as secretSchema } from './schema-pod.js';
export { fieldPatterns, type FieldType } from './schema.js';
