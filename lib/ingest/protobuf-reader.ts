// A minimal protobuf wire-format reader: just what the OTLP trace messages need, no reflection, no codegen.
export class DecodeError extends Error {}

export const WireType = { VARINT: 0, I64: 1, LEN: 2, I32: 5 } as const;

/**
 * UTF-8 text of buf[start, end), invalid UTF-8 replaced with U+FFFD instead of failing the whole batch. Buffer's own
 * utf8Slice: toString() would check its arguments and look up the encoding for every attribute key and value.
 */
export function utf8(buf: Buffer, start: number, end: number): string {
  return (buf as Buffer & { utf8Slice(s: number, e: number): string }).utf8Slice(start, end);
}

export class ProtoReader {
  pos: number;
  end: number;

  constructor(
    public buf: Buffer,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  /** Reads `buf[start, end)` next: one reader reused for many small messages allocates nothing. */
  moveTo(buf: Buffer, start: number, end: number): this {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    return this;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /** Returns field number and wire type packed as [field, wireType]. */
  tag(): [number, number] {
    const t = this.uint32();
    const field = t >>> 3;
    if (field === 0) throw new DecodeError(`invalid field number 0 at byte ${this.pos}`);
    return [field, t & 7];
  }

  /**
   * An unsigned varint that must fit 32 bits (tags and lengths). Bits above are malformed framing and are refused,
   * not wrapped: keeping the low 32 bits of a length read garbage as a valid message.
   */
  uint32(): number {
    let result = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new DecodeError("truncated varint");
      const b = this.buf[this.pos++]!;
      if (i < 4) result |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        if (b & 0x70) throw new DecodeError(`varint at byte ${this.pos - 5} does not fit 32 bits`);
        result |= (b & 0x0f) << 28;
      } else if (b & 0x7f) throw new DecodeError(`varint at byte ${this.pos - i - 1} does not fit 32 bits`);
      if ((b & 0x80) === 0) return result >>> 0;
    }
    throw new DecodeError("varint longer than 10 bytes");
  }

  /** An enum (int32 on the wire, negatives as 10-byte varints); -1 when it is outside int32, so validation refuses it. */
  enumValue(): number {
    const v = this.int64();
    return v >= -2147483648n && v <= 2147483647n ? Number(v) : -1;
  }

  /** Signed 64-bit varint (int64) as a bigint. */
  int64(): bigint {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new DecodeError("truncated varint");
      const b = this.buf[this.pos++]!;
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if ((b & 0x80) === 0) return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
    }
    throw new DecodeError("varint longer than 10 bytes");
  }

  /**
   * A signed 64-bit varint as a number when it is small and non-negative (at most 7 bytes: below 2^49), else as a
   * bigint. Attribute integers are mostly small; a bigint for each costs an allocation.
   */
  int64Small(): number | bigint {
    let result = 0;
    for (let i = 0, scale = 1; i < 7 && this.pos + i < this.end; i++, scale *= 128) {
      const b = this.buf[this.pos + i]!;
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        this.pos += i + 1;
        return result;
      }
    }
    return this.int64();
  }

  fixed64(): bigint {
    this.need(8);
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }

  fixed32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  double(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  bool(): boolean {
    const v = this.int64Small();
    return v !== 0 && v !== 0n;
  }

  /** Skips over a length-delimited field and returns where its bytes start; they end at `pos`. */
  lengthDelimited(): number {
    const n = this.uint32();
    const start = this.pos;
    if (n > this.end - start) throw new DecodeError(`length ${n} runs past the end of the message`);
    this.pos = start + n;
    return start;
  }

  bytes(): Buffer {
    const start = this.lengthDelimited();
    return this.buf.subarray(start, this.pos);
  }

  string(): string {
    const start = this.lengthDelimited();
    return utf8(this.buf, start, this.pos);
  }

  sub(): ProtoReader {
    const start = this.lengthDelimited();
    return new ProtoReader(this.buf, start, this.pos);
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WireType.VARINT:
        this.int64();
        return;
      case WireType.I64:
        this.need(8);
        this.pos += 8;
        return;
      case WireType.LEN:
        this.lengthDelimited();
        return;
      case WireType.I32:
        this.need(4);
        this.pos += 4;
        return;
      default:
        throw new DecodeError(`unsupported wire type ${wireType} at byte ${this.pos}`);
    }
  }

  expect(wireType: number, actual: number, what: string): void {
    if (wireType !== actual) throw new DecodeError(`${what}: wrong wire type ${actual}`);
  }

  private need(n: number): void {
    if (this.end - this.pos < n) throw new DecodeError("truncated message");
  }
}

/** Writes the few small messages we send back (responses and errors). */
export class ProtoWriter {
  private readonly parts: Buffer[] = [];

  private varint(v: number | bigint): void {
    let n = BigInt.asUintN(64, BigInt(v));
    const bytes: number[] = [];
    do {
      let b = Number(n & 0x7fn);
      n >>= 7n;
      if (n > 0n) b |= 0x80;
      bytes.push(b);
    } while (n > 0n);
    this.parts.push(Buffer.from(bytes));
  }

  int(field: number, v: number | bigint): this {
    if (v === 0 || v === 0n) return this;
    this.varint((field << 3) | WireType.VARINT);
    this.varint(v);
    return this;
  }

  string(field: number, s: string): this {
    if (!s) return this;
    return this.bytes(field, Buffer.from(s, "utf8"));
  }

  bytes(field: number, b: Buffer): this {
    this.varint((field << 3) | WireType.LEN);
    this.varint(b.length);
    this.parts.push(b);
    return this;
  }

  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}
