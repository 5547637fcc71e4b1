/**
 * Compensated (Kahan) summation for the kernels' accumulators.
 *
 * gpu.js's webasm and webgpu kernels accumulate in float32; the CPU backend (and gpu.js's cpu
 * mode) in JavaScript numbers, float64. A float32 sum of thousands of terms (a convolution's
 * weight gradient, a bias gradient) is then off by a few roundings per thousand terms; Kahan's
 * running correction keeps it within one rounding of the float64 sum (accumulate.test.ts), for
 * three more additions per term.
 */

/**
 * Rewrites a kernel body's accumulator: after `let acc = ...;` a correction `comp` is declared,
 * and each `acc += term;` line becomes Kahan's four steps.
 *
 * @example
 * compensated('let acc = 0;\nacc += x[i];\nreturn acc;');
 * // 'let acc = 0;\nlet comp = 0;\nconst yk = x[i] - comp;\nconst tk = acc + yk;\ncomp = (tk - acc) - yk;\nacc = tk;\nreturn acc;'
 */
export function compensated(body: string): string {
  return body
    .split('\n')
    .flatMap((line) => {
      if (/^let acc = .*;$/.test(line)) return [line, 'let comp = 0;'];
      const add = /^acc \+= (.*);$/.exec(line);
      if (add === null) return [line];
      return [`const yk = ${add[1]} - comp;`, 'const tk = acc + yk;', 'comp = (tk - acc) - yk;', 'acc = tk;'];
    })
    .join('\n');
}
