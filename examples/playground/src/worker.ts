/**
 * The training worker: loads MNIST, runs a `Session` in time slices of about 50 ms so that
 * messages (pause, learning rate, a digit to classify) are handled between slices, and reports
 * progress a few times a second. Started by the page as a module worker.
 */
import { getBackend } from '@tsgrad/ndarray';
import { MNIST } from '@tsgrad/mnist';
import { yieldToEventLoop } from '../../mnist-cnn/src/training-loop.js';
import type { FromWorker, LossPoint, MnistUrls, ToWorker } from './protocol.js';
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

function configured(s: Session, source?: string): void {
  session = s;
  running = false;
  post({ type: 'configured', settings: { ...s.config }, parameters: s.parameterCount, stepsPerEpoch: s.stepsPerEpoch, step: s.step, source });
  post({ type: 'state', running: false, finished: s.finished });
  refreshPictures(s);
}

function refreshPictures(s: Session): void {
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
  try {
    while (running && session === s && !s.finished) {
      const sliceStart = performance.now();
      while (performance.now() - sliceStart < SLICE_MS && !s.finished) {
        const { loss, epochEnded } = s.trainOne();
        stepsSinceReport++;
        windowSum += loss;
        windowCount++;
        if (windowCount === LOSS_WINDOW) {
          losses.push({ step: s.step, loss: windowSum / windowCount });
          windowSum = 0;
          windowCount = 0;
        }
        if (epochEnded) post({ type: 'evaluated', step: s.step, accuracy: s.accuracy(true), images: s.data.test.length });
        else if (s.step % EVAL_EVERY === 0) post({ type: 'evaluated', step: s.step, accuracy: s.accuracy(), images: Math.min(1000, s.data.test.length) });
      }
      const now = performance.now();
      if (now - lastReport >= PROGRESS_MS || s.finished) {
        const rate = stepsSinceReport / ((now - lastReport) / 1000);
        stepsPerSecond = stepsPerSecond === 0 ? rate : 0.7 * stepsPerSecond + 0.3 * rate; // smoothed
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
        });
        losses = [];
        stepsSinceReport = 0;
        lastReport = now;
      }
      if (now - lastRefresh >= REFRESH_MS) {
        refreshPictures(s);
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
      refreshPictures(s);
      post({ type: 'state', running: false, finished: s.finished });
    }
  }
}

function handle(message: ToWorker): void | Promise<void> {
  switch (message.type) {
    case 'load':
      return load(message.urls);
    case 'configure':
      configured(new Session(message.settings, loadedData()));
      return;
    case 'start': {
      const s = currentSession();
      if (s.finished) throw new Error(`this run has finished its ${s.config.epochs} epochs: apply the network again to start a new one`);
      running = true;
      post({ type: 'state', running: true, finished: false });
      if (looping !== s) void loop(s); // else the live loop goes on at its next slice
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
      post({ type: 'saved', bytes: s.save(), name: `tsgrad-cnn-step${s.step}.safetensors` });
      return;
    }
    case 'loadModel':
      configured(Session.load(message.bytes, message.name, message.settings, loadedData()), message.name);
      return;
    case 'graph':
      post({ type: 'graph', svg: currentSession().graphSvg() });
      return;
  }
}

addEventListener('message', (event: MessageEvent<ToWorker>) => {
  Promise.resolve()
    .then(() => handle(event.data))
    .catch((e: unknown) => post({ type: 'error', message: e instanceof Error ? e.message : String(e) }));
});
