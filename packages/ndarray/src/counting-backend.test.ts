import { describe, expect, it } from 'vitest';
import { cpuBackend, referenceBackend } from './index.js';
import { CountingBackend, runConformance } from './testing.js';

// The whole suite on opaque storage: any code that still reached into storage would fail here.
runConformance(new CountingBackend(cpuBackend, 'opaque'), { describe, it, expect });
// And with asynchronous reads only, as a WebGPU backend: results are read with await data().
runConformance(new CountingBackend(referenceBackend, 'opaque-async', { syncRead: false }), { describe, it, expect });
