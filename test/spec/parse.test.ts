// parseManifest: YAML and JSON, several documents, Lists, kinds, syntax errors, and Secrets kept out of messages.
import t from 'tap';
import { ManifestError, parseManifest } from '../../dist/src/spec/index.js';

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: app
      image: /m/app.wasm
`;

t.test('a multi-document manifest with a Pod, a ConfigMap and a Secret', async (t) => {
  const text = `# leading comment
${POD}---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: prod
  app.properties: |
    a=1
binaryData:
  blob: AAEC
---
# an empty document
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
type: kubernetes.io/basic-auth
data:
  username: YWRtaW4=
  password: b2xk
stringData:
  password: new-password
---
`;
  const m = parseManifest(text, { source: 'app.yaml' });
  t.equal(m.pods.length, 1);
  t.equal(m.pods[0]!.metadata.name, 'web');
  t.equal(m.pods[0]!.spec.containers[0]!.image, '/m/app.wasm');
  t.equal(m.configMaps.length, 1);
  t.same(m.configMaps[0]!.data, { mode: 'prod', 'app.properties': 'a=1\n' });
  t.same(m.configMaps[0]!.binaryData, { blob: 'AAEC' });
  t.equal(m.secrets.length, 1);
  const s = m.secrets[0]!;
  t.equal(s.type, 'kubernetes.io/basic-auth');
  t.equal(s.stringData, undefined, 'stringData is merged into data and dropped');
  t.equal(Buffer.from(s.data!['username']!, 'base64').toString(), 'admin');
  t.equal(Buffer.from(s.data!['password']!, 'base64').toString(), 'new-password', 'stringData wins over data');
  t.equal(s.metadata.namespace, 'default');
});

t.test('JSON input', async (t) => {
  const json = JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'json-pod' },
    spec: { containers: [{ name: 'a', image: '/a.wasm', ports: [{ containerPort: 80 }] }] },
  }, null, '\t');
  const m = parseManifest(json);
  t.equal(m.pods[0]!.metadata.name, 'json-pod');
  t.equal(m.pods[0]!.spec.containers[0]!.ports![0]!.protocol, 'TCP');
});

t.test('kind: List with items', async (t) => {
  const list = {
    apiVersion: 'v1', kind: 'List', metadata: {},
    items: [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: '/a.wasm' }] } },
    ],
  };
  const m = parseManifest(JSON.stringify(list));
  t.same(m.configMaps.map((c) => c.metadata.name), ['c']);
  t.same(m.pods.map((p) => p.metadata.name), ['p']);
});

t.test('errors in a List item carry its index in every path', async (t) => {
  const text = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: ok}
  - apiVersion: v1
    kind: Pod
    metadata: {name: p}
    spec:
      containers: [{name: a, image: /a.wasm, ports: [{containerPort: 0}]}]
`;
  const err = t.throws(() => parseManifest(text, { source: 'list.yaml' })) as ManifestError;
  t.equal(err.message, 'list.yaml (document 1): invalid Pod "p"\n  items[1].spec.containers[0].ports[0].containerPort: Required value');
  const nested = t.throws(() => parseManifest('apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: List, items: []}\n')) as ManifestError;
  t.equal(nested.message, 'document 1: items[0]: kind List is not supported (supported: Pod, ConfigMap, Secret)');
  t.same(nested.causes, [{ field: 'items[0].kind', message: 'Unsupported value: "List": supported values: "Pod", "ConfigMap", "Secret"' }]);
});

t.test('empty input and empty documents give an empty manifest', async (t) => {
  t.same(parseManifest(''), { pods: [], configMaps: [], secrets: [] });
  t.same(parseManifest('---\n# nothing\n---\n'), { pods: [], configMaps: [], secrets: [] });
  t.same(parseManifest('\uFEFF' + POD).pods.length, 1, 'a byte order mark is skipped');
});

t.test('an unsupported kind names the document and the kind', async (t) => {
  const text = `${POD}---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n`;
  const err = t.throws(() => parseManifest(text)) as ManifestError;
  t.equal(err.message, 'document 2: kind Deployment is not supported (supported: Pod, ConfigMap, Secret, List)');
  t.equal(err.document, 2);
  const withSource = t.throws(() => parseManifest(text, { source: 'app.yaml' })) as ManifestError;
  t.equal(withSource.message, 'app.yaml (document 2): kind Deployment is not supported (supported: Pod, ConfigMap, Secret, List)');
  t.equal(withSource.source, 'app.yaml');
});

