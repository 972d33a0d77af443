// 422 Invalid errors worded as the real API server words them, and the defaults it fills in on create and update.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { pullPolicyFor } from '../../dist/src/server/pod-defaults.js';
import { NO_KUBECTL, TOOL, startServer, until } from '../helpers/server.js';

const PODS = '/api/v1/namespaces/default/pods';
const RFC1123 = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and "
  + "end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const CONFIG_KEY = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  "
  + "or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

/** The defaults a real API server (with its default admission plugins) gives a pod of one bare container. */
const DEFAULTED_SPEC = {
  containers: [{
    name: 'c', image: TOOL, args: ['sleep'], imagePullPolicy: 'IfNotPresent', resources: {},
    terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
  }],
  dnsPolicy: 'ClusterFirst', enableServiceLinks: true, preemptionPolicy: 'PreemptLowerPriority', priority: 0,
  restartPolicy: 'Always', schedulerName: 'default-scheduler', securityContext: {}, terminationGracePeriodSeconds: 30,
  tolerations: [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ],
};

t.test('imagePullPolicy defaults by image form, as the runtime pulls', async (t) => {
  t.equal(pullPolicyFor('./app.wasm', '/srv'), 'IfNotPresent', 'a local path is read where it is');
  t.equal(pullPolicyFor('/abs/app.wasm', '/srv'), 'IfNotPresent');
  t.equal(pullPolicyFor('file:///abs/app.wasm', '/srv'), 'IfNotPresent');
  t.equal(pullPolicyFor('https://example.com/app.wasm', '/srv'), 'Always', 'an unpinned URL is like :latest');
  t.equal(pullPolicyFor(`https://example.com/app.wasm@sha256:${'a'.repeat(64)}`, '/srv'), 'IfNotPresent');
  t.equal(pullPolicyFor('ghcr.io/org/app:1.0', '/srv'), 'IfNotPresent');
  t.equal(pullPolicyFor('ghcr.io/org/app', '/srv'), 'Always', 'no tag is latest');
  t.equal(pullPolicyFor('ghcr.io/org/app:latest', '/srv'), 'Always');
  t.equal(pullPolicyFor(`ghcr.io/org/app@sha256:${'b'.repeat(64)}`, '/srv'), 'IfNotPresent');
  t.equal(pullPolicyFor('Not A Reference', '/srv'), 'IfNotPresent');
});

