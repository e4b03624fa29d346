/** Zero-shot classification accuracy and image-text retrieval recall, on hand-computed examples. */
import { describe, expect, it } from 'vitest';
import { expectBadInput } from '../helpers/errors';
import { classificationMetrics, meanPerClassAccuracy, topKAccuracy } from '../../src/eval/classification-metrics';
import { retrievalRecall } from '../../src/eval/retrieval-metrics';

describe('classification accuracy', () => {
  // The true class's rank in each row, worked out by hand: 0, 2, 1, 1.
  const scores = [
    [0.1, 0.7, 0.2], // true 1: best → rank 0
    [0.5, 0.3, 0.2], // true 2: worst → rank 2
    [0.2, 0.2, 0.6], // true 0: only 0.6 is higher; the equal 0.2 of class 1 has a higher index → rank 1
    [0.4, 0.4, 0.1], // true 1: class 0 ties and has the lower index → rank 1
  ];
  const labels = [1, 2, 0, 1];

  it('top-1, top-K and mean per-class accuracy', () => {
    expect(topKAccuracy(scores, labels, 1)).toBe(1 / 4);
    expect(topKAccuracy(scores, labels, 2)).toBe(3 / 4);
    expect(topKAccuracy(scores, labels, 3)).toBe(1);
    // class 1: 1 of 2 right, class 2: 0 of 1, class 0: 0 of 1
    expect(meanPerClassAccuracy(scores, labels)).toBeCloseTo(0.5 / 3, 15);
    expect(classificationMetrics(scores, labels)).toEqual({ top1: 0.25, top5: 1, meanPerClassAccuracy: 0.5 / 3, count: 4 });
  });

  it('breaks ties in favour of the lower class index', () => {
    const tied = [[0.3, 0.3, 0.3]];
    expect(topKAccuracy(tied, [0], 1)).toBe(1);
    expect(topKAccuracy(tied, [1], 1)).toBe(0);
    expect(topKAccuracy(tied, [1], 2)).toBe(1);
    expect(topKAccuracy(tied, [2], 2)).toBe(0);
  });

  it('counts everything as a hit when K is at least the number of classes', () => {
    expect(topKAccuracy(scores, labels, 5)).toBe(1);
    expect(topKAccuracy([[0, 1]], [0], 1000)).toBe(1);
  });

  it('takes a flat [N, C] array (as the models return) as well as rows', () => {
    const flat = { data: Float32Array.from(scores.flat()), rows: 4, cols: 3 };
    expect(classificationMetrics(flat, labels)).toEqual(classificationMetrics(scores, labels));
  });

  it('averages per class only over classes that have images', () => {
    // 3 images of class 0 (all right), 1 of class 1 (wrong), none of class 2: (1 + 0) / 2, not / 3.
    const s = [[1, 0, 0], [1, 0, 0], [1, 0, 0], [1, 0, 0]];
    expect(meanPerClassAccuracy(s, [0, 0, 0, 1])).toBe(0.5);
    expect(topKAccuracy(s, [0, 0, 0, 1], 1)).toBe(0.75);
  });

  it('rejects bad input with bad-input', () => {
    expectBadInput(() => topKAccuracy([], [], 1), /empty/);
    expectBadInput(() => topKAccuracy([[]], [0], 1), /empty/);
    expectBadInput(() => topKAccuracy({ data: [], rows: 0, cols: 3 }, [], 1), /empty/);
    expectBadInput(() => topKAccuracy({ data: [1, 2, 3], rows: 2, cols: 2 }, [0, 0], 1), /3 values do not make a 2×2/);
    expectBadInput(() => topKAccuracy([[1, 2], [3]], [0, 0], 1), /row 1 has 1 values but row 0 has 2/);
    expectBadInput(() => topKAccuracy([[1, 2]], [0, 1], 1), /2 labels for 1 rows/);
    expectBadInput(() => topKAccuracy([[1, 2]], [2], 1), /Label 2 of image 0 is not a class index in 0..1/);
    expectBadInput(() => topKAccuracy([[1, 2]], [-1], 1), /Label -1/);
    expectBadInput(() => topKAccuracy([[1, 2]], [0.5], 1), /Label 0.5/);
    expectBadInput(() => topKAccuracy([[1, NaN]], [0], 1), /row 0, column 1 is NaN/);
    expectBadInput(() => topKAccuracy([[1, 2]], [0], 0), /K must be a positive whole number, got 0/);
    expectBadInput(() => classificationMetrics([], []), /empty/);
  });
});

