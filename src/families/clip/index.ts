/**
 * CLIP (CLIPModel): zero-shot classification and image/text embeddings. Any checkpoint of model_type "clip"
 * (openai/clip-vit-base-patch32, -patch16, laion/CLIP-ViT-B-32-laion2B-s34B-b79K, …).
 */
import { parsePreprocessorConfig } from '../../image/preprocess';
import { ZeroShotClassifier } from '../../tasks/zero-shot';
import { loadClipTokenizer } from '../../tokenizers';
import type { Family } from '../family';
import { ClipModel } from './model';

export const clip: Family = {
  name: 'clip',
  modelTypes: ['clip'],
  tasks: [{ task: 'zero-shot', architectures: ['CLIPModel'] }],
  files: () => ({ files: ['config.json', 'model.safetensors', 'preprocessor_config.json', 'vocab.json', 'merges.txt'], optionalFiles: [] }),
  async load({ config, files, params }) {
    const preprocess = parsePreprocessorConfig(files.json('preprocessor_config.json'), 'CLIPImageProcessor');
    const tokenizer = loadClipTokenizer({ vocabJson: files.text('vocab.json')!, mergesTxt: files.text('merges.txt')! });
    return { 'zero-shot': new ZeroShotClassifier(ClipModel.load(params, config), tokenizer, preprocess) };
  },
};
