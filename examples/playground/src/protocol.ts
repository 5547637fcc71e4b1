/**
 * The messages between the page and the training worker. The page asks; the worker trains in
 * time slices and reports. Typed arrays travel as transferables where they are large.
 */
import type { BackendDescription } from '@tsgrad/ndarray';
import type { NetConfig } from '../../mnist-cnn/src/network.js';
import type { BackendId } from './backend-info.js';
import type { ImageStack } from './session.js';

/** The four gzipped IDX files, as absolute URLs (the worker's own URL is not the page's). */
export interface MnistUrls {
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
}

/** Settings of a new run. */
export interface RunSettings {
  net: NetConfig;
  lr: number;
  batchSize: number;
  epochs: number;
  seed: number;
}

/** The backend to train on, and its CPU threads (more than 1 only for 'cpu-threads'). */
export interface BackendRequest {
  id: BackendId;
  threads: number;
}

/** Page -> worker. */
export type ToWorker =
  | { type: 'load'; urls: MnistUrls }
  | { type: 'configure'; settings: RunSettings; backend: BackendRequest }
  | { type: 'start' }
  | { type: 'pause' }
  | { type: 'setLr'; lr: number }
  | { type: 'predict'; pixels: Float32Array }
  | { type: 'testDigit'; index: number }
  | { type: 'save' }
  | { type: 'loadModel'; bytes: Uint8Array; name: string; settings: Omit<RunSettings, 'net'>; backend: BackendRequest }
  | { type: 'graph' };

/** A point of the loss curve: the mean loss of the steps since the last point. */
export interface LossPoint {
  step: number;
  loss: number;
}

/** Worker -> page. */
export type FromWorker =
  | { type: 'loaded'; trainImages: number; testImages: number; seconds: number; backend: BackendDescription }
  | {
      type: 'configured';
      settings: RunSettings;
      parameters: number;
      stepsPerEpoch: number;
      step: number;
      source?: string;
      /** The backend that trains this run, its id and in words. */
      backend: BackendId;
      backendText: string;
    }
  | {
      type: 'progress';
      step: number;
      epoch: number;
      stepInEpoch: number;
      stepsPerEpoch: number;
      epochs: number;
      stepsPerSecond: number;
      losses: LossPoint[];
      lr: number;
      /** Matrix-product blocks the CPU's Web Workers have run (0 on one thread), and why they failed to start if they did. */
      threadJobs: number;
      threadError?: string;
      /** Kernel dispatches on the WebGPU device so far (0 on other backends): the replayed steps. */
      deviceLaunches: number;
    }
  | { type: 'evaluated'; step: number; accuracy: number; images: number }
  | { type: 'state'; running: boolean; finished: boolean }
  | { type: 'filters'; filters: ImageStack }
  | { type: 'prediction'; probabilities: number[]; featureMaps: ImageStack }
  | { type: 'testDigit'; index: number; label: number; pixels: Float32Array }
  | { type: 'saved'; bytes: Uint8Array; name: string }
  | { type: 'graph'; svg: string }
  | { type: 'error'; message: string };
