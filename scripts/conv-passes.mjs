// The three passes of convolution layers on random data, for the conv benchmarks
// (bench-conv-passes.mjs, bench-direct-conv.mjs): for each layer { x: shape, w: shape, opts }, one
// entry per pass with its multiply-add count in FLOP (2 per multiply-add) and a closure that runs it.
import * as nd from '@tsgrad/ndarray';

/** `[{ name, pass, flop, run }]` for every pass of every layer of `layers`, data drawn from `generator`. */
export function convPasses(layers, generator) {
  return Object.entries(layers).flatMap(([name, { x: xs, w: ws, opts }]) => {
    const x = nd.randn(xs, { generator }), w = nd.randn(ws, { generator });
    const y = nd.conv2d(x, w, opts);
    const gy = nd.randn(y.shape, { generator });
    const [, , oh, ow] = y.shape;
    const flop = 2 * xs[0] * oh * ow * ws[0] * ws[1] * ws[2] * ws[3];
    return [
      { name, pass: 'forward', flop, run: () => nd.conv2d(x, w, opts) },
      { name, pass: 'backward input', flop, run: () => nd.conv2dBackwardInput(gy, w, xs, opts) },
      { name, pass: 'backward weight', flop, run: () => nd.conv2dBackwardWeight(gy, x, ws, opts) },
    ];
  });
}

/** This process's CPU time in ms (all threads). */
export const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
