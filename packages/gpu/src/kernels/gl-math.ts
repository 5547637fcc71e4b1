/**
 * Elementwise math for the GL modes, where GLSL leaves to the driver what JavaScript and
 * WebAssembly define: `log`, `sqrt` and `pow` of negative numbers are undefined (SwiftShader's
 * `log(-1)` is a number, not NaN; its `pow(-1, 3)` is 1), and `sin`/`cos` may be coarse
 * approximations (SwiftShader's are off by up to 1e-4). These expressions spell out the IEEE
 * results the CPU backend gives, and compute sin and cos from a polynomial.
 *
 * GLSL has no NaN or Infinity literal (gpu.js writes `Infinity` as 3.4e38), so they are made at
 * run time: `(v - v) / (v - v)` is 0/0, NaN; `-1 / (v - v)` is -Infinity when v is finite.
 */
import type { BinaryOp, UnaryOp } from '@tsgrad/ndarray';
import type { KernelSpec } from '../runner.js';
import { at, operandParams } from '../layout.js';

// Cody-Waite split of pi/2 (the first part has 8 significant bits, so k * PIO2_1 is exact for |k| < 2^16).
const PIO2_1 = 1.5703125;
const PIO2_2 = 4.837512969970703125e-4;
const PIO2_3 = 7.54978995489188216e-8;

/**
 * sin (`phase` 0) or cos (`phase` 1) of `v`: reduce by k = round(2v/pi) to r in [-pi/4, pi/4],
 * then the Taylor polynomials of sin r and cos r (error below 1e-9 there), picked by quadrant
 * `(k + phase) mod 4`. Accurate to float32 rounding for |v| below about 1e5.
 */
function sinCos(phase: 0 | 1): string {
  return [
    `const k = Math.floor(v * ${2 / Math.PI} + 0.5);`,
    `const r = ((v - k * ${PIO2_1}) - k * ${PIO2_2}) - k * ${PIO2_3};`,
    'const r2 = r * r;',
    'const s = r + r * r2 * (-0.16666666666666666 + r2 * (0.008333333333333333 + r2 * (-0.0001984126984126984 + r2 * 0.0000027557319223985893)));',
    'const c = 1 + r2 * (-0.5 + r2 * (0.041666666666666664 + r2 * (-0.001388888888888889 + r2 * (0.0000248015873015873 - r2 * 2.755731922398589e-7))));',
    `const q = k + ${phase} - Math.floor((k + ${phase}) / 4) * 4;`,
    'let out = s;',
    'if (q == 1) {', 'out = c;', '}',
    'if (q == 2) {', 'out = -s;', '}',
    'if (q == 3) {', 'out = -c;', '}',
    // sin(±Infinity) is NaN: the reduction gives Infinity - Infinity there already
    'return out;',
  ].join('\n');
}

/**
 * The body computing `op(v)` (v is declared) for the GL modes, or null where GLSL's own
 * function gives the IEEE result.
 *
 * @example
 * glUnaryBody('log')?.startsWith('if (v < 0)'); // true: NaN below 0, -Infinity at 0
 * glUnaryBody('exp'); // null
 */
export function glUnaryBody(op: UnaryOp): string | null {
  switch (op) {
    case 'log':
      return 'if (v < 0) {\nreturn (v - v) / (v - v);\n}\nif (v == 0) {\nreturn -1 / (v - v);\n}\nreturn Math.log(v);';
    case 'sqrt':
      return 'if (v < 0) {\nreturn (v - v) / (v - v);\n}\nreturn Math.sqrt(v);';
    case 'sin':
      return sinCos(0);
    case 'cos':
      return sinCos(1);
    default:
      return null;
  }
}

/**
 * `a ** b` with JavaScript's results where GLSL's `pow(a, b)` (exp2(b * log2(a))) is undefined
 * or inexact: an integer exponent up to 127 in size is computed by repeated squaring (exact for
 * integer results below 2^24: GLSL's 5^5 is 3124.9998, 3124 once cast to int32), with the sign of
 * a negative base by the exponent's parity; a negative base with any other exponent gives NaN;
 * 0 ** b is 0 for b > 0 and Infinity for b < 0.
 */
const GL_POW = [
  'if (a != a || b != b) {', 'return a + b;', '}',
  'if (b == Math.floor(b) && Math.abs(b) < 128) {',
  'let m = 1;',
  'let base = Math.abs(a);',
  'let e = Math.abs(b);',
  'for (let i = 0; i < 7; i++) {',
  'if (e - Math.floor(e / 2) * 2 == 1) {', 'm = m * base;', '}',
  'base = base * base;',
  'e = Math.floor(e / 2);',
  '}',
  'if (b < 0) {', 'm = 1 / m;', '}',
  'if (a < 0 && Math.abs(b) - Math.floor(Math.abs(b) / 2) * 2 == 1) {', 'm = -m;', '}',
  'return m;',
  '}',
  'if (a > 0) {', 'return Math.pow(a, b);', '}',
  'if (a == 0) {', 'if (b > 0) {', 'return 0;', '}', 'return 1 / (a - a);', '}',
  'return (a - a) / (a - a);',
].join('\n');

/**
 * The GL-mode kernel of a unary op whose GLSL function is not IEEE's, or null (use `unaryKernel`).
 *
 * @example
 * glUnaryKernel('sin')?.key; // 'gl:unary:sin'
 * glUnaryKernel('exp'); // null
 */
export function glUnaryKernel(op: UnaryOp): KernelSpec | null {
  const body = glUnaryBody(op);
  if (body === null) return null;
  return { key: `gl:unary:${op}`, params: operandParams('x'), body: `const v = x[${at('x')}];\n${body}` };
}

/**
 * The GL-mode kernel of a binary op whose GLSL function is not IEEE's (pow), or null (use `binaryKernel`).
 *
 * @example
 * glBinaryKernel('pow')?.key; // 'gl:binary:pow'
 * glBinaryKernel('add'); // null
 */
export function glBinaryKernel(op: BinaryOp): KernelSpec | null {
  if (op !== 'pow') return null;
  return {
    key: 'gl:binary:pow',
    params: [...operandParams('x'), ...operandParams('y')],
    body: `const a = x[${at('x')}];\nconst b = y[${at('y')}];\n${GL_POW}`,
  };
}
