// Page entry for `npm run bench`: runs the kernel benchmark on this page's WebGPU adapter.
import { Gpu } from '../../../src/gpu/gpu';
import { runKernelBench, type BenchOptions, type BenchReport } from '../../bench/kernel-bench';

async function run(options: Omit<BenchOptions, 'log'>): Promise<BenchReport> {
  const gpu = await Gpu.create();
  try {
    return await runKernelBench(gpu, { ...options, log: (line) => console.log(`[bench] ${line}`) });
  } finally {
    gpu.destroy();
  }
}

Object.assign(window, { irisBench: { run } });
