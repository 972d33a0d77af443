// Prints a meta.k8s.io Table the way kubectl does: upper-case headers, columns three spaces apart.
export interface TableLike {
  columnDefinitions: { name: string; priority: number }[];
  rows: { cells: unknown[]; object?: { metadata?: { namespace?: string } } }[];
}

export interface PrintOptions {
  /** Show priority-1 columns too (`-o wide`). */
  wide?: boolean;
  /** Add a NAMESPACE column first (`-A`). */
  namespaces?: boolean;
  noHeaders?: boolean;
}

/** The table as text, or kubectl's "No resources found" line when it has no rows. */
export function printTable(t: TableLike, opts: PrintOptions, namespace?: string): string {
  if (t.rows.length === 0) return '';
  const cols = t.columnDefinitions.map((c, i) => ({ ...c, i })).filter((c) => c.priority === 0 || opts.wide);
  const rows = t.rows.map((r) => [
    ...(opts.namespaces ? [r.object?.metadata?.namespace ?? namespace ?? ''] : []),
    ...cols.map((c) => String(r.cells[c.i] ?? '')),
  ]);
  const header = [...(opts.namespaces ? ['NAMESPACE'] : []), ...cols.map((c) => c.name.toUpperCase())];
  const all = opts.noHeaders ? rows : [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('   ')).join('\n') + '\n';
}
