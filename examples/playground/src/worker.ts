/**
 * The training worker: loads MNIST, runs a `Session` in time slices of about 50 ms so that
 * messages (pause, learning rate, a digit to classify) are handled between slices, and reports
 * progress a few times a second. Started by the page as a module worker.
 */
import { getBackend, workerError, workerJobs } from '@tsgrad/ndarray';
import { MNIST } from '@tsgrad/mnist';
import { yieldToEventLoop } from '../../mnist-cnn/src/training-loop.js';
import { backendInUse } from './backend-info.js';
import { chooseBackend, webgpuLaunches } from './backend-choice.js';
import type { BackendRequest, FromWorker, LossPoint, MnistUrls, ToWorker } from './protocol.js';
import { Session } from './session.js';

const SLICE_MS = 50; // train this long between looks at the message queue
const PROGRESS_MS = 250; // report this often
const REFRESH_MS = 1000; // redraw the filters and the drawn digit's feature maps this often
const LOSS_WINDOW = 10; // one point of the loss curve per this many steps
const EVAL_EVERY = 100; // test accuracy (first 1000 test images) every this many steps

let data: { train: MNIST; test: MNIST } | undefined;
let session: Session | undefined;
let running = false;
let looping: Session | undefined; // the session whose training loop is alive
let loopEnded: Promise<void> = Promise.resolve(); // a new backend waits for the old loop's last step
let drawn: Float32Array | undefined;

function post(message: FromWorker, transfer: Transferable[] = []): void {
  postMessage(message, { transfer });
}

function loadedData(): { train: MNIST; test: MNIST } {
  if (data === undefined) throw new Error('MNIST is not loaded yet');
  return data;
}

function currentSession(): Session {
  if (session === undefined) throw new Error('no network yet: configure one first');
  return session;
}

async function load(urls: MnistUrls): Promise<void> {
  const t0 = performance.now();
  const [train, test] = await Promise.all([
    MNIST.fromUrls({ images: urls.trainImages, labels: urls.trainLabels }, { train: true }),
    MNIST.fromUrls({ images: urls.testImages, labels: urls.testLabels }, { train: false }),
  ]);
  data = { train, test };
  post({ type: 'loaded', trainImages: train.length, testImages: test.length, seconds: (performance.now() - t0) / 1000, backend: getBackend().describe() });
}

async function configured(s: Session, request: BackendRequest, threads: number, text: string | undefined, source?: string): Promise<void> {
  session = s;
  running = false;
  const backendText = text ?? backendInUse((s.backend ?? getBackend()).describe(), threads);
  post({
    type: 'configured', settings: { ...s.config }, parameters: s.parameterCount, stepsPerEpoch: s.stepsPerEpoch, step: s.step, source,
    backend: request.id, backendText,
  });
  post({ type: 'state', running: false, finished: s.finished });
  await refreshPictures(s);
}

/** Posts the filters and the drawn digit's prediction (the model's state brought home first). */
async function refreshPictures(s: Session): Promise<void> {
  await s.sync();
  const filters = s.filters();
  post({ type: 'filters', filters }, [filters.data.buffer]);
  if (drawn !== undefined) predict(s, drawn);
}

function predict(s: Session, pixels: Float32Array): void {
  const { probabilities, featureMaps } = s.predict(pixels);
  post({ type: 'prediction', probabilities, featureMaps }, [featureMaps.data.buffer]);
}

