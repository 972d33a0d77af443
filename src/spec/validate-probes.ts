// Kubernetes' rules for probes and lifecycle handlers: one handler each, sane timings, threshold 1 where required.
import { fieldError, type FieldError } from './errors.js';
import { rec } from './validate-meta.js';
import { isValidPortName, isValidPortNum } from './names.js';

const HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'];

function oneHandler(h: Record<string, unknown>, p: string, allowed: string[]): FieldError[] {
  const set = HANDLERS.filter((k) => h[k] != null);
  if (set.length === 0) return [fieldError.required(p, `must specify a handler type (one of ${allowed.join(', ')})`)];
  if (set.length > 1) return [fieldError.forbidden(`${p}.${set[1]}`, 'may not specify more than 1 handler type')];
  const exec = rec(h['exec']);
  if (exec && !(Array.isArray(exec['command']) && exec['command'].length > 0)) return [fieldError.required(`${p}.exec.command`)];
  const errors: FieldError[] = [];
  const httpGet = rec(h['httpGet']);
  const tcp = rec(h['tcpSocket']);
  if (httpGet) {
    errors.push(...portNumOrName(httpGet['port'], `${p}.httpGet.port`));
    const headers = Array.isArray(httpGet['httpHeaders']) ? httpGet['httpHeaders'] : [];
    headers.forEach((hd: unknown, i: number) => {
      const name = rec(hd)?.['name'];
      if (typeof name === 'string' && !HTTP_TOKEN.test(name)) {
        errors.push(fieldError.invalid(`${p}.httpGet.httpHeaders[${i}].name`, `a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')`));
      }
    });
  }
  if (tcp) errors.push(...portNumOrName(tcp['port'], `${p}.tcpSocket.port`));
  const grpc = rec(h['grpc']);
  if (grpc) errors.push(...grpcPort(grpc['port'], `${p}.grpc.port`));
  return errors;
}

/** Kubernetes' header-name rule (IsHTTPHeaderName). */
const HTTP_TOKEN = /^[-A-Za-z0-9]+$/;

/** A handler's port: a number from 1 to 65535 or an IANA port name, as ValidatePortNumOrName says. */
function portNumOrName(port: unknown, at: string): FieldError[] {
  if (port === undefined || port === null || port === '' || port === 0) return [fieldError.required(at)];
  const msgs = typeof port === 'number' ? isValidPortNum(port) : typeof port === 'string' ? isValidPortName(port) : [];
  return msgs.map((m) => fieldError.invalid(at, m));
}

/**
 * A grpc handler's port: a number (never a name, GRPCAction.port is an int32), checked as Kubernetes checks
 * `intstr.FromInt32(port)`: a missing port is 0, which is out of range rather than required.
 */
function grpcPort(port: unknown, at: string): FieldError[] {
  if (port === undefined || port === null) port = 0;
  if (typeof port !== 'number' || !Number.isInteger(port)) return []; // the schema reports a port that is not an integer
  return isValidPortNum(port).map((m) => fieldError.invalid(at, m));
}

export function validateProbe(value: unknown, p: string, kind: 'livenessProbe' | 'readinessProbe' | 'startupProbe'): FieldError[] {
  const probe = rec(value);
  if (!probe) return [];
  const errors = oneHandler(probe, p, ['exec', 'httpGet', 'tcpSocket', 'grpc']);
  const atLeast = (field: string, min: number): void => {
    const v = probe[field];
    if (typeof v === 'number' && v < min) errors.push(fieldError.invalid(`${p}.${field}`, `must be greater than or equal to ${min}`));
  };
  atLeast('initialDelaySeconds', 0);
  atLeast('timeoutSeconds', 1);
  atLeast('periodSeconds', 1);
  atLeast('successThreshold', 1);
  atLeast('failureThreshold', 1);
  if (kind !== 'readinessProbe' && typeof probe['successThreshold'] === 'number' && probe['successThreshold'] !== 1) {
    errors.push(fieldError.invalid(`${p}.successThreshold`, 'must be 1'));
  }
  return errors;
}

export function validateLifecycle(value: unknown, p: string): FieldError[] {
  const lc = rec(value);
  if (!lc) return [];
  const errors: FieldError[] = [];
  for (const hook of ['postStart', 'preStop']) {
    const h = rec(lc[hook]);
    if (!h) continue;
    errors.push(...oneHandler(h, `${p}.${hook}`, ['exec', 'httpGet', 'tcpSocket', 'sleep']));
    const sleep = rec(h['sleep']);
    if (sleep && typeof sleep['seconds'] === 'number' && sleep['seconds'] < 0) {
      errors.push(fieldError.invalid(`${p}.${hook}.sleep.seconds`, 'must be greater than or equal to 0'));
    }
  }
  return errors;
}
