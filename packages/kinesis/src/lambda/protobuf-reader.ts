// A minimal protocol-buffers wire-format reader: just enough to read the KPL's AggregatedRecord
// without a protobuf dependency. https://protobuf.dev/programming-guides/encoding/

/** The bytes are not valid protobuf for the message being read. */
export class ProtobufError extends Error {
  override readonly name = 'ProtobufError';
}

/** Wire types a field key can carry; 3 and 4 (groups) are deprecated and refused. */
export const WireType = {
  Varint: 0,
  Fixed64: 1,
  LengthDelimited: 2,
  Fixed32: 5,
} as const;

/** Reads fields one after another from `bytes[start, end)`. Every read throws {@link ProtobufError} on malformed input. */
export class ProtobufReader {
  #position: number;
  readonly #bytes: Uint8Array;
  readonly #end: number;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.#bytes = bytes;
    this.#position = start;
    this.#end = end;
  }

  get done(): boolean {
    return this.#position >= this.#end;
  }

  /** Reads a field key: the field number and its wire type. */
  readKey(): { readonly field: number; readonly wireType: number } {
    const key = this.readVarint();
    const field = Math.floor(key / 8);
    if (field === 0) throw new ProtobufError('field number 0 is not valid');
    return { field, wireType: key % 8 };
  }

  /** Reads an unsigned varint; values above 2^53 - 1 are refused rather than rounded. */
  readVarint(): number {
    let value = 0;
    let scale = 1;
    for (let index = 0; index < 10; index += 1) {
      if (this.#position >= this.#end) throw new ProtobufError('varint runs past the end');
      const byte = this.#bytes[this.#position] ?? 0;
      this.#position += 1;
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) {
        if (!Number.isSafeInteger(value)) throw new ProtobufError('varint is too large');
        return value;
      }
      scale *= 128;
    }
    throw new ProtobufError('varint is longer than 10 bytes');
  }

  /** Reads a length-delimited field's bytes (a view, not a copy). */
  readBytes(): Uint8Array {
    const length = this.readVarint();
    if (length > this.#end - this.#position) {
      throw new ProtobufError(`length ${length} runs past the end`);
    }
    const bytes = this.#bytes.subarray(this.#position, this.#position + length);
    this.#position += length;
    return bytes;
  }

  /** Skips a field's value of the given wire type (unknown fields are allowed by protobuf). */
  skip(wireType: number): void {
    switch (wireType) {
      case WireType.Varint:
        this.readVarint();
        return;
      case WireType.Fixed64:
        this.#advance(8);
        return;
      case WireType.LengthDelimited:
        this.readBytes();
        return;
      case WireType.Fixed32:
        this.#advance(4);
        return;
      default:
        throw new ProtobufError(`unsupported wire type ${wireType}`);
    }
  }

  #advance(count: number): void {
    if (count > this.#end - this.#position) throw new ProtobufError('field runs past the end');
    this.#position += count;
  }
}
