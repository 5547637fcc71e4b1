/**
 * The page: wires the controls to the training worker and draws what it reports. All the
 * numerical work happens in the worker (./worker.ts), so the page stays responsive.
 */
import { TABLE1, TABLE3, type NetConfig } from '../../mnist-cnn/src/network.js';
import { backendChoices, probeBrowser, type BackendChoice } from './backend-info.js';
import { drawChart } from './chart.js';
import { DrawPad } from './draw-pad.js';
import { drawStack } from './image-grid.js';
import { NetworkForm } from './network-form.js';
import { offlineStatus } from './offline.js';
import { PanZoom } from './pan-zoom.js';
import { centreDigit, FIELD } from './preprocess.js';
import type { BackendRequest, FromWorker, RunSettings, ToWorker } from './protocol.js';

/** The element `#id`, checked to be of the kind the code expects. */
function element<T extends HTMLElement>(id: string, kind: { new (): T; readonly name: string }): T {
  const el = document.getElementById(id);
  if (!(el instanceof kind)) throw new Error(`the page has no ${kind.name} #${id}`);
  return el;
}

const PRESETS: Record<string, NetConfig> = { table1: TABLE1, table3: TABLE3 };

const ui = {
  status: element('status', HTMLParagraphElement),
  backend: element('backend', HTMLParagraphElement),
  offline: element('offline', HTMLParagraphElement),
  backendChoice: element('backend-choice', HTMLSelectElement),
  backendNotes: element('backend-notes', HTMLParagraphElement),
  preset: element('preset', HTMLSelectElement),
  layerError: element('layer-error', HTMLParagraphElement),
  epochs: element('epochs', HTMLInputElement),
  batchSize: element('batch-size', HTMLInputElement),
  seed: element('seed', HTMLInputElement),
  apply: element('apply', HTMLButtonElement),
  run: element('run', HTMLButtonElement),
  lr: element('lr', HTMLInputElement),
  save: element('save', HTMLButtonElement),
  load: element('load', HTMLButtonElement),
  loadFile: element('load-file', HTMLInputElement),
  step: element('stat-step', HTMLElement),
  epoch: element('stat-epoch', HTMLElement),
  rate: element('stat-rate', HTMLElement),
  eta: element('stat-eta', HTMLElement),
  loss: element('stat-loss', HTMLElement),
  lrInUse: element('stat-lr', HTMLElement),
  accuracy: element('stat-accuracy', HTMLElement),
  params: element('stat-params', HTMLElement),
  lossChart: element('loss-chart', HTMLCanvasElement),
  accuracyChart: element('accuracy-chart', HTMLCanvasElement),
  pad: element('pad', HTMLCanvasElement),
  clear: element('clear', HTMLButtonElement),
  testDigit: element('test-digit', HTMLButtonElement),
  seen: element('seen', HTMLCanvasElement),
  prediction: element('prediction', HTMLOutputElement),
  probabilities: element('probabilities', HTMLOListElement),
  filters: element('filters', HTMLCanvasElement),
  maps: element('maps', HTMLCanvasElement),
  graph: element('graph', HTMLButtonElement),
  graphView: element('graph-view', HTMLDivElement),
  graphContent: element('graph-content', HTMLDivElement),
  graphDownload: element('graph-download', HTMLAnchorElement),
};

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (message: ToWorker, transfer: Transferable[] = []): void => worker.postMessage(message, transfer);

let losses: [number, number][] = [];
let accuracies: [number, number][] = [];
let running = false;
let finished = false;
let ready = false;
let netFits = true;
let testIndex = 0;
let graphUrl: string | undefined;

// ---------------------------------------------------------------------------------- controls

const form = new NetworkForm(element('layer-editor', HTMLDivElement), ui.layerError, (ok) => {
  netFits = ok;
  const net = form.get();
  const preset = Object.entries(PRESETS).find(([, p]) => JSON.stringify(p) === JSON.stringify(net));
  ui.preset.value = preset?.[0] ?? 'custom';
  updateButtons();
});
form.set(TABLE3);

ui.preset.addEventListener('change', () => {
  const preset = PRESETS[ui.preset.value];
  if (preset !== undefined) form.set(preset);
});

