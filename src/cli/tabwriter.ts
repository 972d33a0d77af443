// Go's text/tabwriter as kubectl describe uses it (minwidth 0, padding 2, spaces): columns aligned per block of lines.

/**
 * Aligns `\t`-terminated cells the way Go's tabwriter does: a column's width is set by the consecutive lines that
 * have a cell in it (a line with fewer cells ends the block), plus `padding`; a line's last cell is never padded.
 */
export function tabwrite(text: string, padding = 2): string {
  const lines = text.split('\n').map((l) => l.split('\t'));
  const width = (s: string): number => [...s].length;
  const out: string[] = new Array(lines.length);
  const widths: number[] = [];
  const write = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      out[i] = lines[i]!.map((c, j) => (j < widths.length && j < lines[i]!.length - 1 ? c + ' '.repeat(Math.max(0, widths[j]! - width(c))) : c)).join('');
    }
  };
  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let i = line0; i < line1; i++) {
      if (column >= lines[i]!.length - 1) continue;
      write(line0, i);
      line0 = i;
      let w = 0;
      for (; i < line1 && column < lines[i]!.length - 1; i++) w = Math.max(w, width(lines[i]![column]!) + padding);
      widths.push(w);
      format(line0, i);
      widths.pop();
      line0 = i;
      i--;
    }
    write(line0, line1);
  };
  format(0, lines.length);
  return out.join('\n');
}
