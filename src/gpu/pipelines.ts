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

/** Entry point and override constants; the shader code itself is the outer key of the cache. */
function variantKey(spec: ShaderSpec): string {
  let key = spec.entryPoint ?? 'main';
  if (spec.constants) for (const name of Object.keys(spec.constants).sort()) key += `|${name}=${spec.constants[name]}`;
  return key;
}

export class PipelineCache {
  /** code → variant → pipeline. Kernels pass the same (memoised) code string every time. */
  private readonly pipelines = new Map<string, Map<string, GPUComputePipeline>>();
  private readonly pending = new Map<string, Promise<GPUComputePipeline>>();
  private count = 0;
  private readonly modules = new Map<string, GPUShaderModule>();
  /** Milliseconds spent compiling, for the benchmark's "time to first result". */
  compileMs = 0;

  constructor(private readonly device: GPUDevice) {}

  get size(): number {
    return this.count;
  }

  get(spec: ShaderSpec): GPUComputePipeline {
    const cached = this.lookup(spec);
    if (cached) return cached;
    const start = performance.now();
    const pipeline = this.device.createComputePipeline(this.descriptor(spec));
    this.compileMs += performance.now() - start;
    this.store(spec, pipeline);
    return pipeline;
  }

  private lookup(spec: ShaderSpec): GPUComputePipeline | undefined {
    return this.pipelines.get(spec.code)?.get(variantKey(spec));
  }

  private store(spec: ShaderSpec, pipeline: GPUComputePipeline): void {
    let variants = this.pipelines.get(spec.code);
    if (!variants) this.pipelines.set(spec.code, (variants = new Map()));
    if (!variants.has(variantKey(spec))) this.count++;
    variants.set(variantKey(spec), pipeline);
  }

  /** Compiles every spec not yet cached, in parallel, reporting progress as each one finishes. */
  async prepare(specs: ShaderSpec[], onProgress?: (p: CompileProgress) => void): Promise<void> {
    const unique = new Map<string, ShaderSpec>();
    for (const spec of specs) unique.set(`${spec.name}|${variantKey(spec)}|${spec.code}`, spec);
    let compiled = 0;
    const start = performance.now();
    await Promise.all(
      [...unique].map(async ([key, spec]) => {
        if (!this.lookup(spec)) {
          let pending = this.pending.get(key);
          if (!pending) {
            pending = this.device.createComputePipelineAsync(this.descriptor(spec));
            this.pending.set(key, pending);
          }
          const pipeline = await pending;
          this.pending.delete(key);
          this.store(spec, pipeline);
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