/** A positive integer from an input, or an error naming the field and the value. */
function positiveInt(input: HTMLInputElement, name: string): number {
  const v = Number(input.value);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be an integer >= 1, got "${input.value}"`);
  return v;
}

function learningRate(): number {
  const v = Number(ui.lr.value);
  if (!(Number.isFinite(v) && v > 0)) throw new Error(`the learning rate must be a number > 0, got "${ui.lr.value}"`);
  return v;
}

const choices = backendChoices(probeBrowser());
for (const c of choices) {
  const option = new Option(c.available ? c.label : `${c.label} (unavailable)`, c.id);
  option.disabled = !c.available;
  ui.backendChoice.append(option);
}
ui.backendNotes.textContent = choices.map((c) => `${c.label}: ${c.note}.`).join(' ');

/** The backend chosen in the select. */
function backendRequest(): BackendRequest {
  const choice: BackendChoice | undefined = choices.find((c) => c.id === ui.backendChoice.value);
  if (choice === undefined) throw new Error(`no backend "${ui.backendChoice.value}" among ${choices.map((c) => c.id).join(', ')}`);
  return { id: choice.id, threads: choice.threads };
}

function settings(): Omit<RunSettings, 'net'> {
  return {
    lr: learningRate(),
    batchSize: positiveInt(ui.batchSize, 'the batch size'),
    epochs: positiveInt(ui.epochs, 'the number of epochs'),
    seed: Number.isInteger(Number(ui.seed.value)) ? Number(ui.seed.value) : 0,
  };
}

/** Runs `f`, showing its error (if any) in the status line instead of losing it. */
function guarded(f: () => void): () => void {
  return () => {
    try {
      f();
    } catch (e) {
      showError(e instanceof Error ? e.message : String(e));
    }
  };
}

function showError(message: string): void {
  ui.status.textContent = `Error: ${message}`;
  ui.status.classList.add('error');
}

function say(message: string): void {
  ui.status.textContent = message;
  ui.status.classList.remove('error');
}

const configure = (): void => send({ type: 'configure', settings: { ...settings(), net: form.get() }, backend: backendRequest() });
ui.apply.addEventListener('click', guarded(configure));
ui.run.addEventListener('click', () => send({ type: running ? 'pause' : 'start' }));
ui.lr.addEventListener('change', guarded(() => ready && send({ type: 'setLr', lr: learningRate() })));
ui.save.addEventListener('click', () => send({ type: 'save' }));
ui.load.addEventListener('click', () => ui.loadFile.click());
ui.loadFile.addEventListener('change', async () => {
  const file = ui.loadFile.files?.[0];
  if (file === undefined) return;
  const bytes = new Uint8Array(await file.arrayBuffer());
  ui.loadFile.value = '';
  guarded(() => send({ type: 'loadModel', bytes, name: file.name, settings: settings(), backend: backendRequest() }, [bytes.buffer]))();
});
ui.graph.addEventListener('click', () => {
  ui.graph.disabled = true;
  say('Drawing the autograd graph of one step...');
  send({ type: 'graph' });
});

const graphView = new PanZoom(ui.graphView, ui.graphContent, {
  zoomIn: element('graph-zoom-in', HTMLButtonElement),
  zoomOut: element('graph-zoom-out', HTMLButtonElement),
  fit: element('graph-fit', HTMLButtonElement),
  level: element('graph-zoom', HTMLOutputElement),
});

const pad = new DrawPad(ui.pad, classify);
ui.clear.addEventListener('click', () => {
  pad.clear();
  classify();
});
ui.testDigit.addEventListener('click', () => send({ type: 'testDigit', index: testIndex++ % 10000 }));

function updateButtons(): void {
  ui.apply.disabled = !ready || !netFits;
  ui.run.disabled = !ready || finished;
  ui.run.textContent = finished ? 'Finished' : running ? 'Pause' : 'Train';
  ui.run.setAttribute('aria-pressed', String(running));
  for (const b of [ui.save, ui.load, ui.graph, ui.testDigit]) b.disabled = !ready;
  ui.loadFile.disabled = !ready;
}

// ---------------------------------------------------------------------------------- drawing

/** Sends the drawn digit, made MNIST-like, to be classified; shows what the network sees. */
function classify(): void {
  const pixels = centreDigit(pad.ink(), ui.pad.width, ui.pad.height);
  if (pixels === null) {
    ui.seen.getContext('2d')?.clearRect(0, 0, ui.seen.width, ui.seen.height);
    showPrediction([]);
    return;
  }
  drawStack(ui.seen, { count: 1, height: FIELD, width: FIELD, data: pixels }, { columns: 1, zoom: 4, scale: 'grey' });
  if (ready) send({ type: 'predict', pixels }, [pixels.buffer]);
}

for (let digit = 0; digit < 10; digit++) {
  const li = document.createElement('li');
  li.innerHTML = `<span class="digit">${digit}</span><span class="bar"><span></span></span><span class="pct">-</span>`;
  ui.probabilities.append(li);
}

/** Shows the ten probabilities as bars (none: clears them). */
function showPrediction(probabilities: readonly number[]): void {
  const best = probabilities.length === 0 ? -1 : probabilities.indexOf(Math.max(...probabilities));
  ui.prediction.value = best < 0 ? '-' : String(best);
  for (let digit = 0; digit < 10; digit++) {
    const li = ui.probabilities.children[digit];
    if (!(li instanceof HTMLLIElement)) continue;
    const p = probabilities[digit];
    li.classList.toggle('best', digit === best);
    li.querySelector<HTMLElement>('.bar > span')?.style.setProperty('width', p === undefined ? '0' : `${(100 * p).toFixed(1)}%`);
    const pct = li.querySelector('.pct');
    if (pct) pct.textContent = p === undefined ? '-' : `${(100 * p).toFixed(1)} %`;
  }
}

function drawCharts(): void {
  drawChart(ui.lossChart, losses, { colour: '#2563eb', label: 'Training loss', yMin: 0, digits: 2 });
  drawChart(ui.accuracyChart, accuracies, { colour: '#16a34a', label: 'Test accuracy', yMin: 0, yMax: 100, digits: 1 });
}

const clock = (seconds: number): string => {
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m` : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

// ---------------------------------------------------------------------------------- the worker

worker.addEventListener('message', (event: MessageEvent<FromWorker>) => {
  const m = event.data;
  switch (m.type) {
    case 'loaded':
      ready = true;
      say(`MNIST loaded: ${m.trainImages.toLocaleString('en-US')} training and ${m.testImages.toLocaleString('en-US')} test images in ${m.seconds.toFixed(1)} s. Press Train.`);
      guarded(configure)();
      ui.testDigit.disabled = false;
      break;
    case 'configured':
      losses = [];
      accuracies = [];
      finished = false;
      form.set(m.settings.net);
      ui.lr.value = String(m.settings.lr);
      ui.params.textContent = m.parameters.toLocaleString('en-US');
      ui.step.textContent = String(m.step);
      ui.epoch.textContent = `1 / ${m.settings.epochs}`;
      for (const el of [ui.rate, ui.eta, ui.loss, ui.accuracy]) el.textContent = '-';
      ui.lrInUse.textContent = String(m.settings.lr);
      ui.backendChoice.value = m.backend;
      ui.backend.textContent = `Backend: ${m.backendText}.`;
      ui.backend.dataset.backend = m.backend;
      ui.backend.dataset.threadJobs = '0';
      ui.backend.dataset.deviceLaunches = '0';
      drawCharts();
      say(m.source ? `Loaded ${m.source}: press Train to go on training it.` : `A new model: ${m.stepsPerEpoch} steps an epoch. Press Train.`);
      break;
    case 'progress': {
      for (const p of m.losses) losses.push([p.step, p.loss]);
      const total = m.epochs * m.stepsPerEpoch;
      ui.step.textContent = String(m.step);
      ui.epoch.textContent = `${Math.min(m.epoch + 1, m.epochs)} / ${m.epochs} (step ${m.stepInEpoch} of ${m.stepsPerEpoch})`;
      ui.rate.textContent = m.stepsPerSecond.toFixed(1);
      ui.lrInUse.textContent = String(m.lr);
      ui.backend.dataset.threadJobs = String(m.threadJobs);
      ui.backend.dataset.deviceLaunches = String(m.deviceLaunches);
      if (m.threadError !== undefined) showError(`${m.threadError}; training goes on on one thread`);
      ui.eta.textContent = m.stepsPerSecond > 0 ? clock((total - m.step) / m.stepsPerSecond) : '-';
      const last = losses.at(-1);
      if (last) ui.loss.textContent = last[1].toFixed(4);
      drawCharts();
      break;
    }
    case 'evaluated':
      accuracies.push([m.step, m.accuracy]);
      ui.accuracy.textContent = `${m.accuracy.toFixed(2)} % (${m.images.toLocaleString('en-US')} images, step ${m.step})`;
      drawCharts();
      break;
    case 'state':
      running = m.running;
      finished = m.finished;
      if (finished) say('The run has finished its epochs. Save it, or start a new model.');
      else if (running) say('Training...');
      updateButtons();
      break;
    case 'filters': {
      const zoom = Math.max(2, Math.floor(48 / m.filters.width));
      drawStack(ui.filters, m.filters, { columns: 16, zoom, scale: 'diverging' });
      ui.filters.setAttribute('aria-label', `${m.filters.count} conv1 filters, ${m.filters.height}x${m.filters.width}`);
      break;
    }
    case 'prediction':
      showPrediction(m.probabilities);
      drawStack(ui.maps, m.featureMaps, { columns: 8, zoom: m.featureMaps.width > 20 ? 3 : 6, scale: 'grey' });
      ui.maps.setAttribute('aria-label', `${m.featureMaps.count} feature maps, ${m.featureMaps.height}x${m.featureMaps.width}`);
      break;
    case 'testDigit':
      pad.show(m.pixels);
      say(`Test image ${m.index}: its label is ${m.label}.`);
      classify();
      break;
    case 'saved': {
      const url = URL.createObjectURL(new Blob([Uint8Array.from(m.bytes)], { type: 'application/octet-stream' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = m.name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      say(`Saved ${m.name} (${(m.bytes.length / 1024).toFixed(0)} KB).`);
      break;
    }
    case 'graph': {
      if (graphUrl !== undefined) URL.revokeObjectURL(graphUrl);
      graphUrl = URL.createObjectURL(new Blob([m.svg], { type: 'image/svg+xml' }));
      const img = document.createElement('img');
      img.alt = 'The autograd graph of one training step: parameters in blue, ops as pills, with values and gradients';
      img.draggable = false; // a drag pans the view
      img.addEventListener('load', () => graphView.show(img.naturalWidth, img.naturalHeight));
      img.src = graphUrl;
      ui.graphDownload.href = graphUrl;
      ui.graphDownload.hidden = false;
      ui.graphContent.replaceChildren(img);
      ui.graph.disabled = false;
      say('The graph of one step on four training images: forward ops top to bottom, gradients beside the values.');
      break;
    }
    case 'error':
      showError(m.message);
      ui.graph.disabled = !ready;
      break;
  }
});

worker.addEventListener('error', (e) => showError(`the worker failed: ${e.message}`));

ui.backend.textContent = 'Backend: none yet (loading MNIST).';
// A build names its service worker in a <meta> (./offline-files.ts); the dev server's page has none.
offlineStatus(document.querySelector('meta[name="tsgrad-service-worker"]')?.getAttribute('content') ?? null).then(
  (sentence) => (ui.offline.textContent = sentence),
  (e: unknown) => (ui.offline.textContent = `No offline copy: ${e instanceof Error ? e.message : String(e)}`),
);
updateButtons();
drawCharts();

const mnist = (name: string): string => new URL(`mnist/${name}.gz`, document.baseURI).href;
send({
  type: 'load',
  urls: {
    trainImages: mnist('train-images-idx3-ubyte'),
    trainLabels: mnist('train-labels-idx1-ubyte'),
    testImages: mnist('t10k-images-idx3-ubyte'),
    testLabels: mnist('t10k-labels-idx1-ubyte'),
  },
});
