import * as nd from '@tsgrad/ndarray';
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
function t(fn) { for (let i=0;i<2;i++) fn(); const ts=[]; for (let i=0;i<7;i++){const t0=cpu(); fn(); ts.push(cpu()-t0);} ts.sort((a,b)=>a-b); return ts[3]; }
function trainingGrad(y, pool) {
  const relu = y.relu();
  const opts = { kernel: [pool, pool], stride: [pool, pool], padding: [0, 0], dilation: [1, 1], ceilMode: false };
  const { values, indices } = nd.maxPool2d(relu, opts);
  return nd.maxPool2dBackward(nd.randn(values.shape), indices, relu.shape).mul(y.gt(0).astype('float32'));
}
for (const conv of [{ name: 'conv1', input: [64, 1, 28, 28], weight: [32, 1, 5, 5], stride: [1, 1], padding: [1, 1], pool: 2 }, { name: 'conv2', input: [64, 32, 13, 13], weight: [64, 32, 5, 5], stride: [3, 3], padding: [1, 1], pool: 4 }]) {
  const x = nd.randn(conv.input), w = nd.randn(conv.weight);
  const opts = { stride: conv.stride, padding: conv.padding, dilation: [1, 1], groups: 1 };
  const gy = trainingGrad(nd.conv2d(x, w, opts), conv.pool);
  const dense = nd.randn(gy.shape);
  const nz = gy.ne(0).astype('float32').mean().item();
  console.log(conv.name, 'density', nz.toFixed(3), 'fwd', t(() => nd.conv2d(x, w, opts)).toFixed(2),
    'bi sparse-gy', t(() => nd.conv2dBackwardInput(gy, w, conv.input, opts)).toFixed(2), 'bi dense', t(() => nd.conv2dBackwardInput(dense, w, conv.input, opts)).toFixed(2),
    'bw sparse-gy', t(() => nd.conv2dBackwardWeight(gy, x, conv.weight, opts)).toFixed(2), 'bw dense', t(() => nd.conv2dBackwardWeight(dense, x, conv.weight, opts)).toFixed(2));
}
