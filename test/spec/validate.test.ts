// Validation rules of a v1 Pod, one broken field at a time, each with its exact field path and message.
import t from 'tap';
import { validatePod, normalizePod, ManifestError } from '../../dist/src/spec/index.js';
import { validPod, type Obj } from './helpers.js';

const c0 = (p: Obj): Obj => p.spec.containers[0];

t.test('the base pod is valid', async (t) => {
  t.same(validatePod(validPod()), []);
});

// Each case breaks one thing in a valid pod and names the exact error Kubernetes-style: field path and message.
const rules: [string, (p: Obj) => void, string, string][] = [
  // metadata
  ['pod name must be a DNS-1123 subdomain', (p) => (p.metadata.name = 'Web_1'), 'metadata.name', 'a lowercase RFC 1123 subdomain must consist of'],
  ['pod name at most 253 characters', (p) => (p.metadata.name = 'a'.repeat(254)), 'metadata.name', 'must be no more than 253 characters'],
  ['pod name or generateName required', (p) => delete p.metadata.name, 'metadata.name', 'Required value: name or generateName is required'],
  ['generateName is a subdomain prefix', (p) => { delete p.metadata.name; p.metadata.generateName = 'Web-'; }, 'metadata.generateName', 'a lowercase RFC 1123 subdomain'],
  ['namespace must be a DNS-1123 label', (p) => (p.metadata.namespace = 'team.a'), 'metadata.namespace', 'a lowercase RFC 1123 label must consist of'],
  ['label keys are qualified names', (p) => (p.metadata.labels = { 'bad key': 'x' }), 'metadata.labels', 'key "bad key": name part must consist of'],
  ['label key prefixes are DNS subdomains', (p) => (p.metadata.labels = { 'Example.com/app': 'x' }), 'metadata.labels', 'key "Example.com/app": prefix part a lowercase RFC 1123 subdomain'],
  ['label key names at most 63 characters', (p) => (p.metadata.labels = { ['k'.repeat(64)]: 'x' }), 'metadata.labels', `key "${'k'.repeat(64)}": name part must be no more than 63 characters`],
  ['label values at most 63 characters', (p) => (p.metadata.labels = { app: 'v'.repeat(64) }), 'metadata.labels[app]', 'must be no more than 63 characters'],
  ['label values are restricted', (p) => (p.metadata.labels = { app: 'a b' }), 'metadata.labels[app]', 'a valid label must be an empty string or consist of'],
  ['label values are strings', (p) => (p.metadata.labels = { version: 2 }), 'metadata.labels[version]', 'must be a string'],
  ['annotation keys are qualified names', (p) => (p.metadata.annotations = { 'a/b/c': 'x' }), 'metadata.annotations', 'key "a/b/c": a qualified name must consist of'],
  ['annotations at most 256 KiB', (p) => (p.metadata.annotations = { big: 'x'.repeat(256 * 1024) }), 'metadata.annotations', 'Too long: must have at most 262144 bytes'],
  ['creationTimestamp is RFC 3339', (p) => (p.metadata.creationTimestamp = 'yesterday'), 'metadata.creationTimestamp', 'must be an RFC 3339 date-time (e.g. 2006-01-02T15:04:05Z)'],
  ['apiVersion must be v1', (p) => (p.apiVersion = 'apps/v1'), 'apiVersion', 'Unsupported value: "apps/v1": supported values: "v1"'],
  ['apiVersion required', (p) => delete p.apiVersion, 'apiVersion', 'Required value'],
  // spec
  ['at least one container', (p) => (p.spec.containers = []), 'spec.containers', 'Required value'],
  ['containers required', (p) => delete p.spec.containers, 'spec.containers', 'Required value'],
  ['spec required', (p) => delete p.spec, 'spec', 'Required value'],
  ['restartPolicy enum', (p) => (p.spec.restartPolicy = 'Sometimes'), 'spec.restartPolicy', 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'],
  ['terminationGracePeriodSeconds >= 0', (p) => (p.spec.terminationGracePeriodSeconds = -1), 'spec.terminationGracePeriodSeconds', 'must be greater than or equal to 0'],
  ['activeDeadlineSeconds >= 1', (p) => (p.spec.activeDeadlineSeconds = 0), 'spec.activeDeadlineSeconds', 'must be between 1 and 2147483647, inclusive'],
  ['hostname is a DNS-1123 label', (p) => (p.spec.hostname = 'my.host'), 'spec.hostname', 'a lowercase RFC 1123 label'],
  // volumes
  ['volume name is a DNS-1123 label', (p) => (p.spec.volumes[0].name = 'Data'), 'spec.volumes[0].name', 'a lowercase RFC 1123 label'],
  ['volume name required', (p) => delete p.spec.volumes[0].name, 'spec.volumes[0].name', 'Required value'],
  ['volume names unique', (p) => p.spec.volumes.push({ name: 'data', hostPath: { path: '/var' } }), 'spec.volumes[1].name', 'Duplicate value: "data"'],
  ['a volume needs a source', (p) => p.spec.volumes.push({ name: 'empty' }), 'spec.volumes[1]', 'Required value: must specify a volume type'],
  ['a volume has one source', (p) => (p.spec.volumes[0].nfs = { server: 'x', path: '/' }), 'spec.volumes[0].nfs', 'Forbidden: may not specify more than 1 volume type'],
  ['hostPath.path required', (p) => delete p.spec.volumes[0].hostPath.path, 'spec.volumes[0].hostPath.path', 'Required value'],
  ['hostPath.path absolute', (p) => (p.spec.volumes[0].hostPath.path = 'tmp/x'), 'spec.volumes[0].hostPath.path', 'must be an absolute path'],
  ['hostPath.path without ..', (p) => (p.spec.volumes[0].hostPath.path = '/tmp/../etc'), 'spec.volumes[0].hostPath.path', "must not contain '..'"],
  ['hostPath.type enum', (p) => (p.spec.volumes[0].hostPath.type = 'Dir'), 'spec.volumes[0].hostPath.type',
    'Unsupported value: "Dir": supported values: "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"'],
  // containers
  ['container name is a DNS-1123 label', (p) => (c0(p).name = 'App'), 'spec.containers[0].name', 'a lowercase RFC 1123 label'],
  ['container name required', (p) => delete c0(p).name, 'spec.containers[0].name', 'Required value'],
  ['container names unique across containers', (p) => (p.spec.containers[1].name = 'app'), 'spec.containers[1].name', 'Duplicate value: "app"'],
  ['container names unique across init containers', (p) => (c0(p).name = 'init'), 'spec.containers[0].name', 'Duplicate value: "init"'],
  ['image required', (p) => delete c0(p).image, 'spec.containers[0].image', 'Required value'],
  ['image non-empty', (p) => (c0(p).image = ''), 'spec.containers[0].image', 'Required value'],
  ['image without surrounding spaces', (p) => (c0(p).image = ' a.wasm'), 'spec.containers[0].image', 'must not have leading or trailing whitespace'],
  ['init container image required', (p) => delete p.spec.initContainers[0].image, 'spec.initContainers[0].image', 'Required value'],
  ['args are strings', (p) => (c0(p).args = 'hello'), 'spec.containers[0].args', 'must be an array of strings'],
  ['args elements are strings', (p) => (c0(p).args = ['a', 1]), 'spec.containers[0].args', 'must be an array of strings'],
  ['command is an array of strings', (p) => (c0(p).command = [{}]), 'spec.containers[0].command', 'must be an array of strings'],
  ['stdin is a boolean', (p) => (c0(p).stdin = 'yes'), 'spec.containers[0].stdin', 'must be a boolean'],
  ['containers are objects', (p) => (p.spec.containers[1] = 'side'), 'spec.containers[1]', 'must be an object'],
  ['containers is an array', (p) => (p.spec.containers = { name: 'x' }), 'spec.containers', 'must be an array of objects'],
  ['env names valid', (p) => (c0(p).env[0].name = 'A=B'), 'spec.containers[0].env[0].name', "a valid environment variable name must consist only of printable ASCII characters other than '='"],
  ['env names printable', (p) => (c0(p).env[0].name = 'A\tB'), 'spec.containers[0].env[0].name', "a valid environment variable name must consist only of printable ASCII characters other than '='"],
  ['env name required', (p) => delete c0(p).env[0].name, 'spec.containers[0].env[0].name', 'Required value'],
  ['env values are strings', (p) => (c0(p).env[0].value = 8080), 'spec.containers[0].env[0].value', 'must be a string'],
  // ports
  ['containerPort range', (p) => (c0(p).ports[0].containerPort = 70000), 'spec.containers[0].ports[0].containerPort', 'must be between 1 and 65535, inclusive'],
  ['containerPort required', (p) => delete c0(p).ports[0].containerPort, 'spec.containers[0].ports[0].containerPort', 'Required value'],
  ['containerPort integer', (p) => (c0(p).ports[0].containerPort = '80'), 'spec.containers[0].ports[0].containerPort', 'must be a 32-bit integer'],
  ['hostPort range', (p) => (c0(p).ports[0].hostPort = 65536), 'spec.containers[0].ports[0].hostPort', 'must be between 1 and 65535, inclusive'],
  ['hostIP is an IP', (p) => (c0(p).ports[0].hostIP = 'localhost'), 'spec.containers[0].ports[0].hostIP', 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'],
  ['protocol enum', (p) => (c0(p).ports[0].protocol = 'ICMP'), 'spec.containers[0].ports[0].protocol', 'Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"'],
  ['port names are IANA service names', (p) => (c0(p).ports[0].name = 'web--http'), 'spec.containers[0].ports[0].name', 'must not contain consecutive hyphens'],
  ['port names have a letter', (p) => (c0(p).ports[0].name = '8080'), 'spec.containers[0].ports[0].name', 'must contain at least one letter (a-z)'],
  ['port names at most 15 characters', (p) => (c0(p).ports[0].name = 'a'.repeat(16)), 'spec.containers[0].ports[0].name', 'must be no more than 15 characters'],
  ['port names unique in a container', (p) => c0(p).ports.push({ name: 'http', containerPort: 9090 }), 'spec.containers[0].ports[1].name', 'Duplicate value: "http"'],
  ['host ports unique in the pod', (p) => {
    c0(p).ports[0].hostPort = 80;
    p.spec.containers[1].ports = [{ containerPort: 81, hostPort: 80 }];
  }, 'spec.containers[1].ports[0].hostPort', 'Duplicate value: "80/TCP"'],
  ['hostNetwork: a hostPort is the containerPort', (p) => {
    p.spec.hostNetwork = true;
    c0(p).ports[0].hostPort = 80;
  }, 'spec.containers[0].ports[0].hostPort', 'must match `containerPort` when `hostNetwork` is true'],
  // mounts
  ['mount refers to a volume', (p) => (c0(p).volumeMounts[0].name = 'nope'), 'spec.containers[0].volumeMounts[0].name', 'Not found: "nope"'],
  ['mountPath required', (p) => delete c0(p).volumeMounts[0].mountPath, 'spec.containers[0].volumeMounts[0].mountPath', 'Required value'],
  ['mountPath absolute', (p) => (c0(p).volumeMounts[0].mountPath = 'data'), 'spec.containers[0].volumeMounts[0].mountPath', 'must be an absolute path'],
  ['mountPath unique in a container', (p) => c0(p).volumeMounts.push({ name: 'data', mountPath: '/data/' }), 'spec.containers[0].volumeMounts[1].mountPath', 'must be unique'],
  ['readOnly is a boolean', (p) => (c0(p).volumeMounts[0].readOnly = 'true'), 'spec.containers[0].volumeMounts[0].readOnly', 'must be a boolean'],
  // resources
  ['memory quantity syntax', (p) => (c0(p).resources.limits.memory = '12Q'), 'spec.containers[0].resources.limits[memory]',
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"],
  ['cpu quantity syntax', (p) => (c0(p).resources.requests.cpu = 'lots'), 'spec.containers[0].resources.requests[cpu]', 'quantities must match'],
  ['quantities are not objects', (p) => (c0(p).resources.limits.cpu = { n: 1 }), 'spec.containers[0].resources.limits[cpu]', 'must be a quantity (a string such as "128Mi" or a number)'],
  ['quantities >= 0', (p) => (c0(p).resources.requests.memory = '-1Mi'), 'spec.containers[0].resources.requests[memory]', 'must be greater than or equal to 0'],
  ['cpu request <= limit', (p) => (c0(p).resources.requests.cpu = '1.5'), 'spec.containers[0].resources.requests[cpu]', 'must be less than or equal to cpu limit of 1'],
  ['memory request <= limit', (p) => (c0(p).resources.requests.memory = '129Mi'), 'spec.containers[0].resources.requests[memory]', 'must be less than or equal to memory limit of 128Mi'],
  ['unknown resource names', (p) => (c0(p).resources.limits.gpu = '1'), 'spec.containers[0].resources.limits[gpu]', 'must be a standard resource type or fully qualified'],
  ['extended resources', (p) => (c0(p).resources.limits['vendor.com/gpu'] = 1), 'spec.containers[0].resources.limits[vendor.com/gpu]', 'not supported yet: extended resources'],
  ['huge pages', (p) => (c0(p).resources.limits['hugepages-2Mi'] = '2Mi'), 'spec.containers[0].resources.limits[hugepages-2Mi]', 'not supported yet: huge pages'],
  // sidecars
  ['restartPolicy on app containers', (p) => (c0(p).restartPolicy = 'Always'), 'spec.containers[0].restartPolicy', 'Forbidden: may not be set for non-init containers'],
  ['init restartPolicy only Always', (p) => (p.spec.initContainers[0].restartPolicy = 'Never'), 'spec.initContainers[0].restartPolicy', 'Unsupported value: "Never": supported values: "Always"'],
  // unknown and unsupported fields
  ['unknown container field', (p) => (c0(p).foo = 1), 'spec.containers[0].foo', 'unknown field "foo"'],
  ['unknown top-level field', (p) => (p.extra = {}), 'extra', 'unknown field "extra"'],
  ['unknown nested field', (p) => (c0(p).ports[0].port = 80), 'spec.containers[0].ports[0].port', 'unknown field "port"'],
  ['unknown field under an ignored one', (p) => (p.spec.tolerations = [{ key: 'k', colour: 'red' }]), 'spec.tolerations[0].colour', 'unknown field "colour"'],
  ['ignored fields are still type-checked', (p) => (p.spec.dnsPolicy = 'Sometimes'), 'spec.dnsPolicy', 'Unsupported value: "Sometimes": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"'],
  ['grpc probe without a port', (p) => (c0(p).livenessProbe = { grpc: { service: 'web' } }), 'spec.containers[0].livenessProbe.grpc.port', 'must be between 1 and 65535, inclusive'],
  ['grpc probe port 0', (p) => (c0(p).readinessProbe = { grpc: { port: 0 } }), 'spec.containers[0].readinessProbe.grpc.port', 'must be between 1 and 65535, inclusive'],
  ['grpc probe port out of range', (p) => (c0(p).startupProbe = { grpc: { port: 65536 } }), 'spec.containers[0].startupProbe.grpc.port', 'must be between 1 and 65535, inclusive'],
  ['grpc probe port by name', (p) => (c0(p).livenessProbe = { grpc: { port: 'grpc' } }), 'spec.containers[0].livenessProbe.grpc.port', 'must be a 32-bit integer'],
  ['grpc probe service is a string', (p) => (c0(p).livenessProbe = { grpc: { port: 50051, service: 1 } }), 'spec.containers[0].livenessProbe.grpc.service', 'must be a string'],
  ['grpc probe has no host', (p) => (c0(p).livenessProbe = { grpc: { port: 50051, host: 'example.com' } }), 'spec.containers[0].livenessProbe.grpc.host', 'unknown field "host"'],
  ['grpc lifecycle hook', (p) => (c0(p).lifecycle = { postStart: { grpc: { port: 50051 } } }), 'spec.containers[0].lifecycle.postStart.grpc', 'unknown field "grpc"'],
  ['httpGet probe port out of range', (p) => (c0(p).livenessProbe = { httpGet: { port: 70000 } }), 'spec.containers[0].livenessProbe.httpGet.port', 'must be between 1 and 65535, inclusive'],
  ['tcpSocket probe port name', (p) => (c0(p).readinessProbe = { tcpSocket: { port: 'Web_Port' } }), 'spec.containers[0].readinessProbe.tcpSocket.port', 'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'],
  ['httpGet probe header name', (p) => (c0(p).livenessProbe = { httpGet: { port: 80, httpHeaders: [{ name: 'X Bad', value: 'v' }] } }), 'spec.containers[0].livenessProbe.httpGet.httpHeaders[0].name', "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')"],
  ['httpGet probe over HTTPS', (p) => (c0(p).livenessProbe = { httpGet: { port: 80, scheme: 'HTTPS' } }), 'spec.containers[0].livenessProbe.httpGet.scheme', 'not supported yet: HTTPS is not implemented'],
  ['httpGet probe to another host', (p) => (c0(p).livenessProbe = { httpGet: { port: 80, host: 'example.com' } }), 'spec.containers[0].livenessProbe.httpGet.host', "not supported yet: probes and hooks reach the pod's own network only"],
  ['tcpSocket lifecycle hook', (p) => (c0(p).lifecycle = { preStop: { tcpSocket: { port: 80 } } }), 'spec.containers[0].lifecycle.preStop.tcpSocket', 'not supported yet: Kubernetes deprecated tcpSocket lifecycle handlers and its kubelet does not run them'],
  ['startup probe on an init container', (p) => (p.spec.initContainers[0].startupProbe = { exec: { command: ['x'] } }), 'spec.initContainers[0].startupProbe', 'Forbidden: may not be set for init containers without restartPolicy=Always'],
  ['liveness probe successThreshold', (p) => (c0(p).livenessProbe = { exec: { command: ['x'] }, successThreshold: 2 }), 'spec.containers[0].livenessProbe.successThreshold', 'must be 1'],
  ['probe without a handler', (p) => (c0(p).readinessProbe = { periodSeconds: 1 }), 'spec.containers[0].readinessProbe', 'Required value: must specify a handler type (one of exec, httpGet, tcpSocket, grpc)'],
  ['probe with two handlers', (p) => (c0(p).readinessProbe = { exec: { command: ['x'] }, grpc: { port: 1 } }), 'spec.containers[0].readinessProbe.grpc', 'Forbidden: may not specify more than 1 handler type'],
  ['probe period 0', (p) => (c0(p).readinessProbe = { exec: { command: ['x'] }, periodSeconds: 0 }), 'spec.containers[0].readinessProbe.periodSeconds', 'must be greater than or equal to 1'],
  ['exec hook without a command', (p) => (c0(p).lifecycle = { preStop: { exec: {} } }), 'spec.containers[0].lifecycle.preStop.exec.command', 'Required value'],
  ['lifecycle stopSignal', (p) => (c0(p).lifecycle = { stopSignal: 'SIGUSR1' }), 'spec.containers[0].lifecycle.stopSignal', 'not supported yet: WASI has no signals: see docs/lifecycle.md for how a guest is asked to stop'],
  ['env valueFrom fieldPath', (p) => (c0(p).env[0] = { name: 'X', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }), 'spec.containers[0].env[0].valueFrom.fieldRef.fieldPath', 'Unsupported value: "spec.nodeName"'],
  ['env value and valueFrom', (p) => (c0(p).env[0] = { name: 'X', value: 'v', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }), 'spec.containers[0].env[0].valueFrom', 'may not be specified when `value` is not empty'],
  ['env valueFrom resourceFieldRef', (p) => (c0(p).env[0] = { name: 'X', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } }), 'spec.containers[0].env[0].valueFrom.resourceFieldRef', 'not supported yet'],
  ['envFrom one source', (p) => (c0(p).envFrom = [{ configMapRef: { name: 'c' }, secretRef: { name: 's' } }]), 'spec.containers[0].envFrom[0]', 'must specify exactly one of configMapRef or secretRef'],
  ['subPath without ..', (p) => (c0(p).volumeMounts[0].subPath = 'a/../../x'), 'spec.containers[0].volumeMounts[0].subPath', "must not contain '..'"],
  ['subPath relative', (p) => (c0(p).volumeMounts[0].subPath = '/etc'), 'spec.containers[0].volumeMounts[0].subPath', 'must be a relative path'],
  ['subPathExpr', (p) => (c0(p).volumeMounts[0].subPathExpr = '$(X)'), 'spec.containers[0].volumeMounts[0].subPathExpr', 'not supported yet'],
  ['mountPropagation other than None', (p) => (c0(p).volumeMounts[0].mountPropagation = 'Bidirectional'), 'spec.containers[0].volumeMounts[0].mountPropagation', 'not supported yet'],
  ['emptyDir medium', (p) => p.spec.volumes.push({ name: 'scratch', emptyDir: { medium: 'HugePages' } }), 'spec.volumes[1].emptyDir.medium', 'Unsupported value: "HugePages"'],
  ['emptyDir sizeLimit >= 0', (p) => p.spec.volumes.push({ name: 'scratch', emptyDir: { sizeLimit: '-1Mi' } }), 'spec.volumes[1].emptyDir.sizeLimit', 'must be greater than or equal to 0'],
  ['configMap name required', (p) => p.spec.volumes.push({ name: 'cfg', configMap: {} }), 'spec.volumes[1].configMap.name', 'Required value'],
  ['configMap item path', (p) => p.spec.volumes.push({ name: 'cfg', configMap: { name: 'c', items: [{ key: 'k', path: '../x' }] } }), 'spec.volumes[1].configMap.items[0].path', "must not contain '..'"],
  ['secret defaultMode', (p) => p.spec.volumes.push({ name: 's', secret: { secretName: 's', defaultMode: 0o1777 } }), 'spec.volumes[1].secret.defaultMode', 'must be a number between 0 and 0777'],
  ['downwardAPI fieldRef', (p) => p.spec.volumes.push({ name: 'd', downwardAPI: { items: [{ path: 'n', fieldRef: { fieldPath: 'status.podIP' } }] } }), 'spec.volumes[1].downwardAPI.items[0].fieldRef.fieldPath', 'Unsupported value'],
  ['projected serviceAccountToken', (p) => p.spec.volumes.push({ name: 't', projected: { sources: [{ serviceAccountToken: { path: 't' } }] } }), 'spec.volumes[1].projected.sources[0].serviceAccountToken', 'not supported yet: there is no API server to issue tokens'],
  ['cloud volumes', (p) => p.spec.volumes.push({ name: 'disk', awsElasticBlockStore: { volumeID: 'x' } }), 'spec.volumes[1].awsElasticBlockStore', 'not supported yet: cloud and plugin storage'],
  ['hostPID: true', (p) => (p.spec.hostPID = true), 'spec.hostPID', 'not supported yet: containers of a pod never see host processes'],
  ['hostIPC: true', (p) => (p.spec.hostIPC = true), 'spec.hostIPC', 'not supported yet: pod IPC is private to the pod'],
  ['shareProcessNamespace: true', (p) => (p.spec.shareProcessNamespace = true), 'spec.shareProcessNamespace', "not supported yet: containers cannot see each other's processes"],
  ['runtimeClassName other than wasm and linux', (p) => (p.spec.runtimeClassName = 'kata'), 'spec.runtimeClassName', 'not supported yet: the runtime classes are wasm and linux'],
  ['ephemeralContainers', (p) => (p.spec.ephemeralContainers = [{ name: 'dbg', image: 'x.wasm' }]), 'spec.ephemeralContainers', 'not supported yet: ephemeral containers (kubectl debug) are not implemented'],
  ['spec.os', (p) => (p.spec.os = { name: 'linux' }), 'spec.os', 'not supported yet'],
  ['tty: true', (p) => (c0(p).tty = true), 'spec.containers[0].tty', 'not supported yet: no terminal is allocated'],
  ['resizePolicy', (p) => (c0(p).resizePolicy = [{ resourceName: 'cpu', restartPolicy: 'NotRequired' }]), 'spec.containers[0].resizePolicy', 'not supported yet: in-place resize'],
  ['pod runAsUser', (p) => (p.spec.securityContext = { runAsUser: 1000 }), 'spec.securityContext.runAsUser', 'not supported yet: wasm guests have no user or group identity'],
  ['container runAsGroup', (p) => (c0(p).securityContext = { runAsGroup: 1000 }), 'spec.containers[0].securityContext.runAsGroup', 'not supported yet: wasm guests have no user or group identity'],
  ['privileged: true', (p) => (c0(p).securityContext = { privileged: true }), 'spec.containers[0].securityContext.privileged', 'not supported yet: wasm guests are never privileged'],
  ['capabilities.add', (p) => (c0(p).securityContext = { capabilities: { add: ['NET_ADMIN'] } }), 'spec.containers[0].securityContext.capabilities.add', 'not supported yet: wasm guests have no capabilities to add'],
];

for (const [name, mutate, field, message] of rules) {
  t.test(name, async (t) => {
    const pod = validPod();
    mutate(pod);
    const errors = validatePod(pod);
    const match = errors.find((e) => e.field === field && e.message.startsWith(message));
    t.ok(match, `${field}: ${message}`, { found: errors });
  });
}

t.test('grpc probes of every kind pass, with and without a service', async (t) => {
  const pod = validPod();
  c0(pod).startupProbe = { grpc: { port: 50051 }, failureThreshold: 30 };
  c0(pod).livenessProbe = { grpc: { port: 50051, service: '' } };
  c0(pod).readinessProbe = { grpc: { port: 65535, service: 'grpc.health.v1.Health' }, successThreshold: 2 };
  t.same(validatePod(pod), []);
});

t.test('accepted values of unsupported fields and ignored fields pass', async (t) => {
  const pod = validPod();
  Object.assign(pod.spec, {
    hostNetwork: false, hostPID: false, hostIPC: false, shareProcessNamespace: false, nodeName: 'n1',
    nodeSelector: { disk: 'ssd' }, tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }],
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'a', operator: 'In', values: ['b'] }] }] } } },
    schedulerName: 'default-scheduler', priorityClassName: 'high', priority: 10, dnsPolicy: 'ClusterFirst',
    dnsConfig: { nameservers: ['1.1.1.1'] }, enableServiceLinks: false, serviceAccountName: 'sa',
    automountServiceAccountToken: false, imagePullSecrets: [{ name: 'reg' }], subdomain: 'svc', hostname: 'web-0',
    terminationGracePeriodSeconds: 0, activeDeadlineSeconds: 60, securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  });
  Object.assign(c0(pod), {
    tty: false, stdin: true, stdinOnce: true, imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File', workingDir: '/',
    securityContext: { privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
  });
  c0(pod).volumeMounts[0].mountPropagation = 'None';
  c0(pod).ports.push({ containerPort: 53, protocol: 'UDP', hostPort: 5353, hostIP: '127.0.0.1' });
  pod.spec.initContainers.push({ name: 'proxy', image: '/m/proxy.wasm', restartPolicy: 'Always' });
  pod.metadata.resourceVersion = '12';
  pod.status = { phase: 'Running' };
  t.same(validatePod(pod), []);
});

