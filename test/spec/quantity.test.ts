// Kubernetes resource quantities: a table of valid and invalid inputs, bytes and millicores, exact comparison.
import t from 'tap';
import { Quantity, QuantityError, cpuMillis, memoryBytes, parseQuantity } from '../../dist/src/spec/index.js';

// [input, bytes (value rounded up), millis (thousandths rounded up)]
const valid: [string | number, number, number][] = [
  ['0', 0, 0],
  ['1', 1, 1000],
  ['500m', 1, 500],
  ['250m', 1, 250],
  ['0.5', 1, 500],
  ['.5', 1, 500],
  ['1.', 1, 1000],
  ['1.5', 2, 1500],
  ['0.1m', 1, 1],
  ['100u', 1, 1],
  ['5n', 1, 1],
  ['128974848', 128974848, 128974848000],
  ['129e6', 129000000, 129000000000],
  ['1e3', 1000, 1000000],
  ['1E3', 1000, 1000000],
  ['1e+3', 1000, 1000000],
  ['1e-3', 1, 1],
  ['1k', 1000, 1000000],
  ['1M', 1_000_000, 1_000_000_000],
  ['1G', 1_000_000_000, 1_000_000_000_000],
  ['1T', 1e12, 1e15],
  ['1P', 1e15, 1e18],
  ['1E', 1e18, 1e21],
  ['1Ki', 1024, 1024000],
  ['128Mi', 134217728, 134217728000],
  ['1.5Mi', 1572864, 1572864000],
  ['1Gi', 1073741824, 1073741824000],
  ['1Ti', 2 ** 40, 2 ** 40 * 1000],
  ['1Pi', 2 ** 50, 2 ** 50 * 1000],
  ['1Ei', 2 ** 60, 2 ** 60 * 1000],
  ['+2', 2, 2000],
  ['-1', -1, -1000],
  [2, 2, 2000],
  [0.25, 1, 250],
  [1e21, 1e21, 1e24],
];

for (const [input, bytes, millis] of valid) {
  t.test(`${JSON.stringify(input)} is ${bytes} bytes, ${millis} millis`, async (t) => {
    t.equal(memoryBytes(input), bytes);
    t.equal(cpuMillis(input), millis);
  });
}

const invalid = ['', ' 1', '1 ', 'abc', '1.2.3', '.', '1e', '1ki', '1KB', '1mi', 'Mi', '--1', '1e1.5', '1Gi1', '0x10', '1m1', 'NaN'];
for (const input of invalid) {
  t.test(`${JSON.stringify(input)} is not a quantity`, async (t) => {
    const err = t.throws(() => parseQuantity(input)) as QuantityError;
    t.type(err, QuantityError);
    t.equal(err.code, 'ERR_QUANTITY_INVALID');
    t.match(err.message, /^quantities must match the regular expression/);
  });
}

t.test('non-finite numbers and huge exponents are rejected', async (t) => {
  t.throws(() => parseQuantity(Infinity), QuantityError);
  t.throws(() => parseQuantity(NaN), QuantityError);
  t.throws(() => parseQuantity('1e400'), { message: 'quantity is out of range' });
});

t.test('comparison is exact across suffixes', async (t) => {
  const q = (s: string): Quantity => parseQuantity(s);
  t.equal(q('1Gi').compare(q('1073741824')), 0);
  t.equal(q('1G').compare(q('1Gi')), -1);
  t.equal(q('1000m').compare(q('1')), 0);
  t.equal(q('0.1').compare(q('100m')), 0);
  t.equal(q('1001m').compare(q('1')), 1);
  t.equal(q('-1').sign(), -1);
  t.equal(q('0Mi').sign(), 0);
  t.equal(q('128Mi').toString(), '128Mi');
});
