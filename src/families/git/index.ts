/**
 * GIT (GitForCausalLM): image captioning. Any checkpoint of model_type "git" (microsoft/git-base-coco, …).
 * The prompt is [CLS]; the attention maps are the text → image-token attention of a GIT layer.
 */
import type { Json } from '../../nn/config';
import { attentionRollout, headMeanRows, resolveLayers } from '../../nn/attention-maps';
import { parsePreprocessorConfig } from '../../image/preprocess';
import { Captioner, type CaptionModel } from '../../tasks/caption';
import { loadBertTokenizer } from '../../tokenizers';
import type { Family } from '../family';
import { GitModel } from './model';

export const git: Family = {
  name: 'git',
  modelTypes: ['git'],
  tasks: [{ task: 'caption', architectures: ['GitForCausalLM'] }],
  files: () => ({ files: ['config.json', 'model.safetensors', 'preprocessor_config.json', 'vocab.txt'], optionalFiles: ['generation_config.json'] }),
  async load({ config, files, params }) {
    const preprocess = parsePreprocessorConfig(files.json('preprocessor_config.json'), 'CLIPImageProcessor');
    const tokenizer = loadBertTokenizer({ vocabTxt: files.text('vocab.txt')! });
    const generation = (files.has('generation_config.json') ? files.json('generation_config.json') : {}) as Json;
    return { caption: new Captioner(gitCaptionModel(GitModel.load(params, config)), tokenizer, preprocess, generation) };
  },
};

export function gitCaptionModel(model: GitModel): CaptionModel {
  return {
    decoder: model,
    prompt: [model.config.bosTokenId],
    eosTokenId: model.config.eosTokenId,
    kernelSpecs: () => model.kernelSpecs(),
    async attention(pixels, ids, layer) {
      const P = model.imageTokens;
      const maps = await model.attentionMaps(pixels, ids, { vision: { layers: 'all' }, text: { layers: resolveLayers([layer], model.config.layers) } });
      // Row P + t of a GIT layer is text position t; its first P columns are the image tokens.
      const rows = ids.map((_, t) => P + t);
      return { positions: headMeanRows(maps.text[0]!, rows, 1, P), imageRollout: Array.from(attentionRollout(maps.vision)) };
    },
  };
}
