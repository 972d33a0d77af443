// Prints the failed assertions of a tap log (each "not ok" with its YAML block: diff, source, stack), so
// that when CI shows only the end of its output, the end says what failed and how.
// Usage: node scripts/ci-failures.mjs LOG
import * as fs from 'node:fs';

const lines = fs.readFileSync(process.argv[2], 'utf8').split('\n');
const out = [];
for (let i = 0; i < lines.length; i++) {
  const m = /^(\s*)not ok \d+ - /.exec(lines[i]);
  if (!m) continue;
  // A subtest's failure line comes after its children's: print only the failures that carry a diagnosis.
  const indent = m[1].length;
  const block = [lines[i]];
  let j = i + 1;
  if (lines[j]?.trim() === '---') {
    for (; j < lines.length; j++) {
      block.push(lines[j]);
      if (lines[j].trim() === '...' && lines[j].length - lines[j].trimStart().length === indent + 2) break;
    }
  }
  if (block.some((l) => /^\s*(diff|found|wanted|compare|errno|code|message|expired|signal):/.test(l) || /^\s*stack:/.test(l))) {
    out.push(block.slice(0, 80).join('\n'));
  }
}
if (out.length > 0) console.log(`=== ${out.length} failed assertion(s), in full\n${out.join('\n\n')}`);
