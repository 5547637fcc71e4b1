import { NDArray } from '@tsgrad/ndarray';
import type { BaseOptions, OptimizerStateDict, ParamState } from './optimizer.js';

/** Tensors and string metadata: what a safetensors file holds (`save(tensors, path, metadata)` in @tsgrad/nn). */
export interface TensorsAndMetadata {
  tensors: Record<string, NDArray>;
  metadata: Record<string, string>;
}

/**
 * Flattens an optimizer state dict for a safetensors file: each buffer becomes the tensor
 * `<prefix>state.<index>.<key>`; the counts (such as `step`) and the parameter groups go to
 * the metadata entry `<prefix>json` as JSON (numbers written exactly). With a prefix, the
 * optimizer shares a file with the model's own tensors.
 *
 * @example
 * ```ts
 * import { tensor } from '@tsgrad/autograd';
 * import { Adam, stateDictToTensors, stateDictFromTensors } from '@tsgrad/optim';
 * const w = tensor([1, 2], { requiresGrad: true });
 * const opt = new Adam([w]);
 * w.sum().backward(); opt.step();
 * const { tensors, metadata } = stateDictToTensors(opt.stateDict());
 * Object.keys(tensors); // ['optimizer.state.0.expAvg', 'optimizer.state.0.expAvgSq']
 * opt.loadStateDict(stateDictFromTensors({ tensors, metadata }));
 * ```
 */
export function stateDictToTensors<O extends BaseOptions>(
  stateDict: OptimizerStateDict<O>,
  { prefix = 'optimizer.' }: { prefix?: string } = {},
): TensorsAndMetadata {
  const tensors: Record<string, NDArray> = {};
  const counts: Record<string, Record<string, number>> = {};
  for (const [index, state] of Object.entries(stateDict.state)) {
    counts[index] = {};
    for (const [key, value] of Object.entries(state)) {
      if (value instanceof NDArray) tensors[`${prefix}state.${index}.${key}`] = value;
      else counts[index][key] = value;
    }
  }
  const json = JSON.stringify({ counts, paramGroups: stateDict.paramGroups });
  return { tensors, metadata: { [`${prefix}json`]: json } };
}

/**
 * Rebuilds an optimizer state dict from `stateDictToTensors`'s output (for example what
 * `load(path)` returns); tensors and metadata without the prefix are ignored.
 *
 * @example
 * ```ts
 * import { stateDictFromTensors } from '@tsgrad/optim';
 * const sd = stateDictFromTensors({ tensors: {}, metadata: { 'optimizer.json': '{"counts":{},"paramGroups":[{"lr":0.1,"params":[0]}]}' } });
 * sd.paramGroups[0].lr; // 0.1
 * ```
 */
export function stateDictFromTensors<O extends BaseOptions>(
  { tensors, metadata }: TensorsAndMetadata,
  { prefix = 'optimizer.' }: { prefix?: string } = {},
): OptimizerStateDict<O> {
  const text = metadata[`${prefix}json`];
  if (text === undefined) throw new Error(`stateDictFromTensors: no metadata entry "${prefix}json" (keys: ${Object.keys(metadata).join(', ') || 'none'})`);
  const parsed: { counts?: Record<string, Record<string, number>>; paramGroups?: OptimizerStateDict<O>['paramGroups'] } = JSON.parse(text);
  if (parsed.counts === undefined || !Array.isArray(parsed.paramGroups)) {
    throw new Error(`stateDictFromTensors: metadata "${prefix}json" has no counts and paramGroups`);
  }
  const state: Record<number, ParamState> = {};
  for (const [index, counts] of Object.entries(parsed.counts)) state[Number(index)] = { ...counts };
  const pattern = /^state\.(\d+)\.(.+)$/;
  for (const [name, value] of Object.entries(tensors)) {
    if (!name.startsWith(prefix)) continue;
    const match = pattern.exec(name.slice(prefix.length));
    if (match === null) throw new Error(`stateDictFromTensors: tensor "${name}" is not "${prefix}state.<index>.<key>"`);
    const index = Number(match[1]);
    state[index] ??= {};
    state[index][match[2]] = value;
  }
  return { state, paramGroups: parsed.paramGroups };
}
