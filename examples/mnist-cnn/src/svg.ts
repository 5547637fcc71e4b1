/**
 * Escapes the five characters that XML text and attributes cannot hold as they are.
 *
 * @example
 * escapeXml('a < b & "c"'); // 'a &lt; b &amp; &quot;c&quot;'
 */
export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

/**
 * Rounds a coordinate to two decimals, so the SVG text stays short and stable across runs.
 *
 * @example
 * num(12.3456); // '12.35'
 */
export function num(x: number): string {
  return String(Math.round(x * 100) / 100);
}

/**
 * A `<text>` element.
 *
 * @example
 * svgText(10, 20, 'conv1', { size: 12, anchor: 'middle' }); // '<text x="10" y="20" ...>conv1</text>'
 */
export function svgText(
  x: number,
  y: number,
  s: string,
  opts: { size?: number; anchor?: 'start' | 'middle' | 'end'; weight?: 'bold' | 'normal'; fill?: string; rotate?: number } = {},
): string {
  const { size = 12, anchor = 'start', weight = 'normal', fill = '#222', rotate } = opts;
  const transform = rotate === undefined ? '' : ` transform="rotate(${rotate} ${num(x)} ${num(y)})"`;
  return `<text x="${num(x)}" y="${num(y)}" font-size="${size}" text-anchor="${anchor}" font-weight="${weight}" fill="${fill}"${transform}>${escapeXml(s)}</text>`;
}

/**
 * Wraps SVG elements in a standalone document with a white background and a sans-serif font.
 *
 * @example
 * svgDocument(100, 50, ['<rect x="0" y="0" width="10" height="10"/>']);
 */
export function svgDocument(width: number, height: number, body: readonly string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${num(width)}" height="${num(height)}" viewBox="0 0 ${num(width)} ${num(height)}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect x="0" y="0" width="${num(width)}" height="${num(height)}" fill="#fff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
