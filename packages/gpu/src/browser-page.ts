/**
 * The script of the browser test's page (browser.test.ts bundles it): the backend conformance
 * suite and the Table 3 PyTorch parity check, run in the page on a GL mode, with their results
 * returned as data for Node to assert. Not part of the package (package.json `files` leaves it out).
 *
 * The page exposes `tsgradGpuChecks` on `globalThis`; Node calls it with `page.evaluate`.
 */
import { fromNDArray } from '@tsgrad/autograd';
import { cpuBackend, manualSeed, tidy, useBackend, withBackend, type Backend, type NDArray } from '@tsgrad/ndarray';
import { runConformance, type Matchers, type TestApi } from '@tsgrad/ndarray/testing';
import { CrossEntropyLoss, deserialize } from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';
import { OPTIMIZER_CASES, optimizeLinear } from './kernels/optimizer-cases.js';
import { KernelRunner, compileStep, createGpuBackend, gpuModeAvailable, type GpuMode, type ModeAvailability } from '@tsgrad/gpu';
import { table3Net } from './table3-net.js';

/** One conformance case's outcome. */
export interface CaseResult {
  name: string;
  /** The first failed expectation, or null when the case passed. */
  failure: string | null;
}

/** What `conformance` ran, and on what. */
export interface ConformanceReport {
  backend: string;
  description: string;
  software: boolean;
  cases: CaseResult[];
  ms: number;
  memory: { buffers: number; bytes: number };
}

/** The parity check's errors against PyTorch (relative), per quantity. */
export interface ParityReport {
  backend: string;
  /** |loss - torch| / |torch| for each of the 3 steps. */
  loss: number[];
  /** Relative L2 error and worst element over the tensor's max, per gradient (step 1) and final parameter. */
  grads: Record<string, { l2: number; worst: number }>;
  params: Record<string, { l2: number; worst: number }>;
  ms: number;
}

