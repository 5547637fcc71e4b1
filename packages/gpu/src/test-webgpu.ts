// Test support: WebGPU for a test file where an adapter answers (Mesa's llvmpipe here; the backend
// and feature level can be changed through TSGRAD_WEBGPU_BACKEND / TSGRAD_WEBGPU_FEATURE_LEVEL),
// else null, saying which tests are skipped. Not exported by the package.
import { installNodeWebGPU, type NodeWebGPU } from './node-webgpu.js';

/**
 * The installed WebGPU, or null (logged, with `skipped` named) when no adapter answers.
 *
 * @example
 * const webgpu = await testWebGPU('the webgpu kernel tests');
 */
export async function testWebGPU(skipped: string): Promise<NodeWebGPU | null> {
  const webgpu = await installNodeWebGPU({
    backend: process.env.TSGRAD_WEBGPU_BACKEND ?? 'opengles',
    featureLevel: process.env.TSGRAD_WEBGPU_FEATURE_LEVEL ?? 'compatibility',
  }).catch((e: unknown) => {
    console.log(`webgpu: no adapter (${String(e)})`);
    return null;
  });
  if (webgpu === null) console.log(`webgpu: no adapter answered; ${skipped} are skipped`);
  return webgpu;
}
