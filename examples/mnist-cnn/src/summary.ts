import type { NDArray } from '@tsgrad/ndarray';
import { layerShapes, type LayerInfo, type NetConfig } from './network.js';

/** A layer of the summary: its name, description, output shape and parameter count. */
export interface SummaryRow extends LayerInfo {
  params: number;
}

/**
 * Pairs each layer of the network with its parameter count, read from the model's state dict
 * (keys `"<index>.<name>"`, as `Sequential` numbers its children).
 *
 * @example
 * const rows = summaryRows(TABLE3, buildModel(TABLE3).stateDict());
 * rows[0]; // { name: 'conv1', outputShape: [32, 26, 26], params: 832, ... }
 */
export function summaryRows(net: NetConfig, stateDict: Record<string, NDArray>): SummaryRow[] {
  const counts = new Map<number, number>();
  for (const [key, value] of Object.entries(stateDict)) {
    const index = Number(key.split('.')[0]);
    counts.set(index, (counts.get(index) ?? 0) + value.size);
  }
  return layerShapes(net).map((layer, i) => ({ ...layer, params: counts.get(i) ?? 0 }));
}

/**
 * The model summary printed before training: one line per layer with its output shape (batch
 * dimension left out) and parameter count, then the total.
 *
 * @example
 * console.log(formatSummary(summaryRows(TABLE1, buildModel(TABLE1).stateDict())));
 */
export function formatSummary(rows: readonly SummaryRow[]): string {
  const header = ['Layer', 'Output shape', 'Param #'];
  const cells = rows.map((r) => [`${r.name}: ${r.description}`, `[${r.outputShape.join(', ')}]`, r.params.toLocaleString('en-US')]);
  const widths = header.map((h, j) => Math.max(h.length, ...cells.map((c) => (c[j] ?? '').length)));
  const line = (c: readonly string[]): string =>
    `${(c[0] ?? '').padEnd(widths[0] ?? 0)}  ${(c[1] ?? '').padEnd(widths[1] ?? 0)}  ${(c[2] ?? '').padStart(widths[2] ?? 0)}`;
  const rule = '-'.repeat(line(header).length);
  const total = rows.reduce((s, r) => s + r.params, 0);
  return [line(header), rule, ...cells.map(line), rule, `Total params: ${total.toLocaleString('en-US')}`].join('\n');
}
