/**
 * The graph behind a tensor as Graphviz DOT text (render with `dot -Tsvg`), like micrograd's
 * `draw_dot`: a box per tensor, an ellipse per op, edges in the direction data flows.
 */
import { graphOf, type GraphLabelOptions } from './graph.js';
import type { Tensor } from './tensor.js';

function escapeRecord(s: string): string {
  return s.replace(/[\\{}|<>"]/g, (c) => `\\${c}`);
}

/**
 * DOT text for the graph that produced `t`, optionally with values and gradients.
 *
 * @example
 * const w = tensor([1, 2], { requiresGrad: true });
 * w.name = 'w';
 * const loss = w.square().sum();
 * loss.backward();
 * console.log(toDot(loss, { values: true, grads: true })); // digraph { rankdir=LR; ... }
 */
export function toDot(t: Tensor, opts: GraphLabelOptions = {}): string {
  const { vertices, edges } = graphOf(t, opts);
  const fill = { parameter: '#dbeafe', constant: '#f3f4f6', result: '#ffffff', op: '#fef3c7' };
  const lines = ['digraph {', '  rankdir=LR;', '  node [fontname="monospace", fontsize=10, style=filled];'];
  for (const v of vertices) {
    const shape = v.kind === 'op' ? 'ellipse' : 'record';
    const label = v.kind === 'op' ? escapeRecord(v.lines[0]) : `{${v.lines.map(escapeRecord).join(' | ')}}`;
    lines.push(`  ${v.id} [shape=${shape}, fillcolor="${fill[v.role]}", label="${label}"];`);
  }
  for (const [from, to] of edges) lines.push(`  ${from} -> ${to};`);
  lines.push('}');
  return lines.join('\n') + '\n';
}