/** Trains while `running`, a slice at a time, reporting as it goes. */
async function loop(s: Session): Promise<void> {
  looping = s;
  let losses: LossPoint[] = [];
  let windowSum = 0;
  let windowCount = 0;
  let lastReport = performance.now();
  let lastRefresh = lastReport;
  let stepsSinceReport = 0;
  let stepsPerSecond = 0;
  const report = (): void => {
    post({
      type: 'progress',
      step: s.step,
      epoch: s.epoch,
      stepInEpoch: s.stepInEpoch,
      stepsPerEpoch: s.stepsPerEpoch,
      epochs: s.config.epochs,
      stepsPerSecond,
      losses,
      lr: s.learningRate,
      threadJobs: workerJobs(),
      threadError: workerError(),
      deviceLaunches: webgpuLaunches(),
    });
    losses = [];
  };
  try {
    while (running && session === s && !s.finished) {
      const sliceStart = performance.now();
      while (performance.now() - sliceStart < SLICE_MS && !s.finished) {
        const { loss, epochEnded } = await s.trainOneAsync();
        stepsSinceReport++;
        windowSum += loss;
        windowCount++;
        if (windowCount === LOSS_WINDOW) {
          losses.push({ step: s.step, loss: windowSum / windowCount });
          windowSum = 0;
          windowCount = 0;
        }
        if (epochEnded || s.step % EVAL_EVERY === 0) await s.sync();
        if (epochEnded) post({ type: 'evaluated', step: s.step, accuracy: s.accuracy(true), images: s.data.test.length });
        else if (s.step % EVAL_EVERY === 0) post({ type: 'evaluated', step: s.step, accuracy: s.accuracy(), images: Math.min(1000, s.data.test.length) });
      }
      const now = performance.now();
      if (now - lastReport >= PROGRESS_MS || s.finished) {
        const rate = stepsSinceReport / ((now - lastReport) / 1000);
        stepsPerSecond = stepsPerSecond === 0 ? rate : 0.7 * stepsPerSecond + 0.3 * rate; // smoothed
        report();
        stepsSinceReport = 0;
        lastReport = now;
      }
      if (now - lastRefresh >= REFRESH_MS) {
        await refreshPictures(s);
        lastRefresh = now;
      }
      await yieldToEventLoop();
    }
  } catch (e) {
    post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  } finally {
    // A loop of a replaced session just ends; the current one's state is not its business.
    if (looping === s) looping = undefined;
    if (session === s) {
      running = false;
      if (stepsSinceReport > 0) report(); // the steps since the last report, so a pause shows them all
      await refreshPictures(s).catch((e: unknown) => post({ type: 'error', message: e instanceof Error ? e.message : String(e) }));
      post({ type: 'state', running: false, finished: s.finished });
    }
  }
}

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'load':
      return load(message.urls);
    case 'configure': {
      running = false; // the old run's loop ends at its next slice, before the backend changes under it
      await loopEnded;
      const { backend, threads, capture, text } = await chooseBackend(message.backend.id, message.backend.threads);
      return configured(new Session(message.settings, loadedData(), backend, capture), message.backend, threads, text);
    }
    case 'start': {
      const s = currentSession();
      if (s.finished) throw new Error(`this run has finished its ${s.config.epochs} epochs: apply the network again to start a new one`);
      running = true;
      post({ type: 'state', running: true, finished: false });
      if (looping !== s) loopEnded = loop(s); // else the live loop goes on at its next slice
      return;
    }
    case 'pause':
      running = false;
      return;
    case 'setLr':
      currentSession().setLearningRate(message.lr);
      return;
    case 'predict':
      drawn = message.pixels;
      await currentSession().sync();
      predict(currentSession(), message.pixels);
      return;
    case 'testDigit': {
      const [image, label] = loadedData().test.get(message.index);
      const pixels = Float32Array.from(image.toTypedArray());
      post({ type: 'testDigit', index: message.index, label, pixels }, [pixels.buffer]);
      return;
    }
    case 'save': {
      const s = currentSession();
      await s.sync();
      post({ type: 'saved', bytes: s.save(), name: `tsgrad-cnn-step${s.step}.safetensors` });
      return;
    }
    case 'loadModel': {
      running = false;
      await loopEnded;
      const { backend, threads, capture, text } = await chooseBackend(message.backend.id, message.backend.threads);
      return configured(Session.load(message.bytes, message.name, message.settings, loadedData(), backend, capture), message.backend, threads, text, message.name);
    }
    case 'graph':
      await currentSession().sync();
      post({ type: 'graph', svg: currentSession().graphSvg() });
      return;
  }
}

// Messages are handled one after another: a start that follows a configure finds the new run.
let queue = Promise.resolve();
addEventListener('message', (event: MessageEvent<ToWorker>) => {
  queue = queue
    .then(() => handle(event.data))
    .catch((e: unknown) => post({ type: 'error', message: e instanceof Error ? e.message : String(e) }));
});
