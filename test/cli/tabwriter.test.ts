// Go's text/tabwriter semantics, which `wasmpod describe` relies on to print what kubectl describe prints.
import t from 'tap';
import { tabwrite } from '../../dist/src/cli/tabwriter.js';

t.test('columns are aligned per block of consecutive lines, as Go\'s tabwriter does', async (t) => {
  // A line without a tab ends the block: the two blocks get their own widths.
  t.equal(tabwrite('Name:\tweb\nAnnotations:\tx\nContainers:\n  c:\n    Image:\ta\n    Restart Count:\t0\n'),
    'Name:         web\nAnnotations:  x\nContainers:\n  c:\n    Image:          a\n    Restart Count:  0\n');
  // Nested columns: the second column's width is set only by lines that have a second cell; a last cell is never padded.
  t.equal(tabwrite('  Type\tReason\tMessage\n  Normal\tStarted\tok\n  Warning\tBackOff\tlong message\nEvents:\t<none>\n'),
    '  Type     Reason   Message\n  Normal   Started  ok\n  Warning  BackOff  long message\nEvents:    <none>\n');
  t.equal(tabwrite('  Type\tStatus\n  Ready \tTrue \n'), '  Type    Status\n  Ready   True \n', 'trailing spaces are kept, as kubectl writes Conditions');
  t.equal(tabwrite('a\tb\t\n'), 'a  b  \n', 'a tab-terminated cell is padded even before an empty last cell');
});
