/**
 * Compute pipelines, compiled once per (shader, entry point, override constants) and reused.
 * `prepare` compiles asynchronously (createComputePipelineAsync) so a model can compile every kernel it
 * needs up front without blocking; `get` returns the cached pipeline, compiling synchronously on a miss.
 */
export interface ShaderSpec {
  /** Stable name, used in cache keys, labels and error messages (e.g. "matmul"). */
  name: string;
  code: string;
  entryPoint?: string;
  /** WGSL `override` constants: specialise a shader per shape/variant without string templating. */
  constants?: Record<string, number>;
}

export interface CompileProgress {
  compiled: number;
  total: number;
  name: string;
}

export function pipelineKey(spec: ShaderSpec): string {
  const constants = spec.constants ? Object.entries(spec.constants).sort(([a], [b]) => (a < b ? -1 : 1)) : [];
  return `${spec.name}|${spec.entryPoint ?? 'main'}|${JSON.stringify(constants)}|${spec.code.length}`;
}

export class PipelineCache {
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly pending = new Map<string, Promise<GPUComputePipeline>>();
  private readonly modules = new Map<string, GPUShaderModule>();
  /** Milliseconds spent compiling, for the benchmark's "time to first result". */
  compileMs = 0;

  constructor(private readonly device: GPUDevice) {}

  get size(): number {
    return this.pipelines.size;
  }

  get(spec: ShaderSpec): GPUComputePipeline {
    const key = pipelineKey(spec);
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      const start = performance.now();
      pipeline = this.device.createComputePipeline(this.descriptor(spec));
      this.compileMs += performance.now() - start;
      this.pipelines.set(key, pipeline);
    }
    return pipeline;
  }

  /** Compiles every spec not yet cached, in parallel, reporting progress as each one finishes. */
  async prepare(specs: ShaderSpec[], onProgress?: (p: CompileProgress) => void): Promise<void> {
    const unique = new Map<string, ShaderSpec>();
    for (const spec of specs) unique.set(pipelineKey(spec), spec);
    let compiled = 0;
    const start = performance.now();
    await Promise.all(
      [...unique].map(async ([key, spec]) => {
        if (!this.pipelines.has(key)) {
          let pending = this.pending.get(key);
          if (!pending) {
            pending = this.device.createComputePipelineAsync(this.descriptor(spec));
            this.pending.set(key, pending);
          }
          const pipeline = await pending;
          this.pending.delete(key);
          this.pipelines.set(key, pipeline);
        }
        onProgress?.({ compiled: ++compiled, total: unique.size, name: spec.name });
      }),
    );
    this.compileMs += performance.now() - start;
  }

  private descriptor(spec: ShaderSpec): GPUComputePipelineDescriptor {
    let module = this.modules.get(spec.code);
    if (!module) {
      module = this.device.createShaderModule({ code: spec.code, label: spec.name });
      this.modules.set(spec.code, module);
    }
    return {
      label: spec.name,
      layout: 'auto',
      compute: { module, entryPoint: spec.entryPoint ?? 'main', constants: spec.constants },
    };
  }
}
