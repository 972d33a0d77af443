// The Linux backend's public surface: the backend, its options, its availability check and its errors.
export { LinuxBackend, linuxBackendUnavailable, findOnPath, type LinuxBackendOptions } from './linux-backend.js';
export { LinuxBackendUnavailableError, RootfsError, PauseError, OciRuntimeError, MountError } from './errors.js';
export { detectCgroups } from './cgroups/detect.js';
export { CgroupV1Driver } from './cgroups/v1.js';
export { CgroupV2Driver } from './cgroups/v2.js';
export type { Cgroup, CgroupDriver, CgroupLimits } from './cgroups/cgroup.js';
