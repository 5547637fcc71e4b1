import { TABLE1, TABLE3, type NetConfig, type PoolSpec } from '../network.js';

/** One run of the study. */
export interface Experiment {
  /** A stable name: the key of its line in the results file. */
  id: string;
  /** Which part of the study it belongs to. */
  group: 'table1' | 'table2' | 'table3' | 'lr' | 'pool';
  title: string;
  net: NetConfig;
  epochs: number;
  lr: number;
  seed: number;
  /** Measure test accuracy after every epoch (for the accuracy-vs-epochs chart). */
  evalEveryEpoch: boolean;
  /** The matching PyTorch log's name in docs/study/pytorch/ (without `.log`), as scripts/pytorch_baseline.sh names it. */
  pytorch: string;
}

/** The pool variants tried on the Table 1 network (the study does not say which it tried). */
export const POOL_VARIANTS: readonly { pool1: PoolSpec; pool2: PoolSpec; why: string }[] = [
  { pool1: { kernel: 3, stride: 2 }, pool2: { kernel: 4, stride: 4 }, why: 'overlapping pool1; still 2 features' },
  { pool1: { kernel: 2, stride: 2 }, pool2: { kernel: 2, stride: 2 }, why: 'smaller pool2: 2x2x2 = 8 features' },
  { pool1: { kernel: 2, stride: 1 }, pool2: { kernel: 4, stride: 4 }, why: 'pool1 stride 1: 2x2x2 = 8 features' },
  { pool1: { kernel: 2, stride: 2 }, pool2: { kernel: 1, stride: 1 }, why: 'no pool2 (kernel 1): 2x4x4 = 32 features' },
];

/**
 * The name scripts/pytorch_baseline.sh gives a PyTorch run's log.
 *
 * @example
 * pytorchLogName('t1', 10, 0.002, 0); // 't1-e10-lr0.002-seed0'
 * pytorchLogName('t1', 10, 0.001, 0, { kernel: 3, stride: 2 }); // 't1-e10-seed0-pool1-k3s2'
 */
export function pytorchLogName(config: 't1' | 't3', epochs: number, lr: number, seed: number, pool1?: PoolSpec, pool2?: PoolSpec): string {
  let name = `${config}-e${epochs}`;
  if (lr !== 0.001) name += `-lr${lr}`;
  name += `-seed${seed}`;
  if (pool1 && (pool1.kernel !== 2 || pool1.stride !== 2)) name += `-pool1-k${pool1.kernel}s${pool1.stride}`;
  if (pool2 && (pool2.kernel !== 4 || pool2.stride !== 4)) name += `-pool2-k${pool2.kernel}s${pool2.stride}`;
  return name;
}

/** The learning rates of the study's two sweeps: 0.001 up to 0.01 by 0.001, and 0.001 down to 0.0001 by 0.0001. */
export const LR_UP: readonly number[] = Array.from({ length: 10 }, (_, k) => (k + 1) / 1000);
export const LR_DOWN: readonly number[] = Array.from({ length: 10 }, (_, k) => (10 - k) / 10000);

/**
 * Every run of the study, the main tables first (Table 3 at 2 epochs, Tables 1 and 2, Table 3 at
 * 10 epochs), then the sweeps, the pool variants and the extra seeds, so an interrupted study has
 * its headline numbers before the long tail. Learning rate 0.001 of both sweeps is the `table1` run itself.
 *
 * @example
 * studyExperiments().map((e) => e.id); // ['table3-e2-seed0', 'table1-seed0', 'table2-seed0', ...]
 */
export function studyExperiments(): Experiment[] {
  const t1 = (id: string, group: Experiment['group'], title: string, over: Partial<Experiment> = {}): Experiment => {
    const e: Experiment = { id, group, title, net: TABLE1, epochs: 10, lr: 0.001, seed: 0, evalEveryEpoch: false, pytorch: '', ...over };
    return { ...e, pytorch: pytorchLogName('t1', e.epochs, e.lr, e.seed, e.net.pool1, e.net.pool2) };
  };
  const t3 = (seed: number, epochs: number): Experiment => ({
    id: `table3-e${epochs}-seed${seed}`,
    group: 'table3',
    title: `Table 3 network, ${epochs} epochs, seed ${seed}`,
    net: TABLE3,
    epochs,
    lr: 0.001,
    seed,
    evalEveryEpoch: epochs > 2,
    pytorch: pytorchLogName('t3', epochs, 0.001, seed),
  });
  const list: Experiment[] = [
    t3(0, 2),
    t1('table1-seed0', 'table1', 'Table 1 network, 10 epochs, seed 0', { evalEveryEpoch: true }),
    t1('table2-seed0', 'table2', 'Table 1 network, 50 epochs (Table 2)', { epochs: 50, evalEveryEpoch: true }),
    t3(0, 10),
  ];
  for (const lr of [...LR_UP, ...LR_DOWN]) {
    if (lr === 0.001) continue;
    list.push(t1(`lr-${lr}`, 'lr', `Table 1 network, lr ${lr}`, { lr }));
  }
  for (const v of POOL_VARIANTS) {
    const net = { ...TABLE1, pool1: v.pool1, pool2: v.pool2 };
    const id = `pool1-k${v.pool1.kernel}s${v.pool1.stride}-pool2-k${v.pool2.kernel}s${v.pool2.stride}`;
    list.push(t1(id, 'pool', `Table 1 network, ${id} (${v.why})`, { net }));
  }
  list.push(t3(1, 2), t3(2, 2));
  list.push(t1('table1-seed1', 'table1', 'Table 1 network, 10 epochs, seed 1', { seed: 1 }));
  list.push(t1('table1-seed2', 'table1', 'Table 1 network, 10 epochs, seed 2', { seed: 2 }));
  return list;
}