t.test('kind is required; documents are objects', async (t) => {
  const err = t.throws(() => parseManifest('apiVersion: v1\nmetadata: {name: x}\n')) as ManifestError;
  t.equal(err.message, 'document 1: kind is missing (supported: Pod, ConfigMap, Secret, List)');
  t.same(err.causes, [{ field: 'kind', message: 'Required value' }]);
  const scalar = t.throws(() => parseManifest(`${POD}---\njust a string\n`)) as ManifestError;
  t.equal(scalar.message, 'document 2: must be an object (a Kubernetes resource), not string');
});

t.test('apiVersion must be v1 for Pod, ConfigMap and Secret', async (t) => {
  const err = t.throws(() => parseManifest(POD.replace('apiVersion: v1', 'apiVersion: v2'))) as ManifestError;
  t.same(err.causes, [{ field: 'apiVersion', message: 'Unsupported value: "v2": supported values: "v1"' }]);
  const cm = t.throws(() => parseManifest('kind: ConfigMap\nmetadata: {name: c}\n')) as ManifestError;
  t.same(cm.causes, [{ field: 'apiVersion', message: 'Required value' }]);
});

t.test('a YAML syntax error reports its line and column', async (t) => {
  const text = `${POD}---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: a: b\n`;
  const err = t.throws(() => parseManifest(text, { source: 'bad.yaml' })) as ManifestError;
  t.type(err, ManifestError);
  t.equal(err.code, 'ERR_MANIFEST_INVALID');
  t.equal(err.document, 2);
  t.equal(err.line, 13, 'the line within the file');
  t.equal(err.column, 9);
  t.equal(err.message, 'bad.yaml (document 2): YAML syntax error at line 13, column 9: Nested mappings are not allowed in compact mappings');
});

t.test('duplicate keys are an error, as strict decoding has them', async (t) => {
  const err = t.throws(() => parseManifest('apiVersion: v1\nkind: Pod\nkind: Pod\n')) as ManifestError;
  t.match(err.message, /YAML syntax error at line 3, column 1: Map keys must be unique/);
});

t.test('secret values never appear in error messages', async (t) => {
  const value = 'hunter2-TOP-SECRET';
  const b64 = Buffer.from(value).toString('base64');
  const cases: [string, string][] = [
    ['bad base64 in data', `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  password: "${value}!"\n`],
    ['a number in stringData', `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  pin: 12345678\n`],
    ['bad key next to a good value', `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  "bad key": ${b64}\n`],
    ['syntax error on the value line', `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  password: ${value}: x\n`],
    ['unterminated quoted value', `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  password: "${value}\n`],
    ['tls secret missing a key', `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/tls\nstringData:\n  tls.crt: ${value}\n`],
  ];
  for (const [name, text] of cases) {
    const err = t.throws(() => parseManifest(text, { source: 's.yaml' }), name) as ManifestError;
    t.type(err, ManifestError, name);
    const all = `${err.message}\n${JSON.stringify(err.causes)}`;
    t.notMatch(all, value, `${name}: the value is not shown`);
    t.notMatch(all, b64, `${name}: the encoded value is not shown`);
    t.notMatch(all, '12345678', `${name}: the number is not shown`);
  }
  const err = t.throws(() => parseManifest(cases[0]![1])) as ManifestError;
  t.same(err.causes, [{ field: 'data[password]', message: 'illegal base64 data at input byte 7' }]);
  const tls = t.throws(() => parseManifest(cases[5]![1])) as ManifestError;
  t.same(tls.causes, [{ field: 'data[tls.key]', message: 'Required value' }]);
  const key = t.throws(() => parseManifest(cases[2]![1])) as ManifestError;
  t.match(key.causes[0], { field: 'data[bad key]', message: /^a valid config key must consist of/ });
});

t.test('ConfigMap rules', async (t) => {
  const err = t.throws(() => parseManifest(`apiVersion: v1
kind: ConfigMap
metadata: {name: Bad_Name}
data: {a: "1", "..x": "2", n: 3}
binaryData: {a: AAEC, b: "not base64"}
`)) as ManifestError;
  t.same(err.causes.map((c) => c.field), ['binaryData[b]', 'data[..x]', 'data[a]', 'data[n]', 'metadata.name']);
  t.match(err.causes, [
    { message: 'illegal base64 data at input byte 3' },
    { message: "must not start with '..'" },
    { message: 'duplicate of key present in binaryData' },
    { message: 'must be a string' },
    { message: /^a lowercase RFC 1123 subdomain/ },
  ]);
});

t.test('the first invalid document stops parsing and is named', async (t) => {
  const bad = POD.replace('name: web', 'name: Web');
  const err = t.throws(() => parseManifest(`${POD}---\n${bad}`, { source: 'x.yaml' })) as ManifestError;
  t.equal(err.message, `x.yaml (document 2): invalid Pod "Web"\n  metadata.name: ${err.causes[0]!.message}`);
});
