/**
 * ViT-GPT2 (VisionEncoderDecoderModel of a ViT encoder and a GPT-2 decoder with cross-attention): image
 * captioning. Any model_type "vision-encoder-decoder" checkpoint whose encoder is a ViT and decoder a GPT-2
 * (nlpconnect/vit-gpt2-image-captioning, …). The prompt is decoder_start_token_id; the attention maps are the
 * decoder's cross-attention to the encoder states.
 */
import type { Json } from '../../nn/config';
import { attentionRollout, headMeanRows, resolveLayers } from '../../nn/attention-maps';
import { parsePreprocessorConfig } from '../../image/preprocess';
import { Captioner, type CaptionModel } from '../../tasks/caption';
import { loadGpt2Tokenizer } from '../../tokenizers';
import type { Family } from '../family';
import { VitGpt2Model } from './model';

export const vitGpt2: Family = {
  name: 'vit-gpt2',
  modelTypes: ['vision-encoder-decoder'],
  tasks: [{ task: 'caption', architectures: ['VisionEncoderDecoderModel'] }],
  files: () => ({ files: ['config.json', 'model.safetensors', 'preprocessor_config.json', 'vocab.json', 'merges.txt'], optionalFiles: ['generation_config.json'] }),
  async load({ config, files, params, gpu }) {
    const preprocess = parsePreprocessorConfig(files.json('preprocessor_config.json'), 'ViTImageProcessor');
    const tokenizer = loadGpt2Tokenizer({ vocabJson: files.text('vocab.json')!, mergesTxt: files.text('merges.txt')! });
    const generation = (files.has('generation_config.json') ? files.json('generation_config.json') : {}) as Json;
    await gpu.pipelines.prepare(params.layoutSpecs()); // the Conv1D transposes run as the weights upload
    return { caption: new Captioner(vitGpt2CaptionModel(VitGpt2Model.load(params, config)), tokenizer, preprocess, generation) };
  },
};

export function vitGpt2CaptionModel(model: VitGpt2Model): CaptionModel {
  return {
    decoder: model,
    prompt: [model.config.decoderStartTokenId],
    eosTokenId: model.config.eosTokenId,
    kernelSpecs: () => model.kernelSpecs(),
    async attention(pixels, ids, layer) {
      const maps = await model.attentionMaps(pixels, ids, { encoder: { layers: 'all' }, cross: { layers: resolveLayers([layer], model.config.decoder.layers) } });
      const rows = ids.map((_, t) => t);
      return { positions: headMeanRows(maps.cross[0]!, rows, 1, model.encoderTokens), imageRollout: Array.from(attentionRollout(maps.encoder)) };
    },
  };
}
