// The BLIP family's runners, built by its load() from the golden checkpoints as the worker builds them: the
// captioner from golden/blip (the image from its uint8 pixels through BlipImageProcessor, generation stopping at
// [SEP] whatever generation_config.json says) and the question answerer's decoding from golden/blip-vqa.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { familyFor } from '../../src/families';
import type { Gpu } from '../../src/gpu/gpu';
import { CaptionSession } from '../../src/nn/caption-session';
import { generate } from '../../src/nn/generate';
import { parametersFrom } from '../../src/nn/params';
import type { Runners } from '../../src/tasks/task';
import { ModelFiles } from '../../src/weights/model-files';
import { createDawnGpu } from '../helpers/dawn';
import { GOLDEN_DIR, f32Row, goldenJson, goldenTensors, i64AsI32, shapeOf } from '../helpers/golden';
import { tensorOf } from '../helpers/safetensors-node';

let gpu: Gpu;
beforeAll(async () => { gpu = await createDawnGpu(); });
afterAll(() => gpu?.destroy());

const vocabTxt = readFileSync(path.resolve(process.cwd(), '../shared/tokenizers/bert/vocab.txt'));

/** The golden folder as a repository: its files, the BERT vocab.txt, and a preprocessor_config.json for its image size. */
async function loadRunners(model: string): Promise<Runners> {
  const config = goldenJson(model, 'config.json');
  const size = shapeOf(goldenTensors(model, 'inputs'), 'pixel_values').at(-1)!;
  // What BlipProcessor did to make pixel_values: resize to the image size (the images already have it), CLIP mean/std.
  const preprocessor = { image_processor_type: 'BlipImageProcessor', size: { height: size, width: size } };
  const encode = (json: unknown) => new TextEncoder().encode(JSON.stringify(json));
  const contents = new Map<string, Uint8Array | null>([
    ['config.json', encode(config)],
    ['generation_config.json', readFileSync(path.join(GOLDEN_DIR, model, 'generation_config.json'))],
    ['model.safetensors', new Uint8Array(readFileSync(path.join(GOLDEN_DIR, model, 'model.safetensors')))],
    ['preprocessor_config.json', encode(preprocessor)],
    ['vocab.txt', vocabTxt],
  ]);
  const files = new ModelFiles(`golden/${model}`, 'main', 'main', contents);
  const family = familyFor(config);
  return family.load({ config, files, params: parametersFrom(files.weights(), gpu), gpu });
}

/** Image b of an NHWC uint8 golden tensor as RGBA. */
function goldenImage(model: string, b: number) {
  const image = tensorOf(goldenTensors(model, 'inputs'), 'image_uint8', 'U8');
  const [, height, width] = image.shape as [number, number, number, number];
  const rgb = image.data.subarray(b * height * width * 3, (b + 1) * height * width * 3);
  const data = new Uint8Array(width * height * 4).fill(255);
  for (let i = 0; i < width * height; i++) data.set(rgb.subarray(i * 3, i * 3 + 3), i * 4);
  return { width, height, data };
}

describe('BLIP runners from the family', () => {
  it('golden/blip: only a captioner, whose greedy caption of the uint8 image is generated_ids ([SEP] stops it)', async () => {
    const runners = await loadRunners('blip');
    expect(Object.keys(runners)).toEqual(['caption']);
    const generated = Array.from(i64AsI32(goldenTensors('blip', 'outputs'), 'generated_ids'));
    const result = await runners.caption!.caption(goldenImage('blip', 0), { maxNewTokens: generated.length - 1, numBeams: 1 });
    expect(result.ids).toEqual(generated);
    expect(result.tokens).toBe(generated.length - 1);
  });

  it('golden/blip-vqa: only a question answerer, whose decoding of the padded question row gives generated_ids', async () => {
    const runners = await loadRunners('blip-vqa');
    expect(Object.keys(runners)).toEqual(['vqa']);
    const inputs = goldenTensors('blip-vqa', 'inputs');
    const outputs = goldenTensors('blip-vqa', 'outputs');
    const length = shapeOf(inputs, 'input_ids')[1]!;
    const { vqaModel } = runners.vqa!;
    // Row 0 as generate() got it, right-padded with [PAD]: the decoding masks the padding in the encoder only.
    const decoding = vqaModel.decoding(Array.from(i64AsI32(inputs, 'input_ids').subarray(0, length)));
    const generated = Array.from(i64AsI32(outputs, 'generated_ids'));
    expect(decoding.prompt).toEqual(generated.slice(0, 1));
    expect(vqaModel.eosTokenId).toBe(goldenJson<{ text_config: { sep_token_id?: number } }>('blip-vqa', 'config.full.json').text_config.sep_token_id);
    const session = new CaptionSession(decoding.decoder, f32Row(inputs, 'pixel_values', 0), generated.length);
    const result = await generate(session, decoding.prompt, {
      maxNewTokens: generated.length - 1, numBeams: 1, minLength: 0, lengthPenalty: 1, earlyStopping: false, noRepeatNgramSize: 0, repetitionPenalty: 1, eosTokenIds: [vqaModel.eosTokenId],
    });
    session.dispose();
    expect(result.ids).toEqual(generated);
  });
});
