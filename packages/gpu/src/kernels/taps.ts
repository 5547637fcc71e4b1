/**
 * The gather-style loop shared by the convolution and pooling gradients.
 */

/**
 * The taps of one axis that read input coordinate `h` (thread axis `t`): tap i reads
 * `oh*S - P + i*D = h`, so `oh = (h + P - i*D) / S` when that divides. Without dilation the
 * valid taps are every S-th one from `(h + P) % S`: the loop visits only those (KHS of them),
 * instead of testing all KH, which on webasm's SIMD lanes would all be computed anyway.
 * `inner` runs with `i`/`oh` (axis y) or `j`/`ow` (axis x) set.
 *
 * @example
 * taps('y', 'KH', 'SH', 'PH', 'DH', 'OH', 'KHS', false, ['acc += 1;']).length; // 8 lines
 */
export function taps(t: 'y' | 'x', K: string, S: string, P: string, D: string, OUT: string, KS: string, dilated: boolean, inner: string[]): string[] {
  const [i, o] = t === 'y' ? ['i', 'oh'] : ['j', 'ow'];
  if (!dilated) {
    return [
      `const r${t} = (this.thread.${t} + ${P}) % ${S};`,
      `for (let k${t} = 0; k${t} < ${KS}; k${t}++) {`,
      `const ${i} = r${t} + k${t} * ${S};`,
      `const ${o} = (this.thread.${t} + ${P} - ${i}) / ${S};`,
      `if (${i} < ${K} && ${o} >= 0 && ${o} < ${OUT}) {`,
      ...inner,
      '}', '}',
    ];
  }
  return [
    `for (let ${i} = 0; ${i} < ${K}; ${i}++) {`,
    `const t${t} = this.thread.${t} + ${P} - ${i} * ${D};`,
    `const ${o} = Math.floor((t${t} + 0.5) / ${S});`,
    `if (t${t} >= 0 && ${o} * ${S} == t${t} && ${o} < ${OUT}) {`,
    ...inner,
    '}', '}',
  ];
}