describe('retrieval recall', () => {
  // 3 images, 5 texts; texts 0 and 1 describe image 0, text 2 image 1, texts 3 and 4 image 2.
  const similarity = [
    [0.9, 0.1, 0.3, 0.2, 0.8],
    [0.5, 0.4, 0.3, 0.6, 0.7],
    [0.2, 0.9, 0.1, 0.4, 0.4],
  ];
  const imageOfText = [0, 0, 1, 2, 2];

  it('image→text counts a hit if any of the image\'s texts is in the top K', () => {
    // image 0: text 0 is best → rank 0. image 1: text 2 (0.3) is beaten by 4 texts → rank 4.
    // image 2: texts 3 and 4 tie at 0.4; text 3 (lower index) is its best, beaten only by text 1 → rank 1.
    const { imageToText } = retrievalRecall(similarity, imageOfText, [1, 2, 5, 10]);
    expect(imageToText).toEqual({ 1: 1 / 3, 2: 2 / 3, 5: 1, 10: 1 });
  });

  it('text→image ranks each text\'s own image among all images', () => {
    // text 0 → image 0 rank 0; text 1 → rank 2; text 2 → image 1 ties with image 0 (lower index) → rank 1;
    // text 3 → image 2 beaten by image 1 → rank 1; text 4 → rank 2.
    const { textToImage, images, texts } = retrievalRecall(similarity, imageOfText, [1, 2, 5]);
    expect(textToImage).toEqual({ 1: 1 / 5, 2: 3 / 5, 5: 1 });
    expect([images, texts]).toEqual([3, 5]);
  });

  it('defaults to K = 1, 5, 10 and is perfect for a COCO-style block-diagonal similarity', () => {
    const images = 12;
    const captions = 5;
    const data = new Float32Array(images * images * captions);
    const owner = Array.from({ length: images * captions }, (_, t) => Math.floor(t / captions));
    owner.forEach((image, t) => (data[image * images * captions + t] = 1));
    const result = retrievalRecall({ data, rows: images, cols: images * captions }, owner);
    expect(result.imageToText).toEqual({ 1: 1, 5: 1, 10: 1 });
    expect(result.textToImage).toEqual({ 1: 1, 5: 1, 10: 1 });
  });

  it('breaks ties in favour of the lower index when all similarities are equal', () => {
    const flat = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
    const { imageToText, textToImage } = retrievalRecall(flat, [0, 1, 2], [1, 2]);
    // image i's only text is text i, which ranks i-th; text t's image is image t, which ranks t-th.
    expect(imageToText).toEqual({ 1: 1 / 3, 2: 2 / 3 });
    expect(textToImage).toEqual({ 1: 1 / 3, 2: 2 / 3 });
  });

  it('rejects bad input with bad-input', () => {
    expectBadInput(() => retrievalRecall([], []), /empty/);
    expectBadInput(() => retrievalRecall(similarity, [0, 0, 1, 2]), /image of 4 texts but the similarity matrix has 5/);
    expectBadInput(() => retrievalRecall(similarity, [0, 0, 1, 3, 2]), /Text 3 belongs to image 3/);
    expectBadInput(() => retrievalRecall(similarity, [0, 0, 0, 2, 2]), /Image 1 has no matching text/);
    expectBadInput(() => retrievalRecall(similarity, imageOfText, []), /at least one K/);
    expectBadInput(() => retrievalRecall(similarity, imageOfText, [1, 0]), /K must be a positive whole number/);
  });
});
