/**
 * The graph behind a tensor as Graphviz DOT text (render with `dot -Tsvg`), like micrograd's
 * `draw_dot`: a box per tensor, an ellipse per op, edges in the direction data flows.
 */
import { graphOf, ROLE_FILL, type GraphDrawOptions } from './graph.js';
import type { Tensor } from './tensor.js';

/** A DOT string literal's body: quotes and backslashes escaped, one `\n` per line break. */
function dotLines(lines: readonly string[]): string {
  return lines.map((l) => l.replace(/[\\"]/g, (c) => `\\${c}`)).join('\\n');
}

/**
 * DOT text for the graph that produced `t`, optionally with values and gradients, top to
 * bottom (`rankdir: 'LR'`: left to right).
 *
 * @example
 * const w = tensor([1, 2], { requiresGrad: true });
 * const loss = w.square().sum();
 * loss.backward();
 * console.log(toDot(loss, { values: true, grads: true, names: { w } })); // digraph { rankdir=TB; ... }
 */
export function toDot(t: Tensor, opts: GraphDrawOptions = {}): string {
  const { vertices, edges } = graphOf(t, opts);
  const lines = [
    'digraph {',
    `  rankdir=${opts.rankdir ?? 'TB'};`,
    '  node [fontname="monospace", fontsize=10, style=filled];',
  ];
  for (const v of vertices) {
    const shape = v.kind === 'op' ? 'ellipse' : 'box';
    lines.push(`  ${v.id} [shape=${shape}, fillcolor="${ROLE_FILL[v.role]}", label="${dotLines(v.lines)}"];`);
  }
  for (const [from, to] of edges) lines.push(`  ${from} -> ${to};`);
  lines.push('}');
  return lines.join('\n') + '\n';
}