t.test('validation errors and defaults', async (t) => {
  const s = await startServer();
  t.teardown(() => s.close());
  const dir = t.testdir({});
  const file = (name: string, obj: unknown): string => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, YAML.stringify(obj));
    return p;
  };

  t.test('a 422 names every error in the API server\'s words, with reasons and fields', async (t) => {
    const r = await s.request('POST', PODS, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'Bad_Name' },
      spec: { restartPolicy: 'Sometimes', containers: [{ name: 'c' }, { name: 'c', image: TOOL, ports: [{ containerPort: 70000 }] }] },
    });
    t.equal(r.status, 422);
    const causes = [
      { reason: 'FieldValueInvalid', message: `Invalid value: "Bad_Name": ${RFC1123}`, field: 'metadata.name' },
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' },
      { reason: 'FieldValueDuplicate', message: 'Duplicate value: "c"', field: 'spec.containers[1].name' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: 70000: must be between 1 and 65535, inclusive', field: 'spec.containers[1].ports[0].containerPort' },
      { reason: 'FieldValueNotSupported', message: 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"', field: 'spec.restartPolicy' },
    ];
    t.same(r.body, {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: `Pod "Bad_Name" is invalid: [${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}]`,
      reason: 'Invalid', details: { name: 'Bad_Name', kind: 'Pod', causes }, code: 422,
    });
  });

  t.test('labels are reported at the labels field, keys and values by their value', async (t) => {
    const r = await s.request('POST', PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'l', labels: { ok: 'bad value' } },
      spec: { containers: [{ name: 'c', image: TOOL }] } });
    t.same(r.body.details.causes, [{ reason: 'FieldValueInvalid', field: 'metadata.labels',
      message: 'Invalid value: "bad value": a valid label must be an empty string or consist of alphanumeric characters, \'-\', \'_\' or \'.\', '
        + "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')" }]);
  });

  t.test('a Secret\'s errors name its keys, never its values', async (t) => {
    const r = await s.request('POST', '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec' },
      data: { good: 'not base64 hunter2!' } });
    t.equal(r.status, 422);
    t.same(r.body.details.causes, [{ reason: 'FieldValueInvalid', field: 'data[good]', message: 'Invalid value: "good": illegal base64 data at input byte 3' }]);
    t.notMatch(r.text, /hunter2/);
  });

  t.test('kubectl prints them as against a cluster', { skip: NO_KUBECTL }, async (t) => {
    const one = await s.kubectl(['create', '-f', file('one.yaml', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { containers: [{ name: 'c' }] } })]);
    t.equal(one.code, 1);
    t.equal(one.stderr, 'The Pod "x" is invalid: spec.containers[0].image: Required value\n');
    const two = await s.kubectl(['apply', '-f', file('two.yaml', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'why' },
      spec: { restartPolicy: 'Sometimes', containers: [{ name: 'c' }] } })]);
    t.equal(two.code, 1);
    t.equal(two.stderr, [
      'The Pod "why" is invalid: ',
      '* spec.containers[0].image: Required value',
      '* spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"', '',
    ].join('\n'));
    const cm = await s.kubectl(['apply', '-f', file('cm.yaml', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { 'bad key': 'v' } })]);
    t.equal(cm.stderr, `The ConfigMap "cm" is invalid: data[bad key]: Invalid value: "bad key": ${CONFIG_KEY}\n`);
    const ns = await s.kubectl(['apply', '-f', file('ns.yaml', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'Bad' } })]);
    t.match(ns.stderr, /^The Namespace "Bad" is invalid: metadata\.name: Invalid value: "Bad": a lowercase RFC 1123 label must consist of /);
  });

  t.test('unknown fields follow fieldValidation: Strict refuses (400), Warn drops with a warning, Ignore drops', async (t) => {
    const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, colour: 'red' },
      spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: TOOL, args: ['sleep'], foo: 1 }] } });
    const strict = await s.request('POST', `${PODS}?fieldValidation=Strict`, pod('strict'));
    t.same(strict.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'BadRequest', code: 400,
      message: 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "metadata.colour", unknown field "spec.containers[0].foo"' });
    t.equal((await s.request('GET', `${PODS}/strict`)).status, 404, 'nothing was made');
    const warn = await s.request('POST', PODS, pod('warned'));
    t.equal(warn.status, 201, warn.text);
    t.equal(warn.headers.warning, '299 - "unknown field \\"metadata.colour\\"", 299 - "unknown field \\"spec.containers[0].foo\\""', 'Warn is the default');
    t.notOk('colour' in warn.body.metadata);
    t.notOk('foo' in warn.body.spec.containers[0], 'the field is dropped from what is stored');
    const ignore = await s.request('POST', `${PODS}?fieldValidation=Ignore`, pod('ignored'));
    t.same([ignore.status, ignore.headers.warning], [201, undefined]);
    // Unknown fields are a decoding matter: the rest of the body is still validated, and its errors are a 422.
    const both = await s.request('POST', PODS, { ...pod('both'), spec: { containers: [{ name: 'c', foo: 1 }] } });
    t.equal(both.status, 422);
    t.same(both.body.details.causes, [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' }]);
    const bad = await s.request('POST', `${PODS}?fieldValidation=Loose`, pod('bad'));
    t.equal(bad.status, 422);
    t.equal(bad.body.message, 'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "Loose": supported values: "Ignore", "Warn", "Strict"');
    const cm = await s.request('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'nope' }, extra: true });
    t.equal(cm.body.message, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "extra"');
  });

  t.test('kubectl validates strictly by default, and warns or ignores when told to', { skip: NO_KUBECTL }, async (t) => {
    const f = file('unknown.yaml', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'unk' },
      spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: TOOL, args: ['sleep'], foo: 1 }] } });
    const strict = await s.kubectl(['apply', '-f', f]);
    t.equal(strict.code, 1);
    t.equal(strict.stderr, `Error from server (BadRequest): error when creating "${f}": Pod in version "v1" cannot be handled as a Pod: `
      + 'strict decoding error: unknown field "spec.containers[0].foo"\n');
    const warn = await s.kubectl(['create', '--validate=warn', '-f', f]);
    t.same([warn.code, warn.stdout, warn.stderr], [0, 'pod/unk created\n', 'Warning: unknown field "spec.containers[0].foo"\n']);
    t.equal((await s.kubectl(['delete', 'pod', 'unk', '--grace-period=0'])).code, 0);
    const ignore = await s.kubectl(['create', '--validate=false', '-f', f]);
    t.same([ignore.code, ignore.stdout, ignore.stderr], [0, 'pod/unk created\n', '']);
  });

  t.test('a pod gets the API server\'s defaults on create, and they stay on update', async (t) => {
    const created = await s.request('POST', PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'plain' },
      spec: { containers: [{ name: 'c', image: TOOL, args: ['sleep'] }] } });
    t.equal(created.status, 201, created.text);
    const { nodeName, ...spec } = created.body.spec;
    t.type(nodeName, 'string');
    t.same(spec, DEFAULTED_SPEC);
    // A PUT of the object as first written keeps the defaults: it is no change at all. (Once the pod is Ready, so
    // that no status change comes between the GET and the PUT: a PUT of an older resourceVersion is a 409.)
    const cur = await until('the pod to be Ready', async () => {
      const o = (await s.request('GET', `${PODS}/plain`)).body;
      return o.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True') ? o : undefined;
    });
    const put = await s.request('PUT', `${PODS}/plain`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'plain', resourceVersion: cur.metadata.resourceVersion },
      spec: { nodeName, containers: [{ name: 'c', image: TOOL, args: ['sleep'] }] } });
    t.equal(put.status, 200, put.text);
    t.equal(put.body.metadata.resourceVersion, cur.metadata.resourceVersion);
    t.same(put.body.spec, created.body.spec);
  });

  t.test('probes, handlers, ports, volumes and env get theirs; what is set stays', async (t) => {
    const r = await s.request('POST', PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'rich' }, spec: {
      restartPolicy: 'Never', terminationGracePeriodSeconds: 0, dnsPolicy: 'Default',
      tolerations: [{ operator: 'Exists' }],
      volumes: [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'cfg', optional: true } }, { name: 'sec', secret: { secretName: 's', optional: true, defaultMode: 256 } },
        { name: 'host', hostPath: { path: '/tmp' } }, { name: 'down', downwardAPI: { items: [{ path: 'n', fieldRef: { fieldPath: 'metadata.name' } }] } }],
      containers: [{
        name: 'c', image: TOOL, imagePullPolicy: 'Never', ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }],
        livenessProbe: { tcpSocket: { port: 80 }, periodSeconds: 5 }, readinessProbe: { httpGet: { port: 80, path: '/ready' } },
        env: [{ name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
      }],
    } });
    t.equal(r.status, 201, r.text);
    const spec = r.body.spec;
    t.match(spec, { restartPolicy: 'Never', terminationGracePeriodSeconds: 0, dnsPolicy: 'Default', tolerations: [{ operator: 'Exists' }] });
    t.equal(spec.tolerations.length, 1, 'a toleration of every taint already covers the node ones');
    t.same(spec.volumes, [
      { name: 'scratch', emptyDir: {} },
      { name: 'cfg', configMap: { name: 'cfg', optional: true, defaultMode: 420 } },
      { name: 'sec', secret: { secretName: 's', optional: true, defaultMode: 256 } },
      { name: 'host', hostPath: { path: '/tmp', type: '' } },
      { name: 'down', downwardAPI: { items: [{ path: 'n', fieldRef: { fieldPath: 'metadata.name', apiVersion: 'v1' } }], defaultMode: 420 } },
    ]);
    const c = spec.containers[0];
    t.equal(c.imagePullPolicy, 'Never');
    t.same(c.ports, [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 53, protocol: 'UDP' }]);
    t.same(c.livenessProbe, { tcpSocket: { port: 80 }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 });
    t.same(c.readinessProbe, { httpGet: { port: 80, path: '/ready', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    t.same(c.env, [{ name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name', apiVersion: 'v1' } } }]);
  });

  t.test('a Secret is Opaque unless typed', async (t) => {
    const r = await s.request('POST', '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'plain' }, stringData: { a: 'b' } });
    t.same([r.status, r.body.type, r.body.data], [201, 'Opaque', { a: 'Yg==' }]);
  });

  t.test('a change to a running pod\'s spec is Forbidden, in the API server\'s words', { skip: NO_KUBECTL }, async (t) => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'fixed' }, spec: { containers: [{ name: 'c', image: TOOL, args: ['sleep'] }] } };
    const p = file('fixed.yaml', pod);
    t.equal((await s.kubectl(['apply', '-f', p])).stdout, 'pod/fixed created\n');
    t.equal((await s.kubectl(['apply', '-f', p])).stdout, 'pod/fixed unchanged\n', 'the defaults are no change');
    const changed = await s.kubectl(['apply', '-f', file('fixed.yaml', { ...pod, spec: { containers: [{ name: 'c', image: TOOL, args: ['sleep', 'more'] }] } })]);
    t.equal(changed.code, 1);
    t.equal(changed.stderr, 'The Pod "fixed" is invalid: spec: Forbidden: pod updates may not change fields other than `metadata.labels`,`metadata.annotations` '
      + '(wasmpod runs a pod as it was created)\n  changed: `spec.containers[0].args[1]`\n');
    const get = YAML.parse((await s.kubectl(['get', 'pod', 'fixed', '-o', 'yaml'])).stdout);
    t.match(get.spec, { dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', containers: [{ terminationMessagePolicy: 'File', resources: {} }] });
  });
});
