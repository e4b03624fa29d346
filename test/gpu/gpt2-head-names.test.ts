// ViT-GPT2 checkpoints store GPT-2's tied embedding under `decoder.transformer.wte.weight` (save_pretrained),
// `decoder.lm_head.weight` only (some of the Hub bot's conversions) or both. For each layout the family's
// stand-in offers (GPT2_HEAD, the generator's --gpt2-head), golden/vit-gpt2's tensors are written into that
// layout, loaded through the production parser and run: the logits must be golden's, within the manifest's tolerance.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import { Recorder } from '../../src/gpu/recorder';
import { VitGpt2Model } from '../../src/families/vit-gpt2/model';
import { GPT2_HEAD, type Gpt2Head } from '../../src/families/vit-gpt2/stand-in';
import { parametersFrom } from '../../src/nn/params';
import { parseSafetensors } from '../../src/weights/safetensors';
import { planSafetensors, type TensorHeader } from '../../src/weights/safetensors-writer';
import { WeightSet } from '../../src/weights/weight-set';
import { stateDictFor } from '../../scripts/models/index';
import { createDawnGpu } from '../helpers/dawn';
import { f32, f32Tolerances, GOLDEN, goldenJson, goldenTensors, i64AsI32 } from '../helpers/golden';
import { allClose } from '../helpers/reference';

const WTE = 'decoder.transformer.wte.weight';
const LM_HEAD = 'decoder.lm_head.weight';

let gpu: Gpu;
beforeAll(async () => { gpu = await createDawnGpu(); });
afterAll(() => gpu?.destroy());

/** golden/vit-gpt2's model.safetensors rewritten with the names the spec gives for `head` (lm_head ← wte's bytes). */
function checkpointIn(head: Gpt2Head): { bytes: Uint8Array; names: string[] } {
  const golden = parseSafetensors(new Uint8Array(readFileSync(resolve(GOLDEN, 'vit-gpt2', 'model.safetensors'))), 'golden/vit-gpt2').tensors;
  const names = stateDictFor(goldenJson('vit-gpt2', 'config.json'), { legacyBuffers: false, layout: { [GPT2_HEAD.flag]: head } }).map((s) => s.name);
  const source = (name: string): string => (name === LM_HEAD ? WTE : name);
  const plan = planSafetensors(names.map((name) => ({ ...(golden.get(source(name))! as TensorHeader), name })));
  const bytes = Buffer.concat([plan.header, ...plan.tensors.map((t) => golden.get(source(t.name))!.bytes)]);
  return { bytes: new Uint8Array(bytes), names };
}

describe('GPT-2 head naming (golden/vit-gpt2 in each layout)', () => {
  const inputs = goldenTensors('vit-gpt2', 'inputs');
  const outputs = goldenTensors('vit-gpt2', 'outputs');
  const tol = f32Tolerances('vit-gpt2');

  it('the spec names wte only, lm_head only, or both', () => {
    const has = (head: Gpt2Head) => {
      const { names } = checkpointIn(head);
      return [names.includes(WTE), names.includes(LM_HEAD)];
    };
    expect(has('wte')).toEqual([true, false]);
    expect(has('lm_head')).toEqual([false, true]);
    expect(has('both')).toEqual([true, true]);
  });

  it.each(GPT2_HEAD.values)('%s: loads and gives golden logits (teacher-forced)', async (head) => {
    const { bytes } = checkpointIn(head);
    const weights = WeightSet.fromFiles([{ file: 'model.safetensors', bytes }], `golden/vit-gpt2 (${head})`);
    const model = VitGpt2Model.load(parametersFrom(weights, gpu), goldenJson('vit-gpt2', 'config.json'));
    const pixels = inputs.get('pixel_values')!;
    const ids = inputs.get('decoder_input_ids')!;
    const [batch, length] = ids.shape as [number, number];
    const rec = new Recorder(gpu);
    const states = model.encodeImage(rec, gpu.fromHost(f32(inputs, 'pixel_values'), pixels.shape, 'f32'), batch);
    const memory = model.crossAttentionMemory(rec, states);
    const cache = model.createCache(batch, length);
    const logits = model.step(rec, cache, memory, { ids: i64AsI32(inputs, 'decoder_input_ids'), textMask: i64AsI32(inputs, 'decoder_attention_mask'), logits: 'all' });
    const read = rec.read(logits);
    await rec.submit();
    const out = await read;
    cache.release();
    memory.release();
    expect(logits.shape).toEqual(outputs.get('logits')!.shape);
    const check = allClose(out, f32(outputs, 'logits'), tol.logits.atol, tol.logits.rtol);
    expect(check.ok, `${head}: ${check.detail}`).toBe(true);
  });
});
