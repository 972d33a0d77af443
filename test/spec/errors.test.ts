// ManifestError's message format and the stable codes of the spec layer's errors.
import t from 'tap';
import { ManifestError, QuantityError } from '../../dist/src/spec/index.js';

t.test('ManifestError message: a title line, then one line per cause', async (t) => {
  const causes = [{ field: 'spec.containers[0].image', message: 'Required value' }, { field: 'metadata.name', message: 'x' }];
  const cases: [ConstructorParameters<typeof ManifestError>[0], string][] = [
    [{ title: 'invalid Pod "web"', causes, source: 'pod.yaml', document: 2 },
      'pod.yaml (document 2): invalid Pod "web"\n  spec.containers[0].image: Required value\n  metadata.name: x'],
    [{ title: 'invalid Pod "web"', causes, document: 1 }, 'document 1: invalid Pod "web"\n  spec.containers[0].image: Required value\n  metadata.name: x'],
    [{ title: 'invalid Pod "web"', causes, source: 'api' }, 'api: invalid Pod "web"\n  spec.containers[0].image: Required value\n  metadata.name: x'],
    [{ title: 'invalid Pod "web"', causes: [] }, 'invalid Pod "web"'],
    [{ title: 'kind X is not supported', causes, document: 3, titleOnly: true }, 'document 3: kind X is not supported'],
  ];
  for (const [init, message] of cases) {
    const err = new ManifestError(init);
    t.equal(err.message, message);
    t.equal(err.code, 'ERR_MANIFEST_INVALID');
    t.equal(err.name, 'ManifestError');
    t.same(err.causes, init.causes);
    t.equal(err.source, init.source);
    t.equal(err.document, init.document);
    t.ok(err instanceof Error);
  }
});

t.test('error classes have stable codes', async (t) => {
  const table: [Error & { code: string }, string][] = [
    [new ManifestError({ title: 'x', causes: [] }), 'ERR_MANIFEST_INVALID'],
    [new QuantityError('x'), 'ERR_QUANTITY_INVALID'],
  ];
  for (const [err, code] of table) t.equal(err.code, code, err.name);
});
