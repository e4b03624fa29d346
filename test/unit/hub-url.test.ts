import { describe, expect, it } from 'vitest';
import { gitBlobSha1Hex, sha256Hex } from '../../src/weights/digest';
import { digestFromEtag, resolveUrl, validatorOf } from '../../src/weights/hub-url';

describe('Hub URLs', () => {
  it('resolve/{revision}/{file}, with branch names like refs/pr/1 as one escaped segment', () => {
    expect(resolveUrl('https://huggingface.co', 'openai/clip-vit-base-patch32', 'main', 'config.json')).toBe(
      'https://huggingface.co/openai/clip-vit-base-patch32/resolve/main/config.json',
    );
    expect(resolveUrl('http://127.0.0.1:9/', 'org/m', 'refs/pr/1', 'onnx/text model.onnx')).toBe('http://127.0.0.1:9/org/m/resolve/refs%2Fpr%2F1/onnx/text%20model.onnx');
    expect(resolveUrl('https://hf.co', 'gpt2', 'a'.repeat(40), 'model.safetensors')).toBe(`https://hf.co/gpt2/resolve/${'a'.repeat(40)}/model.safetensors`);
  });

  it('rejects repository and file names that would escape the URL layout', () => {
    expect(() => resolveUrl('https://hf.co', 'a/b/c', 'main', 'x')).toThrow(/not a Hugging Face repository name/);
    expect(() => resolveUrl('https://hf.co', 'a/b', 'main', '../x')).toThrow(/not a file path/);
  });

  it('reads a sha256 from LFS ETags and a git blob id from the others', () => {
    const sha = 'ab'.repeat(32);
    expect(digestFromEtag(`"${sha}"`)).toEqual({ algorithm: 'sha256', hex: sha });
    expect(digestFromEtag(`W/"${sha.toUpperCase()}"`)).toEqual({ algorithm: 'sha256', hex: sha });
    expect(digestFromEtag(`"${'a'.repeat(40)}"`)).toEqual({ algorithm: 'git-sha1', hex: 'a'.repeat(40) });
    expect(digestFromEtag('"5f3c-1a2b"')).toBeUndefined();
    expect(digestFromEtag(undefined)).toBeUndefined();
  });

  it('git blob ids and sha256 match what git and sha256sum print', async () => {
    // `git hash-object` of an empty file and of "hello\n"; sha256 of "abc" (FIPS 180-2 example).
    expect(await gitBlobSha1Hex(new Uint8Array(0))).toBe('e69de29bb2d1d6434b8b29ae775ad8c2e48c5391');
    expect(await gitBlobSha1Hex(new TextEncoder().encode('hello\n'))).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('ties requests together by a strong ETag, else Last-Modified; a weak ETag never', () => {
    const response = (headers: Record<string, string>) => new Response(null, { headers });
    expect(validatorOf(response({ ETag: '"abc"', 'Last-Modified': 'Mon, 01 Jan 2024 00:00:00 GMT' }))).toBe('"abc"');
    expect(validatorOf(response({ ETag: 'W/"abc"', 'Last-Modified': 'Mon, 01 Jan 2024 00:00:00 GMT' }))).toBe('Mon, 01 Jan 2024 00:00:00 GMT');
    expect(validatorOf(response({ ETag: 'W/"abc"' }))).toBeUndefined();
    expect(validatorOf(response({ 'X-Linked-Etag': '"lfs"', ETag: '"cdn"' }))).toBe('"lfs"');
  });
});
