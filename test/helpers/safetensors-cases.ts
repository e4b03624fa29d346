// Small safetensors files built in the test: a valid one, and one per way a file can be malformed (each
// with the reason its error message must give). Shared by the unit tests and the browser tests.

export interface TensorSpec {
  dtype: string;
  shape: number[];
  data: Uint8Array;
}

type HeaderJson = Record<string, { dtype: string; shape: number[]; data_offsets: number[] } | Record<string, string>>;

/** Tensors in the given order, header JSON padded with spaces to 8-byte alignment (as HF's writer does). */
export function writeSafetensors(tensors: Record<string, TensorSpec>, metadata?: Record<string, string>): Uint8Array {
  const header: HeaderJson = metadata ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  const data = new Uint8Array(offset);
  offset = 0;
  for (const t of Object.values(tensors)) {
    data.set(t.data, offset);
    offset += t.data.byteLength;
  }
  return assemble(JSON.stringify(header), data);
}

/** 8-byte length + JSON (space-padded to a multiple of 8) + data. */
export function assemble(json: string, data: Uint8Array, declaredLength?: bigint): Uint8Array {
  const text = new TextEncoder().encode(json + ' '.repeat((8 - (json.length % 8)) % 8));
  const out = new Uint8Array(8 + text.byteLength + data.byteLength);
  new DataView(out.buffer).setBigUint64(0, declaredLength ?? BigInt(text.byteLength), true);
  out.set(text, 8);
  out.set(data, 8 + text.byteLength);
  return out;
}

const f32 = (values: number[]): Uint8Array => new Uint8Array(new Float32Array(values).buffer);
const u16 = (values: number[]): Uint8Array => new Uint8Array(new Uint16Array(values).buffer);

/** F32 [2,3] 1..6, F16 [4] (1, -2, 0.5, 65504), BF16 [2] (1, -3), I64 [3] position_ids 0..2, metadata. */
export function validTensors(): Record<string, TensorSpec> {
  return {
    'a.weight': { dtype: 'F32', shape: [2, 3], data: f32([1, 2, 3, 4, 5, 6]) },
    'b.half': { dtype: 'F16', shape: [4], data: u16([0x3c00, 0xc000, 0x3800, 0x7bff]) },
    'c.bf16': { dtype: 'BF16', shape: [2], data: u16([0x3f80, 0xc040]) },
    position_ids: { dtype: 'I64', shape: [1, 3], data: new Uint8Array(new BigInt64Array([0n, 1n, 2n]).buffer) },
  };
}

export function validFile(): Uint8Array {
  return writeSafetensors(validTensors(), { format: 'pt' });
}

export interface MalformedCase {
  name: string;
  bytes: Uint8Array;
  /** What the 'safetensors-invalid' message must say. */
  reason: RegExp;
}

/** Header of the valid file as an object, to edit and re-assemble with the same data section. */
function editHeader(edit: (header: Record<string, { dtype: string; shape: number[]; data_offsets: number[] }>) => void, extraData = 0): Uint8Array {
  const valid = validFile();
  const length = Number(new DataView(valid.buffer).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(valid.subarray(8, 8 + length)));
  edit(header);
  const data = new Uint8Array(valid.byteLength - 8 - length + extraData);
  data.set(valid.subarray(8 + length));
  return assemble(JSON.stringify(header), data);
}

export function malformedCases(): MalformedCase[] {
  const valid = validFile();
  const withLength = (n: bigint): Uint8Array => {
    const bytes = valid.slice();
    new DataView(bytes.buffer).setBigUint64(0, n, true);
    return bytes;
  };
  return [
    { name: 'header length larger than the file', bytes: withLength(BigInt(valid.byteLength)), reason: /header length \d+ is larger than the file/ },
    { name: 'absurd header length', bytes: withLength(2n ** 40n), reason: /header length \d+ is absurd/ },
    { name: 'invalid JSON', bytes: assemble('{"a.weight": {"dtype": "F32", ', new Uint8Array(24)), reason: /header is not valid JSON/ },
    { name: 'unknown dtype', bytes: editHeader((h) => (h['b.half']!.dtype = 'F12')), reason: /tensor "b.half" has unknown dtype "F12"/ },
    { name: 'offsets out of range', bytes: editHeader((h) => (h['c.bf16']!.data_offsets = [36, 32])), reason: /tensor "c.bf16" has data_offsets \[36,32\] out of range/ },
    { name: 'overlapping tensors', bytes: editHeader((h) => (h['b.half']!.data_offsets = [16, 24])), reason: /tensor "b.half" \(bytes 16..24\) overlaps tensor "a.weight"/ },
    {
      name: 'non-contiguous tensors',
      bytes: editHeader((h) => {
        h['c.bf16']!.data_offsets = [36, 40]; // 4 unused bytes after "b.half"; the data section grows by 4
        h['position_ids']!.data_offsets = [40, 64];
      }, 4),
      reason: /4 unused bytes before tensor "c.bf16" \(tensors must be contiguous\)/,
    },
    { name: 'byte length ≠ shape × dtype size', bytes: editHeader((h) => (h['a.weight']!.shape = [2, 2])), reason: /tensor "a.weight" is F32 \[2, 2\] = 16 bytes, but its data_offsets span 24/ },
    { name: 'truncated data', bytes: valid.subarray(0, valid.byteLength - 5), reason: /truncated: the tensors need 60 data bytes but the file has 55/ },
    { name: 'a tensor name listed twice (spelled with an escape the second time)', bytes: duplicated(), reason: /tensor "a.weight" is listed twice/ },
  ];
}

/** The valid file with its "a.weight" entry repeated at the end of the header (JSON.parse would keep the last). */
function duplicated(): Uint8Array {
  const valid = validFile();
  const length = Number(new DataView(valid.buffer).getBigUint64(0, true));
  const text = new TextDecoder().decode(valid.subarray(8, 8 + length)).trimEnd();
  const entry = JSON.stringify((JSON.parse(text) as Record<string, unknown>)['a.weight']);
  return assemble(`${text.slice(0, -1)},"a.weigh\\u0074":${entry}}`, valid.slice(8 + length));
}
