// The virtual cluster network of one Runtime: pod IP allocation from a range, the name table, and routing between pods.
import { Errno, WasiError } from '../../shim/wasi/errno.js';
import {
  AddressFamily, IPV6_LOOPBACK, isAny, isLoopback, parseIp, unmap, type SockAddr,
} from '../../shim/net/addr.js';
import { PodNetwork } from './pod-network.js';
import { PodCidrError, PodIpExhaustedError } from './errors.js';

export const DEFAULT_POD_CIDR = '10.88.0.0/16';

const ipNum = (ip: string): number => ip.split('.').reduce((n, p) => n * 256 + Number(p), 0);
const ipText = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/** Where a connection from a pod to an address goes: the pod that owns it, and the source address it sees. */
export interface Route {
  pod: PodNetwork;
  to: SockAddr;
  source: SockAddr;
  /** Arrived over loopback: listeners bound to 127.0.0.1 or ::1 accept it. */
  loopback: boolean;
}

export class ClusterNetwork {
  readonly cidr: string;
  private readonly base: number;
  private readonly size: number;
  private next = 2;
  private readonly byIP = new Map<string, PodNetwork>();
  private readonly byName = new Map<string, PodNetwork>();

  /** `cidr`: an IPv4 range of /8 to /30; its first address is the network, the second the host-side gateway. */
  constructor(cidr = DEFAULT_POD_CIDR) {
    const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr);
    const ip = m ? parseIp(m[1]) : undefined;
    const bits = m ? Number(m[2]) : NaN;
    if (!ip || !(bits >= 8 && bits <= 30)) {
      throw new PodCidrError(`podCIDR "${cidr}" is not an IPv4 range such as 10.88.0.0/16 (prefix 8 to 30)`);
    }
    this.size = 2 ** (32 - bits);
    this.base = ipNum(ip.ip) - (ipNum(ip.ip) % this.size);
    this.cidr = `${ipText(this.base)}/${bits}`;
  }

  /** The address pods see host-side connections (published ports) come from. */
  get gateway(): string {
    return ipText(this.base + 1);
  }

  contains(ip: string): boolean {
    const p = parseIp(ip);
    if (!p || p.family !== AddressFamily.INET4) return false;
    const n = ipNum(p.ip);
    return n >= this.base && n < this.base + this.size;
  }

  /** Gives a pod its network: the next free IP of the range (neither the network, the gateway nor broadcast). */
  attach(name: string, namespace: string, hostname = name): PodNetwork {
    let ip: string | undefined;
    for (let tries = 0; tries < this.size && !ip; tries++) {
      const cand = this.next;
      this.next = this.next + 1 >= this.size - 1 ? 2 : this.next + 1;
      if (!this.byIP.has(ipText(this.base + cand))) ip = ipText(this.base + cand);
    }
    if (!ip) throw new PodIpExhaustedError(`no free pod IP left in ${this.cidr}`);
    const pod = new PodNetwork(this, ip, name, namespace, hostname);
    this.byIP.set(ip, pod);
    for (const k of this.names(pod)) this.byName.set(k, pod);
    return pod;
  }

  /** Called by PodNetwork.close(): the IP and names are free again. */
  detach(pod: PodNetwork): void {
    if (this.byIP.get(pod.ip) === pod) this.byIP.delete(pod.ip);
    for (const k of this.names(pod)) if (this.byName.get(k) === pod) this.byName.delete(k);
  }

  private names(pod: PodNetwork): string[] {
    const keys = [`${pod.name}.${pod.namespace}`, `${pod.name}.${pod.namespace}.pod`];
    if (pod.namespace === 'default') keys.push(pod.name);
    if (pod.hostname !== pod.name) keys.push(pod.hostname);
    return keys.map((k) => k.toLowerCase());
  }

  /** The pods of this runtime by IP. */
  pod(ip: string): PodNetwork | undefined {
    return this.byIP.get(ip);
  }

  /**
   * Resolves a name as seen from `from`: `localhost`, the pod's own name and hostname, other pods' names
   * (`name`, `name.namespace`); NOENT for anything else. Names of the pod's own namespace resolve bare.
   */
  resolve(from: PodNetwork, name: string): SockAddr[] {
    const n = name.toLowerCase().replace(/\.$/, '');
    const v4 = (ip: string): SockAddr => ({ family: AddressFamily.INET4, ip, port: 0 });
    if (n === 'localhost' || n === 'localhost.localdomain') {
      return [v4('127.0.0.1'), { family: AddressFamily.INET6, ip: IPV6_LOOPBACK, port: 0 }];
    }
    if (n === from.name.toLowerCase() || n === from.hostname.toLowerCase()) return [v4(from.ip)];
    const pod = this.byName.get(n) ?? this.byName.get(`${n}.${from.namespace}`);
    if (pod) return [v4(pod.ip)];
    throw new WasiError(Errno.NOENT);
  }

  /**
   * Routes a connection or datagram from pod `from` to `to`: its own loopback and IP reach itself, another
   * pod's IP reaches that pod; an unused cluster IP is unreachable and anything outside is no network at all.
   */
  route(from: PodNetwork, dest: SockAddr): Route {
    const to = unmap(dest);
    if (isLoopback(to) || isAny(to)) {
      const source = to.family === AddressFamily.INET4
        ? { family: to.family, ip: '127.0.0.1', port: 0 }
        : { family: to.family, ip: IPV6_LOOPBACK, port: 0 };
      return { pod: from, to, source, loopback: true };
    }
    const source: SockAddr = { family: AddressFamily.INET4, ip: from.ip, port: 0 };
    if (to.family === AddressFamily.INET4) {
      const pod = this.byIP.get(to.ip);
      if (pod) return { pod, to, source, loopback: false };
      if (this.contains(to.ip)) throw new WasiError(Errno.HOSTUNREACH);
    }
    throw new WasiError(Errno.NETUNREACH);
  }
}
