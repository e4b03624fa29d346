/**
 * GIT (GitForCausalLM): image captioning and visual question answering. Any checkpoint of model_type "git"
 * (microsoft/git-base-coco, microsoft/git-base-vqav2, …). A VQA checkpoint is the same GitForCausalLM as a
 * captioning one (nothing in config.json tells them apart), so every GIT checkpoint serves both tasks with
 * the same weights; the catalogue (src/worker/registry.ts) lists each under the task it was fine-tuned for
 * and refuses the other before any download.
 *
 * Captions: the prompt is [CLS]. Answers: the prompt is [CLS] + the question's word pieces, no [SEP]
 * (transformers' GIT VQA example), and the answer is its continuation up to [SEP]. The attention maps are
 * the text → image-token attention of a GIT layer.
 */
import type { Json } from '../../nn/config';
import { attentionRollout, headMeanRows, resolveLayers } from '../../nn/attention-maps';
import { parsePreprocessorConfig } from '../../image/preprocess';
import { Captioner, type CaptionModel } from '../../tasks/caption';
import { QuestionAnswerer, type VqaModel } from '../../tasks/vqa';
import { loadBertTokenizer } from '../../tokenizers';
import type { Family } from '../family';
import { GitModel } from './model';

export const git: Family = {
  name: 'git',
  modelTypes: ['git'],
  tasks: [{ task: 'caption', architectures: ['GitForCausalLM'] }, { task: 'vqa', architectures: ['GitForCausalLM'] }],
  files: () => ({ files: ['config.json', 'model.safetensors', 'preprocessor_config.json', 'vocab.txt'], optionalFiles: ['generation_config.json'] }),
  async load({ config, files, params }) {
    const preprocess = parsePreprocessorConfig(files.json('preprocessor_config.json'), 'CLIPImageProcessor');
    const tokenizer = loadBertTokenizer({ vocabTxt: files.text('vocab.txt')! });
    const generation = (files.has('generation_config.json') ? files.json('generation_config.json') : {}) as Json;
    const model = GitModel.load(params, config);
    return {
      caption: new Captioner(gitCaptionModel(model), tokenizer, preprocess, generation),
      vqa: new QuestionAnswerer(gitVqaModel(model), tokenizer, preprocess, generation),
    };
  },
};

export function gitCaptionModel(model: GitModel): CaptionModel {
  return {
    decoder: model,
    prompt: [model.config.bosTokenId],
    eosTokenId: model.config.eosTokenId,
    kernelSpecs: () => model.kernelSpecs(),
    attention: (pixels, ids, layer) => textToImageAttention(model, pixels, ids, layer),
  };
}

/** GIT answers by continuing [CLS] + question: the question is the prompt, the text positions are shared. */
export function gitVqaModel(model: GitModel): VqaModel {
  const { bosTokenId, maxPositions } = model.config;
  return {
    questionIds: (question, tokenizer) => [bosTokenId, ...tokenizer.encode(question, { addSpecialTokens: false })],
    // Text positions 0..maxPositions-1 hold the question and the answer: leave one for the answer.
    maxQuestionTokens: maxPositions - 1,
    decoding: (questionIds) => ({ decoder: model, prompt: [...questionIds], maxTokens: maxPositions }),
    eosTokenId: model.config.eosTokenId,
    kernelSpecs: () => model.kernelSpecs(),
    attention: (pixels, _questionIds, ids, layer) => textToImageAttention(model, pixels, ids, layer),
  };
}

/** Per text position of `ids`, layer `layer`'s attention to the image tokens (mean over heads), and the ViT rollout. */
async function textToImageAttention(model: GitModel, pixels: Float32Array, ids: readonly number[], layer: number) {
  const P = model.imageTokens;
  const maps = await model.attentionMaps(pixels, ids, { vision: { layers: 'all' }, text: { layers: resolveLayers([layer], model.config.layers) } });
  // Row P + t of a GIT layer is text position t; its first P columns are the image tokens.
  const rows = ids.map((_, t) => P + t);
  return { positions: headMeanRows(maps.text[0]!, rows, 1, P), imageRollout: Array.from(attentionRollout(maps.vision)) };
}
