// vitest setup of the 'one-thread' and 'three-threads' projects: the PyTorch parity test again with
// the CPU kernels on the thread count the project provides (the 'cpu' project runs at the default,
// the machine's cores). With threads, the workers are started, and seen to run shares, before the
// tests, so that the tests' kernels really are split.
import { beforeAll, expect, inject } from 'vitest';
import { randn, setCpuThreads, tidy, workerJobs } from '@tsgrad/ndarray';

declare module 'vitest' {
  export interface ProvidedContext {
    cpuThreads: number;
  }
}

beforeAll(async () => {
  const threads = inject('cpuThreads');
  setCpuThreads(threads);
  if (threads === 1) return;
  const a = randn([512, 512]);
  for (let attempt = 0; attempt < 200 && workerJobs() === 0; attempt++) {
    tidy(() => { a.matmul(a); }); // blocks of 2^23 multiply-adds: split across the threads
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(workerJobs()).toBeGreaterThan(0);
});
