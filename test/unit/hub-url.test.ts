import { describe, expect, it } from 'vitest';
import { resolveUrl, sha256FromEtag } from '../../src/weights/hub-url';

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

  it('finds a sha256 in LFS ETags, not in git blob ETags', () => {
    const sha = 'ab'.repeat(32);
    expect(sha256FromEtag(`"${sha}"`)).toBe(sha);
    expect(sha256FromEtag(`W/"${sha.toUpperCase()}"`)).toBe(sha);
    expect(sha256FromEtag(`"${'a'.repeat(40)}"`)).toBeUndefined();
    expect(sha256FromEtag(undefined)).toBeUndefined();
  });
});
