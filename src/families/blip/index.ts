/**
 * BLIP (model_type "blip"): image captioning (BlipForConditionalGeneration, Salesforce/blip-image-captioning-*)
 * and visual question answering (BlipForQuestionAnswering, Salesforce/blip-vqa-*).
 *
 * Captions start from [DEC] (text_config.bos_token_id); with a text prompt, transformers writes [DEC] over the
 * prompt's [CLS] and drops its [SEP], and the caption continues the prompt. Generation stops at [SEP]
 * (sep_token_id: transformers passes it as eos, whatever generation_config.json says). Answers: the question
 * ([CLS] … [SEP]) goes through the question encoder over the image; the answer decoder starts from [DEC].
 *
 * Attention maps: captions, the text decoder's cross-attention to the image patches. Answers, the chain
 * answer decoder → question → image: each answer position's cross-attention over the question tokens (mean
 * over heads) times each question token's cross-attention to the image patches, of the same layer.
 */
import type { Json } from '../../nn/config';
import { attentionRollout, headMeanRows, meanOverHeads, resolveLayers } from '../../nn/attention-maps';
import { parsePreprocessorConfig } from '../../image/preprocess';
import { IrisError } from '../../errors';
import { Captioner, type CaptionModel } from '../../tasks/caption';
import { QuestionAnswerer, type VqaModel } from '../../tasks/vqa';
import type { Family } from '../family';
import { BlipCaptionModel, BlipVqaModel, parseBlipConfig } from './model';
import { loadBlipTokenizer } from './tokenizer';

export const blip: Family = {
  name: 'blip',
  modelTypes: ['blip'],
  tasks: [
    { task: 'caption', architectures: ['BlipForConditionalGeneration'] },
    { task: 'vqa', architectures: ['BlipForQuestionAnswering'] },
  ],
  files: () => ({ files: ['config.json', 'model.safetensors', 'preprocessor_config.json', 'vocab.txt'], optionalFiles: ['generation_config.json'] }),
  async load({ config, files, params }) {
    const preprocess = parsePreprocessorConfig(files.json('preprocessor_config.json'), 'BlipImageProcessor');
    const tokenizer = loadBlipTokenizer({ vocabTxt: files.text('vocab.txt')! });
    const generation = (files.has('generation_config.json') ? files.json('generation_config.json') : {}) as Json;
    // transformers' BLIP generate() stops at sep_token_id, not at generation_config's eos_token_id.
    const stopAtSep = { ...generation, eos_token_id: parseBlipConfig(config).sepTokenId };
    const architectures = Array.isArray(config.architectures) ? config.architectures : [];
    if (architectures.includes('BlipForQuestionAnswering')) {
      return { vqa: new QuestionAnswerer(blipVqaModel(BlipVqaModel.load(params, config)), tokenizer, preprocess, stopAtSep) };
    }
    return { caption: new Captioner(blipCaptionModel(BlipCaptionModel.load(params, config)), tokenizer, preprocess, stopAtSep) };
  },
};

export function blipCaptionModel(model: BlipCaptionModel): CaptionModel {
  const { bosTokenId, sepTokenId } = model.config;
  const maxPositions = model.config.text.maxPositions;
  return {
    decoder: model,
    prompt: [bosTokenId],
    eosTokenId: sepTokenId,
    textPrompt(text, tokenizer) {
      // [CLS] prompt [SEP] → [DEC] prompt: bos over the [CLS], the [SEP] dropped (as transformers' generate).
      const ids = [bosTokenId, ...tokenizer.encode(text, { addSpecialTokens: false })];
      if (ids.length >= maxPositions) {
        throw new IrisError('bad-input', `The caption prompt is ${ids.length} tokens long; this model reads at most ${maxPositions - 1} before the caption.`, { hint: 'Use a shorter prompt.' });
      }
      return ids;
    },
    kernelSpecs: () => model.kernelSpecs(),
    async attention(pixels, ids, layer) {
      const maps = await model.attentionMaps(pixels, ids, { vision: { layers: 'all' }, cross: { layers: resolveLayers([layer], model.config.text.layers) } });
      // Cross-attention column 0 is the class token; the patches follow.
      return { positions: headMeanRows(maps.cross[0]!, ids.map((_, t) => t), 1, model.vision.tokens), imageRollout: Array.from(attentionRollout(maps.vision)) };
    },
  };
}

export function blipVqaModel(model: BlipVqaModel): VqaModel {
  const { bosTokenId, sepTokenId } = model.config;
  const maxPositions = model.config.text.maxPositions;
  return {
    questionIds: (question, tokenizer) => tokenizer.encode(question),
    maxQuestionTokens: maxPositions,
    decoding: (questionIds) => {
      // A right-padded question (a row of a padded batch) keeps its length: the encoder masks the [PAD]s, and the
      // answer decoder still cross-attends to every position, as transformers does.
      const padded = questionIds.includes(model.config.padTokenId);
      const mask = padded ? questionIds.map((id) => (id === model.config.padTokenId ? 0 : 1)) : undefined;
      return { decoder: model.answerDecoderFor(questionIds, mask), prompt: [bosTokenId], maxTokens: maxPositions };
    },
    eosTokenId: sepTokenId,
    kernelSpecs: () => model.kernelSpecs(),
    async attention(pixels, questionIds, ids, layer) {
      const l = resolveLayers([layer], model.config.text.layers);
      const maps = await model.attentionMaps(pixels, questionIds, ids, { vision: { layers: 'all' }, questionCross: { layers: l }, answerCross: { layers: l } });
      const toQuestion = meanOverHeads(maps.answerCross[0]!); // [answer positions, question tokens]
      const toImage = headMeanRows(maps.questionCross[0]!, questionIds.map((_, q) => q), 1, model.vision.tokens); // [question tokens][patches]
      const Q = questionIds.length;
      const positions = ids.map((_, t) => {
        const row = new Array<number>(toImage[0]!.length).fill(0);
        for (let q = 0; q < Q; q++) {
          const w = toQuestion[t * Q + q]!;
          toImage[q]!.forEach((v, p) => (row[p]! += w * v));
        }
        return row;
      });
      return { positions, imageRollout: Array.from(attentionRollout(maps.vision)) };
    },
  };
}
