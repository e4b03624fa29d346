/**
 * GPT-2's reversible byte <-> character table, shared by the CLIP and GPT-2 tokenizers.
 *
 * Byte-level BPE works on UTF-8 bytes, but its vocab files are text. So every byte gets a visible,
 * non-whitespace stand-in character: printable Latin-1 bytes stand for themselves, the other 68
 * (controls, space, soft hyphen, ...) take code points 256, 257, ... in byte order. A space becomes 'Ġ'.
 */

function isPrintableLatin1(byte: number): boolean {
  return (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
}

function buildByteToChar(): string[] {
  const table: string[] = [];
  let nextStandIn = 256;
  for (let byte = 0; byte < 256; byte++) {
    table.push(String.fromCodePoint(isPrintableLatin1(byte) ? byte : nextStandIn++));
  }
  return table;
}

/** BYTE_TO_CHAR[b] is the vocab character that stands for byte b. */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();

const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((char, byte) => [char, byte]));

const utf8Encoder = new TextEncoder();
// fatal: false -> invalid UTF-8 (e.g. a generation cut mid-character) becomes U+FFFD, like errors='replace'.
const utf8Decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** UTF-8 bytes of `text`, spelled in vocab characters ("a cat" -> "aĠcat"). */
export function toByteLevel(text: string): string {
  let out = '';
  for (const byte of utf8Encoder.encode(text)) out += BYTE_TO_CHAR[byte];
  return out;
}

/**
 * Inverse of toByteLevel: vocab characters -> bytes -> UTF-8 text. A character outside the table (only
 * possible in an added token) contributes its own UTF-8 bytes, as HF's ByteLevel decoder does.
 */
export function fromByteLevel(symbols: string): string {
  const bytes: number[] = [];
  for (const char of symbols) {
    const byte = CHAR_TO_BYTE.get(char);
    if (byte !== undefined) bytes.push(byte);
    else bytes.push(...utf8Encoder.encode(char));
  }
  return utf8Decoder.decode(new Uint8Array(bytes));
}
