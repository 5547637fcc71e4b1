import * as nd from '@tsgrad/ndarray';
const reps = 25;
const g = new nd.Generator(0);
const layers = {
  conv1: { x: [64, 1, 28, 28], w: [32, 1, 5, 5], opts: { padding: 1 } },
  conv2: { x: [64, 32, 13, 13], w: [64, 32, 5, 5], opts: { stride: 3, padding: 1 } },
};
for (const [name, { x: xs, w: ws, opts }] of Object.entries(layers)) {
  const x = nd.randn(xs, { generator: g }), w = nd.randn(ws, { generator: g });
  const y = nd.conv2d(x, w, opts);
  const gy = nd.randn(y.shape, { generator: g });
  const passes = {
    forward: () => nd.conv2d(x, w, opts),
    'backward input': () => nd.conv2dBackwardInput(gy, w, xs, opts),
    'backward weight': () => nd.conv2dBackwardWeight(gy, x, ws, opts),
    'pool': () => nd.maxPool2d ? nd.maxPool2d(y, 2, { stride: 2 }) : null,
  };
  for (const [pass, run] of Object.entries(passes)) {
    const line = [];
    for (const t of [1, 2, 1, 2]) {
      nd.setCpuThreads(t);
      for (let i = 0; i < 3; i++) nd.tidy(() => { run(); });
      const times = [];
      for (let i = 0; i < reps; i++) {
        const t0 = performance.now();
        nd.tidy(() => { run(); });
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      line.push(`${t}t min ${times[0].toFixed(2)} med ${times[reps >> 1].toFixed(2)}`);
    }
    console.log(`${name} ${pass.padEnd(16)} ${line.join(' | ')}`);
  }
}
