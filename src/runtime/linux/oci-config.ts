// Generates a container's OCI runtime config.json from its ContainerConfig and the sandbox it joins.
import type { ContainerConfig } from '../sandbox.js';
import { CPU_PERIOD_US } from './cgroups/cgroup.js';

/** What every container of a sandbox shares: the pause process's namespaces and the pod-level files. */
export interface SandboxShare {
  /** The pause process whose net, uts and ipc (and pid, when shared) namespaces containers join. */
  pausePid: number;
  sharePid: boolean;
  /** hostNetwork: containers stay in the host's net and uts namespaces. */
  hostNet: boolean;
  /** Host files bind-mounted over /etc/hosts, /etc/hostname, /etc/resolv.conf. */
  hosts: string;
  hostname: string;
  resolvConf: string;
  /** The pod's tmpfs shown as /dev/shm in every container. */
  shm: string;
  /** Whether a memory limit also limits swap (memory+swap accounting exists). */
  swapAccounting: boolean;
  /** Rootless: the host uid and gid that the pod's user namespace (the pause process's) maps to root. */
  userns?: { uid: number; gid: number };
  /** Whether containers get cgroups and limits (not when rootless on a cgroup tree not delegated to the user). */
  cgroups: boolean;
}

/** A container's root filesystem: a mounted directory, or (rootless) an overlay the OCI runtime mounts at `/`. */
export interface ContainerRoot {
  path: string;
  overlay?: { lower: string; upper: string; work: string };
}

/** Docker's default capability set: what a process of an ordinary container may do as root. */
const CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

const MASKED = [
  '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];
const READ_ONLY = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const bind = (source: string, destination: string, readOnly: boolean): Record<string, unknown> => ({
  destination, type: 'bind', source, options: ['rbind', 'rprivate', readOnly ? 'ro' : 'rw', 'nosuid', 'nodev'],
});

/** The linux.resources of a container: its memory and CPU limits, CPU weight from requests. */
export function ociResources(c: ContainerConfig, swapAccounting: boolean): Record<string, unknown> {
  const r: Record<string, unknown> = { devices: [{ allow: false, access: 'rwm' }] };
  if (c.memoryLimit !== undefined) r['memory'] = { limit: c.memoryLimit, ...(swapAccounting ? { swap: c.memoryLimit } : {}) };
  const cpu: Record<string, number> = {};
  if (c.cpuLimitMillis !== undefined) Object.assign(cpu, { quota: Math.max(1000, c.cpuLimitMillis * 100), period: CPU_PERIOD_US });
  if (c.cpuRequestMillis !== undefined) cpu['shares'] = Math.max(2, Math.floor((c.cpuRequestMillis * 1024) / 1000));
  if (Object.keys(cpu).length > 0) r['cpu'] = cpu;
  return r;
}

/**
 * Rootless: the overlay root mounted by the runtime itself, first, over the (empty) root directory: in the
 * container's user namespace, where root may mount overlayfs (Linux 5.11+, with user.* xattrs).
 */
function overlayMount(root: ContainerRoot): Record<string, unknown>[] {
  const o = root.overlay;
  if (!o) return [];
  return [{ destination: '/', type: 'overlay', source: 'overlay', options: [`lowerdir=${o.lower}`, `upperdir=${o.upper}`, `workdir=${o.work}`, 'userxattr'] }];
}

/**
 * sysfs may only be mounted by the owner of the network namespace: a rootless hostNetwork container (in the
 * host's network) binds the host's /sys read-only instead, as runc's rootless example spec does.
 */
function sysMount(s: SandboxShare): Record<string, unknown> {
  if (s.userns && s.hostNet) return { destination: '/sys', type: 'none', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] };
  return { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] };
}

/** The user namespace part: joined by path, with the mappings it has (the runtime checks them against its own user). */
function usernsConfig(s: SandboxShare): Record<string, unknown> {
  if (!s.userns) return {};
  return {
    uidMappings: [{ containerID: 0, hostID: s.userns.uid, size: 1 }],
    gidMappings: [{ containerID: 0, hostID: s.userns.gid, size: 1 }],
  };
}

/**
 * The whole config.json of a container whose root filesystem is `root` and cgroup `cgroupsPath`; without
 * cgroups (rootless, not delegated) neither a cgroupsPath nor resources, which runc would fail to apply.
 * `mountNs` (rootless, with subPath mounts): the mount namespace holding their staging mounts, joined instead of
 * a new one (see subpath.ts).
 */
export function ociConfig(c: ContainerConfig, root: ContainerRoot, cgroupsPath: string, s: SandboxShare, mountNs?: string): Record<string, unknown> {
  const env = c.env.some((e) => e.startsWith('PATH=')) ? c.env : [DEFAULT_PATH, ...c.env];
  const ns = (type: string, kind: string): Record<string, string> => ({ type, path: `/proc/${s.pausePid}/ns/${kind}` });
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: c.argv,
      env,
      cwd: c.workingDir ?? '/',
      capabilities: Object.fromEntries(['bounding', 'effective', 'permitted'].map((k) => [k, CAPABILITIES])),
      noNewPrivileges: true,
    },
    root: { path: root.path, readonly: false },
    mounts: [
      ...overlayMount(root),
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      sysMount(s),
      bind(s.shm, '/dev/shm', false),
      bind(s.hosts, '/etc/hosts', true),
      bind(s.hostname, '/etc/hostname', true),
      bind(s.resolvConf, '/etc/resolv.conf', true),
      ...c.mounts.map((m) => bind(m.hostPath, m.mountPath, m.readOnly)),
    ],
    linux: {
      namespaces: [
        // The user namespace first: the pod's other namespaces are owned by it, and runc joins it before them.
        ...(s.userns ? [ns('user', 'user')] : []),
        s.sharePid ? ns('pid', 'pid') : { type: 'pid' },
        ...(s.hostNet ? [] : [ns('network', 'net'), ns('uts', 'uts')]),
        ns('ipc', 'ipc'),
        mountNs ? { type: 'mount', path: mountNs } : { type: 'mount' },
      ],
      ...usernsConfig(s),
      ...(s.cgroups ? { cgroupsPath, resources: ociResources(c, s.swapAccounting) } : {}),
      maskedPaths: MASKED,
      readonlyPaths: READ_ONLY,
    },
  };
}
