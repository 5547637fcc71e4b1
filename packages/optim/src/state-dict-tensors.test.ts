import { describe, expect, it } from 'vitest';
import { tensor } from '@tsgrad/autograd';
import { Adam, SGD, stateDictFromTensors, stateDictToTensors } from './index.js';

describe('optimizer state dicts as safetensors tensors and metadata', () => {
  it('survives a copy of its tensors and string metadata (a file) and resumes exactly', () => {
    const make = (): { w: ReturnType<typeof tensor>; opt: Adam } => {
      const w = tensor([1, -2, 3], { dtype: 'float32', requiresGrad: true });
      return { w, opt: new Adam([{ params: [w], amsgrad: true }], { lr: 0.1, betas: [0.8, 0.95] }) };
    };
    const train = ({ w, opt }: ReturnType<typeof make>, steps: number): void => {
      for (let i = 0; i < steps; i++) {
        opt.zeroGrad();
        w.mul(w).sum().backward();
        opt.step();
      }
    };
    const straight = make();
    train(straight, 5);

    const first = make();
    train(first, 2);
    const packed = stateDictToTensors(first.opt.stateDict());
    expect(Object.keys(packed.tensors).sort()).toEqual(['optimizer.state.0.expAvg', 'optimizer.state.0.expAvgSq', 'optimizer.state.0.maxExpAvgSq']);
    // What a safetensors file keeps: copies of the arrays, and strings (@tsgrad/nn's save/load).
    const tensors = Object.fromEntries(Object.entries({ ...packed.tensors, w: first.w.data }).map(([k, v]) => [k, v.clone()]));
    const file = { tensors, metadata: { ...packed.metadata } };

    const resumed = make();
    resumed.w.data = file.tensors.w;
    resumed.opt.loadStateDict(stateDictFromTensors(file));
    expect(resumed.opt.paramGroups[0]).toMatchObject({ lr: 0.1, betas: [0.8, 0.95], amsgrad: true });
    train(resumed, 3);
    expect(resumed.w.data.toArray()).toEqual(straight.w.data.toArray());
  });

  it('keeps counts without buffers (SGD without momentum has none) and honours a prefix', () => {
    const w = tensor([1], { requiresGrad: true });
    const opt = new SGD([w], { lr: 0.5 });
    const packed = stateDictToTensors(opt.stateDict(), { prefix: 'opt/' });
    expect(packed.tensors).toEqual({});
    expect(stateDictFromTensors(packed, { prefix: 'opt/' }).paramGroups[0].lr).toBe(0.5);
    expect(() => stateDictFromTensors(packed)).toThrow('stateDictFromTensors: no metadata entry "optimizer.json" (keys: opt/json)');
  });
});
