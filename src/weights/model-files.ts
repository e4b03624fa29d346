/** The files of one loaded checkpoint, as a model reads them: JSON configs, tokenizer text, weights. */
import { IrisError } from '../errors';
import { isSafetensorsFile } from './safetensors';
import { WeightSet } from './weight-set';

export class ModelFiles {
  private weightSet: WeightSet | undefined;

  constructor(
    readonly repo: string,
    /** The revision asked for ('main' by default). */
    readonly revision: string,
    /** The commit it resolved to when the server said, else the revision asked for. */
    readonly resolvedRevision: string,
    /** null: an optional file the repository does not have. */
    private readonly contents: ReadonlyMap<string, Uint8Array | null>,
    /** Set when `revision` has only pytorch_model.bin and the weights came from this conversion branch (refs/pr/N). */
    readonly weightsBranch?: string,
  ) {}

  /** Whether the repository has `file` (false for an optional file it lacks). */
  has(file: string): boolean {
    return this.contents.get(file) != null;
  }

  /** The file's bytes; undefined for an optional file the repository does not have. */
  bytes(file: string): Uint8Array | undefined {
    const bytes = this.contents.get(file);
    if (bytes === undefined) throw new IrisError('bad-input', `${file} was not among the files loaded from ${this.repo}.`);
    return bytes ?? undefined;
  }

  text(file: string): string | undefined {
    const bytes = this.bytes(file);
    return bytes && new TextDecoder().decode(bytes);
  }

  /** Parsed JSON; a file that is not valid JSON is a 'bad-config' error naming it. */
  json(file: string): unknown {
    const text = this.text(file);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new IrisError('bad-config', `${file} of ${this.repo} is not valid JSON (${(cause as Error).message}).`, { cause });
    }
  }

  /** Every loaded `.safetensors` file as one WeightSet (parsed once, on first use). */
  weights(): WeightSet {
    if (!this.weightSet) {
      const files = [...this.contents].filter(([file, bytes]) => isSafetensorsFile(file) && bytes).map(([file, bytes]) => ({ file, bytes: bytes! }));
      this.weightSet = WeightSet.fromFiles(files, `${this.repo}@${this.revision}`);
    }
    return this.weightSet;
  }
}