/** Matchers that throw with the values named, as vitest's do. */
function matchers(actual: unknown, message: string | undefined): Matchers {
  const fail = (what: string): never => {
    throw new Error(`${message ?? 'expect'}: ${what}`);
  };
  return {
    toBe: (expected) => {
      if (!Object.is(actual, expected)) fail(`got ${String(actual)}, expected ${String(expected)}`);
    },
    toEqual: (expected) => {
      if (JSON.stringify(actual) !== JSON.stringify(expected)) fail(`got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
    },
    toBeLessThanOrEqual: (expected) => {
      if (!(typeof actual === 'number' && actual <= expected)) fail(`got ${String(actual)}, expected <= ${expected}`);
    },
  };
}

/** The conformance suite on `createGpuBackend(mode)`, every case run and its first failure kept. */
async function conformance(mode: GpuMode): Promise<ConformanceReport> {
  const start = performance.now();
  const backend = createGpuBackend(mode);
  const cases: { name: string; fn: () => void | Promise<void> }[] = [];
  const prefix: string[] = [];
  const api: TestApi = {
    describe: (name, fn) => {
      prefix.push(name);
      fn();
      prefix.pop();
    },
    it: (name, fn) => cases.push({ name: [...prefix, name].join(' > '), fn }),
    expect: (actual, message) => matchers(actual, message),
  };
  runConformance(backend, api);
  const results: CaseResult[] = [];
  for (const c of cases) {
    try {
      await c.fn();
      results.push({ name: c.name, failure: null });
    } catch (e) {
      results.push({ name: c.name, failure: e instanceof Error ? e.message : String(e) });
    }
  }
  const d = backend.describe();
  const { buffers, bytes } = backend.memory();
  return { backend: backend.name, description: d.device, software: d.software === true, cases: results, ms: performance.now() - start, memory: { buffers, bytes } };
}

/** The tensors and metadata of a fixture served next to the page. */
async function fixture(name: string): Promise<ReturnType<typeof deserialize>> {
  const response = await fetch(`/fixtures/${name}`);
  if (!response.ok) throw new Error(`fixture ${name}: HTTP ${response.status}`);
  return deserialize(new Uint8Array(await response.arrayBuffer()), { source: name });
}

/** ||a - b|| / ||b|| and max |a - b| / max |b|, in float64. */
function errors(a: NDArray, b: NDArray): { l2: number; worst: number } {
  const [x, y] = [a.toTypedArray(), b.toTypedArray()];
  let [num, den, worst, scale] = [0, 0, 0, 0];
  for (let i = 0; i < y.length; i++) {
    num += (x[i] - y[i]) ** 2;
    den += y[i] ** 2;
    worst = Math.max(worst, Math.abs(x[i] - y[i]));
    scale = Math.max(scale, Math.abs(y[i]));
  }
  return { l2: Math.sqrt(num / den), worst: worst / scale };
}

/**
 * packages/gpu/src/parity.test.ts in the page: the study's Table 3 network with PyTorch's initial
 * weights, 64 MNIST images, 3 Adam steps, compared with torch 1.13 (packages/nn/fixtures/make_parity.py).
 */
async function parity(mode: GpuMode): Promise<ParityReport> {
  const start = performance.now();
  const [{ tensors: init }, { tensors: expected, metadata }] = await Promise.all([
    fixture('parity-init.safetensors'),
    fixture('parity-expected.safetensors'),
  ]);
  const backend = createGpuBackend(mode);
  const previous = useBackend(backend);
  try {
    const model = table3Net().to(backend);
    const { missingKeys, unexpectedKeys } = model.loadStateDict(init);
    if (missingKeys.length + unexpectedKeys.length > 0) throw new Error(`parity: state dict keys missing ${missingKeys}, unexpected ${unexpectedKeys}`);
    const x = fromNDArray(expected.x.astype('float32').div(255).to(backend));
    const y = fromNDArray(expected.y.to(backend));
    const lossFn = new CrossEntropyLoss();
    const opt = new Adam(model.parameters(), { lr: 1e-3 });
    const losses: number[] = [];
    const grads: ParityReport['grads'] = {};
    for (let step = 0; step < 3; step++) {
      const loss = lossFn.forward(model.forward(x), y);
      opt.zeroGrad();
      loss.backward();
      losses.push(loss.item());
      if (step === 0) {
        for (const [name, p] of model.namedParameters()) {
          if (p.grad === null) throw new Error(`parity: ${name} has no gradient after backward`);
          grads[name] = errors(p.grad.data, expected[`grad.${name}`]);
        }
      }
      opt.step();
    }
    const reference: unknown = JSON.parse(metadata.losses);
    if (!Array.isArray(reference)) throw new Error(`parity: metadata.losses is ${metadata.losses}, expected a list`);
    const params: ParityReport['params'] = {};
    for (const [name, p] of Object.entries(model.stateDict())) params[name] = errors(p, expected[`final.${name}`]);
    const loss = losses.map((l, i) => Math.abs(l - Number(reference[i])) / Math.abs(Number(reference[i])));
    return { backend: backend.name, loss, grads, params, ms: performance.now() - start };
  } finally {
    useBackend(previous);
  }
}

/** One training step's loss and the device's counters after it. */
export interface StepReport {
  loss: number;
  /** Textures alive after the step (parameters, Adam's state, gradients, what gpu.js keeps per kernel). */
  liveTextures: number;
  /** Arrays the backend's ledger counts as alive. */
  buffers: number;
  /** Textures read back to the host during the step. */
  reads: number;
  /** Host arrays uploaded into textures during the step. */
  uploads: number;
}

/** The study's Table 3 network (seeded init), `steps` Adam steps on 8 of the parity batch's images, each step in `tidy` (gradients included). */
async function training(mode: GpuMode, steps: number): Promise<StepReport[]> {
  const { tensors } = await fixture('parity-expected.safetensors');
  const backend = createGpuBackend(mode);
  const previous = useBackend(backend);
  try {
    manualSeed(0);
    const model = table3Net().to(backend);
    const x = tensors.x.slice(0, 0, 8).astype('float32').div(255).to(backend);
    const y = tensors.y.slice(0, 0, 8).to(backend);
    const lossFn = new CrossEntropyLoss();
    const opt = new Adam(model.parameters(), { lr: 1e-3 });
    const out: StepReport[] = [];
    for (let step = 0; step < steps; step++) {
      const [reads, uploads] = [backend.runner.reads, backend.runner.uploads];
      let loss = NaN;
      tidy(() => {
        const l = lossFn.forward(model.forward(fromNDArray(x)), fromNDArray(y));
        opt.zeroGrad();
        l.backward();
        opt.step();
        loss = l.data.item();
        // nothing is kept: this step's gradients are disposed too (the next zeroGrad drops them)
      });
      out.push({
        loss,
        liveTextures: backend.runner.liveTextures,
        buffers: backend.memory().buffers,
        reads: backend.runner.reads - reads,
        uploads: backend.runner.uploads - uploads,
      });
    }
    return out;
  } finally {
    useBackend(previous);
  }
}

/** Each optimizer's largest parameter difference, GL mode against the CPU backend, over the parameters' largest magnitude. */
async function optimizers(mode: GpuMode): Promise<Record<string, number>> {
  const backend = createGpuBackend(mode);
  const out: Record<string, number> = {};
  for (const [name, make] of Object.entries(OPTIMIZER_CASES)) {
    const [got, want] = [optimizeLinear(backend, make), optimizeLinear(cpuBackend, make)];
    let [err, scale] = [0, 0];
    want.forEach((w, k) => w.forEach((v, i) => {
      err = Math.max(err, Math.abs(got[k][i] - v));
      scale = Math.max(scale, Math.abs(v));
    }));
    out[name] = err / scale;
  }
  return out;
}

/** A captured step's run on a GL mode next to eager training on that mode and on the CPU backend. */
export interface CapturedReport {
  backend: string;
  /** The batch size of each step. */
  sizes: number[];
  /** Per-step losses: the captured step on the GL mode, eager training there, eager training on the CPU backend. */
  captured: number[];
  eager: number[];
  cpu: number[];
  /** After each captured step: live textures and arrays of its backend, and textures read back and uploaded during it. */
  liveTextures: number[];
  buffers: number[];
  /** Live textures once the model is on the device, before the first step. */
  modelTextures: number;
  /** The error of `compileStep(..., { replayOn })` for this model (a GL model replays on its own textures). */
  replayOnError: string;
  reads: number[];
  uploads: number[];
  /** Kernel launches of the last (replayed) step. */
  launchesPerReplay: number;
  /** Milliseconds of each step, captured and eager on the GL mode. */
  capturedMs: number[];
  eagerMs: number[];
}

/** Batches of the parity fixture's 64 images (on the CPU backend), one per entry of `sizes`, in order. */
function batches(images: NDArray, labels: NDArray, sizes: readonly number[]): [NDArray, NDArray][] {
  let start = 0;
  return sizes.map((size) => {
    if (start + size > 64) start = 0;
    const b: [NDArray, NDArray] = [images.narrow(0, start, size), labels.narrow(0, start, size)];
    start += size;
    return b;
  });
}

/**
 * The Table 3 network (PyTorch's initial weights) trained with Adam (lr 1e-3) on batches of
 * `sizes`: captured (`compileStep`) and eager on `mode`, and eager on the CPU backend; then
 * `more` captured steps alone (batches of the last size), to watch the textures. The captured
 * step has a backend of its own, so its counters see nothing of the eager run.
 */
async function captured(mode: GpuMode, sizes: number[], more: number): Promise<CapturedReport> {
  const [{ tensors: init }, { tensors }] = await Promise.all([fixture('parity-init.safetensors'), fixture('parity-expected.safetensors')]);
  const data = batches(tensors.x.astype('float32').div(255), tensors.y, sizes);
  // loaded on the CPU, then moved: no temporary texture waits for the garbage collector
  const modelOn = (backend: Backend): ReturnType<typeof table3Net> => {
    const model = table3Net();
    model.loadStateDict(init);
    return model.to(backend);
  };
  const lossFn = new CrossEntropyLoss();
  // eager training, each step in tidy (its textures freed when it ends)
  const eager = (backend: Backend, ms: number[]): number[] => withBackend(backend, () => {
    const model = modelOn(backend);
    const opt = new Adam(model.parameters(), { lr: 1e-3 });
    return data.map(([x, y]) => {
      const start = performance.now();
      const loss = tidy(() => {
        opt.zeroGrad();
        const l = lossFn.forward(model.forward(fromNDArray(x.to(backend))), fromNDArray(y.to(backend)));
        l.backward();
        opt.step();
        return l.data.item();
      });
      opt.zeroGrad();
      ms.push(performance.now() - start);
      return loss;
    });
  });
  const backend = createGpuBackend(mode);
  const report: CapturedReport = {
    backend: backend.name, sizes, captured: [], eager: [], cpu: eager(cpuBackend, []),
    liveTextures: [], buffers: [], modelTextures: 0, replayOnError: '', reads: [], uploads: [], launchesPerReplay: 0, capturedMs: [], eagerMs: [],
  };
  report.eager = eager(createGpuBackend(mode), report.eagerMs);
  const model = modelOn(backend);
  report.modelTextures = backend.runner.liveTextures;
  try {
    compileStep(model, lossFn, new Adam(model.parameters()), { replayOn: new KernelRunner('webasm') });
  } catch (e) {
    report.replayOnError = e instanceof Error ? e.message : String(e);
  }
  const step = compileStep(model, lossFn, new Adam(model.parameters(), { lr: 1e-3 }));
  const last = data[data.length - 1];
  for (const [x, y] of [...data, ...Array.from({ length: more }, () => last)]) {
    const r = backend.runner;
    const [reads, uploads, launches, start] = [r.reads, r.uploads, r.launches, performance.now()];
    report.captured.push(await withBackend(backend, () => step(x, y)));
    report.capturedMs.push(performance.now() - start);
    report.liveTextures.push(r.liveTextures);
    report.buffers.push(backend.memory().buffers);
    report.reads.push(r.reads - reads);
    report.uploads.push(r.uploads - uploads);
    report.launchesPerReplay = r.launches - launches;
  }
  return report;
}

/** What the page offers Node. */
export interface GpuChecks {
  available(mode: GpuMode): Promise<ModeAvailability>;
  conformance(mode: GpuMode): Promise<ConformanceReport>;
  parity(mode: GpuMode): Promise<ParityReport>;
  training(mode: GpuMode, steps: number): Promise<StepReport[]>;
  optimizers(mode: GpuMode): Promise<Record<string, number>>;
  captured(mode: GpuMode, sizes: number[], more: number): Promise<CapturedReport>;
}

const checks: GpuChecks = { available: gpuModeAvailable, conformance, parity, training, optimizers, captured };
Object.assign(globalThis, { tsgradGpuChecks: checks });
