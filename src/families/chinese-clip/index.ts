/**
 * Chinese-CLIP (ChineseCLIPModel): zero-shot classification and image/text embeddings with Chinese text. Any
 * checkpoint of model_type "chinese_clip" (OFA-Sys/chinese-clip-vit-base-patch16, -large-patch14, -large-patch14-336px,
 * -huge-patch14). Its prompts are Chinese: the family's default templates below.
 */
import { parsePreprocessorConfig } from '../../image/preprocess';
import type { Json } from '../../nn/config';
import { ZeroShotClassifier } from '../../tasks/zero-shot';
import type { Family } from '../family';
import { ChineseClipModel } from './model';
import { CHINESE_CLIP_TEMPLATES } from './templates';
import { loadChineseClipTokenizer } from './tokenizer';

/**
 * ChineseCLIPImageProcessor resizes, crops, rescales and normalises exactly as CLIPImageProcessor does (its
 * only difference is the class name), so its preprocessor_config.json is read as CLIP's.
 */
function asClipProcessor(json: Json): Json {
  return { ...json, image_processor_type: 'CLIPImageProcessor', feature_extractor_type: null };
}

export const chineseClip: Family = {
  name: 'chinese-clip',
  modelTypes: ['chinese_clip'],
  tasks: [{ task: 'zero-shot', architectures: ['ChineseCLIPModel'] }],
  files: () => ({ files: ['config.json', 'model.safetensors', 'preprocessor_config.json', 'vocab.txt'], optionalFiles: [] }),
  async load({ config, files, params }) {
    const preprocess = parsePreprocessorConfig(asClipProcessor(files.json('preprocessor_config.json') as Json), 'CLIPImageProcessor');
    const model = ChineseClipModel.load(params, config);
    const tokenizer = loadChineseClipTokenizer({ vocabTxt: files.text('vocab.txt')! }, model.maxTextTokens);
    return { 'zero-shot': new ZeroShotClassifier(model, tokenizer, preprocess, CHINESE_CLIP_TEMPLATES) };
  },
};
