// A growable byte buffer for building COPY data without intermediate strings. Buffer's own latin1Write and
// utf8Write skip the argument checks and encoding look-up of buf.write(), which matter at a few fields per span.
type FastBuffer = Buffer & {
  latin1Write(s: string, offset: number, length: number): number;
  utf8Write(s: string, offset: number): number;
};

// The two hex digits of every byte value, as character codes.
const HEX_HIGH = Uint8Array.from({ length: 256 }, (_, i) => "0123456789abcdef".charCodeAt(i >> 4));
const HEX_LOW = Uint8Array.from({ length: 256 }, (_, i) => "0123456789abcdef".charCodeAt(i & 15));

export class ByteWriter {
  private buf: FastBuffer;
  pos = 0;

  constructor(initialBytes = 1 << 16) {
    this.buf = Buffer.allocUnsafe(initialBytes) as FastBuffer;
  }

  /**
   * Makes room for `n` more bytes. A full buffer is replaced by a larger copy, never written again, so views
   * handed out by `since` stay valid.
   */
  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n)) as FastBuffer;
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.pos++] = b;
  }

  /** A string of code points below 256 only (digits, hex, fixed syntax). */
  latin1(s: string): void {
    this.reserve(s.length);
    // Most are a few characters (a number, a separator): a loop beats the call into native code.
    if (s.length < 24) for (let i = 0; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i);
    else this.pos += this.buf.latin1Write(s, this.pos, s.length);
  }

  utf8(s: string): void {
    this.reserve(s.length * 3);
    this.pos += this.buf.utf8Write(s, this.pos);
  }

  copy(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.reserve(n);
    // Most copies are a short key or value: a loop beats the call into native code.
    if (n < 48) for (let i = start; i < end; i++) this.buf[this.pos++] = src[i]!;
    else {
      this.buf.set(src.subarray(start, end), this.pos);
      this.pos += n;
    }
  }

  /**
   * Copies src[start, end) if every byte is printable ASCII other than `"` and `\\` (text that a JSON string
   * holds as is), in the same pass that checks it; otherwise writes nothing and returns false.
   */
  copyPlainAscii(src: Uint8Array, start: number, end: number): boolean {
    this.reserve(end - start);
    const buf = this.buf;
    let p = this.pos;
    for (let i = start; i < end; i++) {
      const c = src[i]!;
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
      buf[p++] = c;
    }
    this.pos = p;
    return true;
  }

  hex(src: Uint8Array): void {
    this.reserve(src.length * 2);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < src.length; i++) {
      const b = src[i]!;
      buf[p++] = HEX_HIGH[b]!;
      buf[p++] = HEX_LOW[b]!;
    }
    this.pos = p;
  }

  /** The bytes written since `start`, as a view (not a copy). */
  since(start: number): Buffer {
    return this.buf.subarray(start, this.pos);
  }
}
