/**
 * Elementwise kernels: one thread per output element, each operand read through its own
 * offset and strides (see `layout.ts`), so strided and broadcast views need no copy.
 */
import type { BinaryOp, UnaryOp } from '@tsgrad/ndarray';
import type { KernelSpec } from '../runner.js';
import { at, operandParams } from '../layout.js';

/** `op(v)` in gpu.js's dialect, with PyTorch's NaN and signed-zero behaviour where the CPU backend has it. */
export function unaryExpression(op: UnaryOp): string {
  switch (op) {
    case 'neg': return '-v';
    case 'exp': return 'Math.exp(v)';
    case 'log': return 'Math.log(v)';
    case 'sqrt': return 'Math.sqrt(v)';
    case 'abs': return 'Math.abs(v)';
    // relu keeps NaN (NaN < 0 is false) and -0, as PyTorch
    case 'relu': return 'v < 0 ? 0 : v';
    case 'tanh': return 'Math.tanh(v)';
    // 1/(1+e^-v) overflows e^-v for large negative v; e^v/(1+e^v) there
    case 'sigmoid': return 'v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v))';
    // NaN stays NaN, -0 gives 0
    case 'sign': return 'v != v ? v : (v > 0 ? 1 : (v < 0 ? -1 : 0))';
    case 'square': return 'v * v';
    case 'reciprocal': return '1 / v';
    case 'sin': return 'Math.sin(v)';
    case 'cos': return 'Math.cos(v)';
  }
}

/** `op(a, b)`; comparisons give 1 or 0; maximum/minimum propagate NaN. */
export function binaryExpression(op: BinaryOp): string {
  switch (op) {
    case 'add': return 'a + b';
    case 'sub': return 'a - b';
    case 'mul': return 'a * b';
    case 'div': return 'a / b';
    case 'pow': return 'Math.pow(a, b)';
    case 'maximum': return 'a != a || b != b ? a + b : Math.max(a, b)';
    case 'minimum': return 'a != a || b != b ? a + b : Math.min(a, b)';
    case 'gt': return 'a > b ? 1 : 0';
    case 'ge': return 'a >= b ? 1 : 0';
    case 'lt': return 'a < b ? 1 : 0';
    case 'le': return 'a <= b ? 1 : 0';
    case 'eq': return 'a == b ? 1 : 0';
    case 'ne': return 'a != b ? 1 : 0';
  }
}

/**
 * How a value is stored in a dtype: ints truncate toward zero (NaN gives 0, as a typed array store),
 * uint8 then wraps modulo 256, bools are `v != 0`.
 */
export type Cast = 'none' | 'int' | 'uint8' | 'bool';

/** The cast of `v`, as the CPU backend's typed-array stores do it. */
function cast(c: Cast): string {
  switch (c) {
    case 'none': return 'v';
    case 'int': return 'v != v ? 0 : (v < 0 ? Math.ceil(v) : Math.floor(v))';
    case 'uint8': return 'v != v ? 0 : (v < 0 ? Math.ceil(v) : Math.floor(v)) - Math.floor((v < 0 ? Math.ceil(v) : Math.floor(v)) / 256) * 256';
    case 'bool': return 'v != 0 ? 1 : 0';
  }
}

/**
 * `out = op(x)` over a strided view; `identity` is a copy, stored with `c` (see {@link Cast}).
 *
 * @example
 * unaryKernel('exp').key; // 'unary:exp'
 * unaryKernel('identity', 'int').key; // 'unary:identity:int'
 */
export function unaryKernel(op: UnaryOp | 'identity', c: Cast = 'none'): KernelSpec {
  const expr = op === 'identity' ? cast(c) : unaryExpression(op);
  return { key: c === 'none' ? `unary:${op}` : `unary:${op}:${c}`, params: operandParams('x'), body: `const v = x[${at('x')}];\nreturn ${expr};` };
}

/**
 * `out = op(a, b)` over two strided (possibly broadcast) views.
 *
 * @example
 * binaryKernel('add').key; // 'binary:add'
 */
export function binaryKernel(op: BinaryOp): KernelSpec {
  return {
    key: `binary:${op}`,
    params: [...operandParams('x'), ...operandParams('y')],
    body: `const a = x[${at('x')}];\nconst b = y[${at('y')}];\nreturn ${binaryExpression(op)};`,
  };
}

/**
 * `out = c != 0 ? a : b` over three strided views, stored with `cast`.
 *
 * @example
 * whereKernel().key; // 'where'
 */
export function whereKernel(c: Cast = 'none'): KernelSpec {
  return {
    key: c === 'none' ? 'where' : `where:${c}`,
    params: [...operandParams('c'), ...operandParams('x'), ...operandParams('y')],
    body: `let v = y[${at('y')}];\nif (c[${at('c')}] != 0) {\nv = x[${at('x')}];\n}\nreturn ${cast(c)};`,
  };
}
