// A device lost while a request is in flight (issue 17): the in-flight submit reports 'device-lost' (not a
// gpu-error from its failed mapAsync), and the Gpu is marked lost by the time it does, so the request
// queued behind it gets a new device from GpuRuntime instead of the dead one.
import { describe, expect, it } from 'vitest';
import { IrisError } from '../../src/errors';
import { GpuRuntime } from '../../src/gpu/gpu';
import { Recorder } from '../../src/gpu/recorder';
import { softmax } from '../../src/kernels/softmax';
import { dawnGpu } from '../helpers/dawn';

describe('device loss in flight', () => {
  it('the in-flight submit is device-lost, and the next get() is a new, working device', async () => {
    const runtime = new GpuRuntime(dawnGpu());
    const gpu = await runtime.get();
    expect(runtime.active).toBe(gpu);
    const logits = new Float32Array([1, 2, 3, 4, 5]);
    const inFlight = new Recorder(gpu);
    inFlight.read(softmax(inFlight, gpu.fromHost(logits, [1, logits.length], 'f32')));
    const submitted = inFlight.submit();
    gpu.device.destroy(); // lost now, with its readback pending; device.lost is not awaited
    const error = await submitted.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(IrisError);
    expect((error as IrisError).code).toBe('device-lost');
    expect(gpu.lost).not.toBeNull(); // marked before the error arrived

    const renewed = await runtime.get();
    expect(renewed).not.toBe(gpu);
    const rec = new Recorder(renewed);
    const probs = rec.read(softmax(rec, renewed.fromHost(logits, [1, logits.length], 'f32')));
    await rec.submit();
    const exp = Array.from(logits, (x) => Math.exp(x - 5));
    const sum = exp.reduce((a, b) => a + b, 0);
    Array.from(await probs).forEach((p, i) => expect(p).toBeCloseTo(exp[i]! / sum, 6));
    renewed.destroy();
  });
});
