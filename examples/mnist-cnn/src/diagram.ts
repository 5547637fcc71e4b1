import { INPUT_SHAPE, type NetConfig } from './network.js';
import { summaryRows, type SummaryRow } from './summary.js';
import type { NDArray } from '@tsgrad/ndarray';
import { num, svgDocument, svgText } from './svg.js';

const COLORS: Record<string, string> = {
  input: '#eeeeee',
  conv: '#cfe2ff',
  relu: '#f3f3f3',
  pool: '#ffe5c2',
  flatten: '#f3f3f3',
  fc: '#d4f0d4',
};

function kind(name: string): string {
  return name.replace(/\d+$/, '');
}

/**
 * Draws the network as an SVG document (the study's Figure 1): a box per layer, top to bottom,
 * with what the layer computes, its output shape and its parameter count, and beside each box a
 * square whose side grows with the feature map's height, so the shrinking resolution is visible.
 *
 * @example
 * const svg = networkSvg(TABLE3, buildModel(TABLE3).stateDict());
 * writeFileSync('net.svg', svg);
 */
export function networkSvg(net: NetConfig, stateDict: Record<string, NDArray>, title = 'The study\'s CNN'): string {
  const input: SummaryRow = { name: 'input', description: 'MNIST image', outputShape: [...INPUT_SHAPE], params: 0 };
  const rows = [input, ...summaryRows(net, stateDict)];
  const boxW = 440;
  const boxH = 40;
  const gap = 22;
  const left = 20;
  const top = 44;
  const mapX = left + boxW + 30;
  const width = mapX + 90;
  const height = top + rows.length * (boxH + gap) - gap + 40;
  const body: string[] = [svgText(left, 26, title, { size: 16, weight: 'bold' })];
  body.push(
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
  );
  rows.forEach((r, i) => {
    const y = top + i * (boxH + gap);
    body.push(
      `<rect x="${left}" y="${num(y)}" width="${boxW}" height="${boxH}" rx="6" fill="${COLORS[kind(r.name)] ?? '#fff'}" stroke="#555"/>`,
    );
    body.push(svgText(left + 10, y + 17, `${r.name}: ${r.description}`, { size: 12, weight: 'bold' }));
    const params = r.params > 0 ? ` · ${r.params.toLocaleString('en-US')} parameters` : '';
    body.push(svgText(left + 10, y + 33, `output ${r.outputShape.join(' × ')}${params}`, { size: 11, fill: '#444' }));
    if (i > 0) {
      const y0 = y - gap + 2;
      body.push(`<line x1="${left + boxW / 2}" y1="${num(y0)}" x2="${left + boxW / 2}" y2="${num(y - 2)}" stroke="#555" marker-end="url(#arrow)"/>`);
    }
    // The feature map: a square of side proportional to its height (28 pixels -> 36 units).
    const [c = 1, h = 1] = r.outputShape;
    const side = r.outputShape.length === 3 ? Math.max(2, (h / 28) * 36) : 4;
    const stack = r.outputShape.length === 3 ? Math.min(c, 4) : 1;
    for (let k = stack - 1; k >= 0; k--) {
      const sx = mapX + k * 4;
      const sy = y + (boxH - side) / 2 - k * 4;
      body.push(`<rect x="${num(sx)}" y="${num(sy)}" width="${num(side)}" height="${num(side)}" fill="#fff" stroke="#888"/>`);
    }
  });
  const total = rows.reduce((s, r) => s + r.params, 0);
  body.push(svgText(left, height - 14, `Total parameters: ${total.toLocaleString('en-US')}`, { size: 12 }));
  return svgDocument(width, height, body);
}
