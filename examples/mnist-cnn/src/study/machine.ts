import { arch, cpus, release, type } from 'node:os';
import { getCpuThreads } from '@tsgrad/ndarray';

/**
 * The machine a run is measured on, in one line: OS, CPU model and cores, Node version, and the
 * threads tsgrad's CPU kernels use (a run's record says how it was run).
 *
 * @example
 * machineLine(); // 'Linux 6.8.0 x64; AMD EPYC (2 cores); Node v20.20.2; 2 CPU threads'
 */
export function machineLine(): string {
  const cpu = cpus();
  const model = cpu[0]?.model.trim() ?? 'unknown CPU';
  return `${type()} ${release()} ${arch()}; ${model} (${cpu.length} cores); Node ${process.version}; ${getCpuThreads()} CPU threads`;
}
