/** Reading evaluation inputs (COCO captions JSON, folder and CSV labels) and writing results. */
import { describe, expect, it } from 'vitest';
import { expectBadInput } from '../helpers/errors';
import { cocoResultsJson, FileIndex, labelsFromFolders, parseCocoCaptions, parseCsv, parseLabelCsv, scoresJson, toCocoResults } from '../../src/eval';

const coco = {
  info: { description: 'tiny' },
  images: [
    { id: 42, file_name: 'COCO_val2014_000000000042.jpg', height: 480 },
    { id: 73, file_name: 'COCO_val2014_000000000073.jpg' },
  ],
  annotations: [
    { id: 1, image_id: 42, caption: 'A dog on a bed.' },
    { id: 2, image_id: 73, caption: 'Two cats.' },
    { id: 3, image_id: 42, caption: 'A brown dog sleeping.' },
  ],
};
const cocoWith = (patch: (c: typeof coco) => unknown): string => JSON.stringify(patch(structuredClone(coco)));

describe('COCO captions JSON', () => {
  it('reads images and their captions in file order', () => {
    expect(parseCocoCaptions(JSON.stringify(coco))).toEqual([
      { id: 42, fileName: 'COCO_val2014_000000000042.jpg', captions: ['A dog on a bed.', 'A brown dog sleeping.'] },
      { id: 73, fileName: 'COCO_val2014_000000000073.jpg', captions: ['Two cats.'] },
    ]);
    // string ids work too, and an already parsed object
    const withStrings = { images: [{ id: 'a', file_name: 'a.png' }], annotations: [{ image_id: 'a', caption: 'x' }] };
    expect(parseCocoCaptions(withStrings)[0].id).toBe('a');
  });

  it('finds each image among the picked files', () => {
    const files = ['coco/val2014/COCO_val2014_000000000042.jpg', 'coco/val2014/COCO_val2014_000000000073.jpg', 'coco/readme.txt'];
    expect(parseCocoCaptions(JSON.stringify(coco), { files }).map((i) => i.file)).toEqual(files.slice(0, 2));
  });

  it('names the problem and the entry for malformed files', () => {
    const cases: [string, RegExp][] = [
      ['{"images": [', /captions file: not valid JSON/],
      ['[]', /expected a JSON object/],
      [cocoWith((c) => ({ ...c, images: undefined })), /"images" is missing/],
      [cocoWith((c) => ({ ...c, annotations: {} })), /"annotations" is missing or not an array/],
      [cocoWith((c) => ({ ...c, images: [], annotations: [] })), /"images" is empty/],
      [cocoWith((c) => (c.images[1] = 'x' as never, c)), /images\[1\] is not an object/],
      [cocoWith((c) => (delete (c.images[1] as Partial<(typeof c.images)[0]>).id, c)), /images\[1\] has nothing as "id"/],
      [cocoWith((c) => ((c.images[1] as { id: unknown }).id = 1.5, c)), /images\[1\] has 1.5 as "id"/],
      [cocoWith((c) => (delete (c.images[0] as Partial<(typeof c.images)[0]>).file_name, c)), /images\[0\] \(id 42\) has nothing as "file_name"/],
      [cocoWith((c) => (c.images[1].id = 42, c)), /images\[1\] repeats image id 42 \(first used by images\[0\]\)/],
      [cocoWith((c) => (c.images[1].file_name = c.images[0].file_name, c)), /images\[1\] \(id 73\) repeats file_name "COCO_val2014_000000000042.jpg"/],
      [cocoWith((c) => (c.annotations[2].image_id = 99, c)), /annotations\[2\] is a caption of image_id 99, which is not in "images"/],
      [cocoWith((c) => ((c.annotations[2] as { image_id: unknown }).image_id = '42', c)), /annotations\[2\] is a caption of image_id "42"/],
      [cocoWith((c) => (delete (c.annotations[1] as Partial<(typeof c.annotations)[0]>).caption, c)), /annotations\[1\] \(image_id 73\) has nothing as "caption"/],
      [cocoWith((c) => (c.annotations[1].caption = '  ', c)), /annotations\[1\] \(image_id 73\) has an empty caption/],
      [cocoWith((c) => (c.annotations[2].id = 1, c)), /annotations\[2\] repeats annotation id 1 \(first used by annotations\[0\]\)/],
      [cocoWith((c) => (c.annotations.splice(1, 1), c)), /images\[1\] \(id 73, "COCO_val2014_000000000073.jpg"\) has no captions/],
    ];
    for (const [json, pattern] of cases) expectBadInput(() => parseCocoCaptions(json), pattern);
  });

  it('rejects images whose file was not picked, or is ambiguous', () => {
    expectBadInput(
      () => parseCocoCaptions(JSON.stringify(coco), { files: ['COCO_val2014_000000000042.jpg'] }),
      /images\[1\] \(id 73, "COCO_val2014_000000000073.jpg"\): the file is not among the 1 picked files/,
    );
    expectBadInput(
      () => parseCocoCaptions(JSON.stringify(coco), { name: 'val.json', files: ['a/COCO_val2014_000000000042.jpg', 'b/COCO_val2014_000000000042.jpg', 'COCO_val2014_000000000073.jpg'] }),
      /val.json: images\[0\].*fits several picked files \(a\/COCO_val2014_000000000042.jpg, b\//,
    );
  });
});

describe('file names', () => {
  it('matches a dataset name to the whole picked path or a tail of it after a slash', () => {
    const index = new FileIndex(['root/val/cat.jpg', 'root\\val\\dog.jpg', 'bobcat.jpg']);
    expect(index.size).toBe(3);
    expect(index.matches('cat.jpg')).toEqual(['root/val/cat.jpg']);
    expect(index.matches('val/cat.jpg')).toEqual(['root/val/cat.jpg']);
    expect(index.matches('dog.jpg')).toEqual(['root/val/dog.jpg']);
    expect(index.matches('at.jpg')).toEqual([]);
    expect(index.matches('train/cat.jpg')).toEqual([]);
  });
});

describe('labels from folders', () => {
  it('labels each image by its parent folder and sorts the classes', () => {
    const set = labelsFromFolders(['pets/dog/1.jpg', 'pets/cat/2.jpg', 'pets/dog/3.png', 'ant\\4.jpg']);
    expect(set.classNames).toEqual(['ant', 'cat', 'dog']);
    expect(set.images.map((i) => [i.label, i.labelIndex])).toEqual([['dog', 2], ['cat', 1], ['dog', 2], ['ant', 0]]);
  });

  it('Chinese class folders (for a Chinese-CLIP model) are labels as they are', () => {
    const set = labelsFromFolders(['宠物/猫/1.jpg', '宠物/狗/2.jpg', '宠物/猫/照片 3.png']);
    expect([...set.classNames].sort()).toEqual(['狗', '猫'].sort());
    expect(set.images.map((i) => [i.file, i.label, set.classNames[i.labelIndex]])).toEqual([
      ['宠物/猫/1.jpg', '猫', '猫'], ['宠物/狗/2.jpg', '狗', '狗'], ['宠物/猫/照片 3.png', '猫', '猫'],
    ]);
  });

  it('can keep a given class order', () => {
    const set = labelsFromFolders(['dog/1.jpg', 'cat/2.jpg'], { classNames: ['dog', 'cat', 'bird'] });
    expect(set.images.map((i) => i.labelIndex)).toEqual([0, 1]);
    expectBadInput(() => labelsFromFolders(['cow/1.jpg'], { classNames: ['dog'] }), /"cow\/1.jpg" has label "cow", which is not one of the 1 classes/);
  });

  it('rejects files outside class folders, repeats and empty input', () => {
    expectBadInput(() => labelsFromFolders([]), /No image files/);
    expectBadInput(() => labelsFromFolders(['dog/1.jpg', '2.jpg']), /"2.jpg" is not inside a class folder/);
    expectBadInput(() => labelsFromFolders(['dog/1.jpg', 'dog/1.jpg']), /"dog\/1.jpg" is listed twice/);
  });
});

describe('CSV', () => {
  it('reads quoted fields, doubled quotes, commas and line breaks in quotes, CRLF, a BOM and blank lines', () => {
    const text = '\uFEFFfile,label\r\n"a, b.jpg","say ""cheese"""\r\n\r\nc.jpg,"two\nlines"\n"",x\n';
    expect(parseCsv(text)).toEqual([
      { fields: ['file', 'label'], line: 1 },
      { fields: ['a, b.jpg', 'say "cheese"'], line: 2 },
      { fields: ['c.jpg', 'two\nlines'], line: 4 },
      { fields: ['', 'x'], line: 6 },
    ]);
    expect(parseCsv('a,b')).toEqual([{ fields: ['a', 'b'], line: 1 }]);
  });

  it('rejects broken quoting with the line number', () => {
    expectBadInput(() => parseCsv('file,label\na.jpg,"cat\n', 'labels.csv'), /labels.csv: line 2: the quoted field that starts here is never closed/);
    expectBadInput(() => parseCsv('file,label\n"a.jpg"x,cat'), /line 2: unexpected "x" after a closing quote/);
    expectBadInput(() => parseCsv('file,label\na"b.jpg,cat'), /line 2: a quote inside an unquoted field/);
  });
});

describe('labels CSV', () => {
  it('reads file,label rows', () => {
    const set = parseLabelCsv('File, Label\nimg1.jpg,dog\n"img 2.jpg", cat \n');
    expect(set.classNames).toEqual(['cat', 'dog']);
    expect(set.images).toEqual([
      { file: 'img1.jpg', label: 'dog', labelIndex: 1 },
      { file: 'img 2.jpg', label: 'cat', labelIndex: 0 },
    ]);
  });

  it('reads Chinese labels and file names (UTF-8, a BOM-free export) as they are', () => {
    const set = parseLabelCsv('file,label\n猫1.jpg,猫\n"狗 2.jpg", 狗 \n');
    expect(set.images.map((i) => [i.file, i.label, set.classNames[i.labelIndex]])).toEqual([['猫1.jpg', '猫', '猫'], ['狗 2.jpg', '狗', '狗']]);
  });

  it('resolves files against the picked ones', () => {
    const set = parseLabelCsv('file,label\nimg1.jpg,dog\n', { files: ['photos/img1.jpg', 'photos/img2.jpg'] });
    expect(set.images[0].file).toBe('photos/img1.jpg');
  });

  it('names the problem and the line', () => {
    const cases: [string, RegExp][] = [
      ['', /labels CSV is empty/],
      ['\n\n', /labels CSV is empty/],
      ['path,class\na.jpg,dog', /line 1: the header must be "file,label", not "path,class"/],
      ['file,label\n', /has a header but no rows/],
      ['file,label\na.jpg,dog\nb.jpg', /line 3: expected 2 fields \(file,label\), found 1/],
      ['file,label\na.jpg,dog,extra', /line 2: expected 2 fields \(file,label\), found 3/],
      ['file,label\n,dog', /line 2: the file name is empty/],
      ['file,label\na.jpg, ', /line 2: "a.jpg" has an empty label/],
      ['file,label\na.jpg,dog\nb.jpg,cat\na.jpg,cat', /line 4: "a.jpg" is listed again \(first on line 2\)/],
    ];
    for (const [text, pattern] of cases) expectBadInput(() => parseLabelCsv(text), pattern);
    expectBadInput(() => parseLabelCsv('file,label\nz.jpg,dog', { name: 'val.csv', files: ['a.jpg'] }), /val.csv: line 2: "z.jpg" is not among the 1 picked files/);
    expectBadInput(() => parseLabelCsv('file,label\na.jpg,cow', { classNames: ['dog'] }), /line 2: "a.jpg" has label "cow", which is not one of the 1 classes/);
  });
});

describe('export', () => {
  it('writes predictions in the COCO results format', () => {
    const predictions = [
      { imageId: 42, caption: 'a dog on a bed' },
      { imageId: 73, caption: 'two cats' },
    ];
    expect(toCocoResults(predictions)).toEqual([
      { image_id: 42, caption: 'a dog on a bed' },
      { image_id: 73, caption: 'two cats' },
    ]);
    expect(JSON.parse(cocoResultsJson(predictions))).toEqual(toCocoResults(predictions));
    expect(cocoResultsJson([{ imageId: 'x', caption: 'a "quoted" word' }])).toBe('[{"image_id":"x","caption":"a \\"quoted\\" word"}]');
    expectBadInput(() => toCocoResults([...predictions, { imageId: 42, caption: 'again' }]), /Prediction 2 repeats image 42/);
    expectBadInput(() => toCocoResults([{ imageId: 1, caption: undefined as unknown as string }]), /Prediction 0 \(image 1\) has no caption/);
  });

  it('writes scores as JSON and refuses numbers JSON cannot hold', () => {
    const scores = { corpus: { bleu4: 0.25, ciderD: 1.5 }, perImage: [{ imageId: 42, bleu4: 0.25 }] };
    const text = scoresJson(scores);
    expect(JSON.parse(text)).toEqual(scores);
    expect(text.endsWith('}\n')).toBe(true);
    expectBadInput(() => scoresJson({ corpus: { top1: NaN } }), /Score "top1" is NaN/);
    expectBadInput(() => scoresJson({ recall: [1, Infinity] }), /Score "1" is Infinity/);
  });
});
