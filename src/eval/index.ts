/**
 * Evaluation: COCO caption metrics (BLEU, ROUGE-L, CIDEr-D exactly as pycocoevalcap, with its PTB
 * tokenization), zero-shot accuracy, image-text retrieval recall, and the dataset files an evaluation
 * run reads and writes. Pure TypeScript, no DOM: runs in the worker.
 */
export { bleuScores, type BleuResult } from './bleu';
export {
  scoreCaptions,
  type CaptionEvalItem,
  type CaptionMetricOptions,
  type CaptionMetrics,
  type CaptionScores,
  type ImageId,
} from './caption-metrics';
export { ciderDScores, type CiderOptions, type CiderResult } from './cider';
export { classificationMetrics, meanPerClassAccuracy, topKAccuracy, type ClassificationMetrics } from './classification-metrics';
export { parseCocoCaptions, type CocoCaptionOptions, type CocoImage } from './coco-captions';
export { parseCsv, type CsvRow } from './csv';
export { cocoResultsJson, scoresJson, toCocoResults, type CaptionPrediction, type CocoResult } from './export';
export { FileIndex } from './file-names';
export { labelsFromFolders, parseLabelCsv, type LabelCsvOptions, type LabeledImage, type LabeledSet, type LabelOptions } from './labels';
export { PTB_PUNCTUATION, ptbTokenize, ptbTokenizeAll } from './ptb-tokenizer';
export { retrievalRecall, type RetrievalMetrics } from './retrieval-metrics';
export { rougeLScores, type RougeResult } from './rouge';
export type { ScoreMatrix } from './score-matrix';