t.test('hostNetwork: true is accepted (guest sockets become host sockets), with hostPorts equal to their containerPorts', async (t) => {
  const pod = validPod();
  pod.spec.hostNetwork = true;
  c0(pod).ports[0].hostPort = c0(pod).ports[0].containerPort;
  t.same(validatePod(pod), []);
});

t.test('null fields count as absent', async (t) => {
  const pod = validPod();
  pod.spec.hostNetwork = null;
  c0(pod).livenessProbe = null;
  pod.metadata.labels = null;
  t.same(validatePod(pod), []);
});

t.test('every error of a document is reported, not only the first', async (t) => {
  const pod = validPod();
  pod.metadata.name = 'Bad_Name';
  c0(pod).ports[0].containerPort = 0;
  c0(pod).image = '';
  c0(pod).bogus = true;
  pod.spec.containers[1].livenessProbe = {};
  pod.spec.restartPolicy = 'Nope';
  const fields = validatePod(pod).map((e) => e.field);
  t.same(fields.sort(), [
    'metadata.name', 'spec.containers[0].bogus', 'spec.containers[0].image', 'spec.containers[0].ports[0].containerPort',
    'spec.containers[1].livenessProbe', 'spec.restartPolicy',
  ]);
});

t.test('errors are ordered by field path, indices numerically', async (t) => {
  const pod = validPod();
  for (let i = 0; i < 11; i++) pod.spec.containers.push({ name: `c${i}`, image: i === 10 || i === 1 ? '' : '/x.wasm' });
  t.same(validatePod(pod).map((e) => e.field), ['spec.containers[3].image', 'spec.containers[12].image']);
});

