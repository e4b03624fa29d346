/**
 * Chinese-CLIP's prompts. It was trained on Chinese captions, so labels go into Chinese sentences:
 * "一张{label}的照片。" ("a photo of a {label}.") by default, and a small ensemble in the manner of CLIP's prompt
 * ensembling (photo, picture, close-up, good/bad photo), averaged per label when asked for.
 */
import type { PromptTemplates } from '../../tasks/prompts';

export const CHINESE_CLIP_TEMPLATES: PromptTemplates = {
  default: ['一张{label}的照片。'],
  ensemble: [
    '一张{label}的照片。',
    '{label}的图片。',
    '一张{label}的特写照片。',
    '一张好看的{label}的照片。',
    '一张模糊的{label}的照片。',
    '一张{label}的高清照片。',
  ],
  language: 'zh',
};

/** The demo's starting labels for a Chinese-CLIP model: the English demo's (cat, dog, car, house, sunset, apple), in Chinese. */
export const CHINESE_DEMO_LABELS: readonly string[] = ['猫', '狗', '汽车', '房子', '日落', '苹果'];
