// Page entry for `npm run bench`: the kernel and end-to-end benchmarks on this page's WebGPU adapter.
import { Gpu } from '../../../src/gpu/gpu';
import { indexedDbStore } from '../../../src/weights';
import { isCpuAdapter, runKernelBench, type BenchOptions, type BenchReport } from '../../bench/kernel-bench';
import { runModelBench, type ModelBenchOptions, type ModelReport } from '../../bench/model-bench';
import { runRetrievalBench, type RetrievalBenchOptions, type RetrievalBenchReport } from '../../bench/retrieval-bench';

const log = (line: string) => console.log(`[bench] ${line}`);

async function adapter(): Promise<{ cpu: boolean; f16: boolean }> {
  const gpu = await Gpu.create();
  try {
    return { cpu: isCpuAdapter(gpu.adapter), f16: gpu.features.f16 };
  } finally {
    gpu.destroy();
  }
}

async function run(options: Omit<BenchOptions, 'log'>): Promise<BenchReport> {
  const gpu = await Gpu.create();
  try {
    return await runKernelBench(gpu, { ...options, log });
  } finally {
    gpu.destroy();
  }
}

type PageModelOptions = Omit<ModelBenchOptions, 'log' | 'store' | 'storeName' | 'createGpu'>;

/** The models, cached in this page's real IndexedDB (database 'iris-bench'). */
function runModels(options: PageModelOptions): Promise<ModelReport> {
  return runModelBench({ ...options, store: indexedDbStore('iris-bench'), storeName: 'IndexedDB', createGpu: () => Gpu.create(), log });
}

/** Query ms at 1k / 10k / 100k stored vectors and images/s indexing with ViT-B/32 random weights. */
async function runRetrieval(options: Omit<RetrievalBenchOptions, 'log'>): Promise<RetrievalBenchReport> {
  const gpu = await Gpu.create();
  try {
    return await runRetrievalBench(gpu, { ...options, log });
  } finally {
    gpu.destroy();
  }
}

Object.assign(window, { irisBench: { adapter, run, runModels, runRetrieval } });