t.test('normalizePod throws one ManifestError listing every cause', async (t) => {
  const pod = validPod();
  c0(pod).ports[0].containerPort = 70000;
  c0(pod).tty = true;
  const err = t.throws(() => normalizePod(pod)) as ManifestError;
  t.type(err, ManifestError);
  t.equal(err.code, 'ERR_MANIFEST_INVALID');
  t.equal(err.message, [
    'invalid Pod "web"',
    '  spec.containers[0].ports[0].containerPort: must be between 1 and 65535, inclusive',
    '  spec.containers[0].tty: not supported yet: no terminal is allocated',
  ].join('\n'));
  t.same(err.causes.map((c) => c.field), ['spec.containers[0].ports[0].containerPort', 'spec.containers[0].tty']);
});

t.test('a pod that is not an object', async (t) => {
  t.same(validatePod([]), [{ field: '<root>', message: 'must be an object, not an array' }]);
});

t.test('workingDir other than / is refused: WASI preview1 has no working directory', async (t) => {
  const pod = validPod();
  c0(pod).workingDir = '/data';
  const errs = validatePod(pod);
  t.equal(errs.length, 1);
  t.equal(errs[0].field, 'spec.containers[0].workingDir');
  t.match(errs[0].message, /not supported yet: WASI preview1 has no working directory/);
});
