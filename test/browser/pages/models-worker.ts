// Worker entry for test/browser/models.test.ts: runs the model checks inside a dedicated module Worker (where
// the product runs its models), with its own WebGPU device, fetch and IndexedDB.
import { runs, type RunName } from './model-runs';

export interface RunRequest {
  id: number;
  name: RunName;
  args: unknown;
}

export type RunResponse = { id: number; result: unknown } | { id: number; error: string };

onmessage = async (event: MessageEvent<RunRequest>) => {
  const { id, name, args } = event.data;
  try {
    const result = await (runs[name] as (a: unknown) => Promise<unknown>)(args);
    postMessage({ id, result } satisfies RunResponse);
  } catch (error) {
    postMessage({ id, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) } satisfies RunResponse);
  }
};
