// OTLP KeyValue lists (opentelemetry-proto common/v1/common.proto): as objects, or straight from the request bytes
// to the JSON text that is stored. Span attributes are most of a span's bytes; building twenty objects per span
// and then stringifying them was the largest part of the collector's CPU and garbage.
import type { ByteWriter } from "../domain/byte-writer";
import { bytesValue, EncodedJson, newAttributes, type AttributeValue, type Attributes } from "../model/span";
import type { ValueCleaner } from "./limits";
import { DecodeError, ProtoReader, utf8, WireType } from "./protobuf-reader";

const MAX_DEPTH = 16;

/** A span's attributes as the request carried them: [start, end) of each KeyValue message, in order. */
export class WireAttributes {
  constructor(
    readonly buf: Buffer,
    readonly ranges: number[],
  ) {}

  toObject(): Attributes {
    const out = newAttributes();
    for (let i = 0; i < this.ranges.length; i += 2)
      readKeyValue(new ProtoReader(this.buf, this.ranges[i], this.ranges[i + 1]), out, 0);
    return out;
  }
}

export function readKeyValue(r: ProtoReader, into: Record<string, AttributeValue>, depth: number): void {
  let key = "";
  let value: AttributeValue = null;
  while (!r.done()) {
    const [field, wt] = r.tag();
    if (field === 1 && wt === WireType.LEN) key = r.string();
    else if (field === 2 && wt === WireType.LEN) value = readAnyValue(r.sub(), depth + 1);
    else r.skip(wt);
  }
  into[key] = value;
}

export function readAnyValue(r: ProtoReader, depth: number): AttributeValue {
  if (depth > MAX_DEPTH) throw new DecodeError(`attribute values nested deeper than ${MAX_DEPTH}`);
  let value: AttributeValue = null;
  while (!r.done()) {
    const [field, wt] = r.tag();
    if (field === 1 && wt === WireType.LEN) value = r.string();
    else if (field === 2 && wt === WireType.VARINT) value = r.bool();
    else if (field === 3 && wt === WireType.VARINT) value = int64Value(r.int64());
    else if (field === 4 && wt === WireType.I64) value = doubleValue(r.double());
    else if (field === 5 && wt === WireType.LEN) {
      const arr: AttributeValue[] = [];
      const s = r.sub();
      while (!s.done()) {
        const [f, w] = s.tag();
        if (f === 1 && w === WireType.LEN) arr.push(readAnyValue(s.sub(), depth + 1));
        else s.skip(w);
      }
      value = arr;
    } else if (field === 6 && wt === WireType.LEN) {
      const obj = newAttributes();
      const s = r.sub();
      while (!s.done()) {
        const [f, w] = s.tag();
        if (f === 1 && w === WireType.LEN) readKeyValue(s.sub(), obj, depth + 1);
        else s.skip(w);
      }
      value = obj;
    } else if (field === 7 && wt === WireType.LEN) value = bytesValue(r.bytes().toString("base64"));
    else r.skip(wt);
  }
  return value;
}

/** int64 attributes stay numbers while exact, otherwise decimal strings (JSON has no int64). */
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
export function int64Value(v: bigint): AttributeValue {
  return v <= MAX_SAFE && v >= MIN_SAFE ? Number(v) : v.toString();
}

/** JSON cannot hold NaN or Infinity; keep them readable as strings. */
export function doubleValue(v: number): AttributeValue {
  return Number.isFinite(v) ? v : String(v);
}

const QUOTE = 0x22;
const cursor = new ProtoReader(Buffer.alloc(0));

/**
 * The JSON object that `clean.attributes(wire.toObject())` would stringify to, written into `out` without building
 * the object, with the same limits, repairs and counts. Keys repeated within one span appear twice in the text
 * (jsonb keeps the last, as the object would); the attribute cap keeps the first KeyValue entries in the sender's
 * order (an object would list integer-like keys first and keep those).
 */
export function encodeWireAttributes(out: ByteWriter, wire: WireAttributes, clean: ValueCleaner): EncodedJson {
  const start = out.pos;
  const { buf, ranges } = wire;
  const r = cursor;
  out.byte(0x7b);
  let n = 0;
  for (let i = 0; i < ranges.length; i += 2) {
    if (n >= clean.limits.maxAttributes) {
      clean.adjusted.droppedAttributes++;
      continue;
    }
    let keyStart = -1;
    let keyEnd = -1;
    let valueStart = -1;
    let valueEnd = -1;
    r.moveTo(buf, ranges[i]!, ranges[i + 1]!);
    while (!r.done()) {
      const t = r.uint32();
      if (t >>> 3 === 0) throw new DecodeError(`invalid field number 0 at byte ${r.pos}`);
      if (t === ((1 << 3) | WireType.LEN)) (keyStart = r.lengthDelimited()), (keyEnd = r.pos);
      else if (t === ((2 << 3) | WireType.LEN)) (valueStart = r.lengthDelimited()), (valueEnd = r.pos);
      else r.skip(t & 7);
    }
    if (n > 0) out.byte(0x2c);
    n++;
    if (keyStart < 0) out.latin1('""');
    else writeString(out, buf, keyStart, keyEnd, clean);
    out.byte(0x3a);
    if (valueStart < 0) out.latin1("null");
    else writeAnyValue(out, r, buf, valueStart, valueEnd, clean);
  }
  out.byte(0x7d);
  return new EncodedJson(out.since(start));
}

function writeAnyValue(
  out: ByteWriter,
  r: ProtoReader,
  buf: Buffer,
  start: number,
  end: number,
  clean: ValueCleaner,
): void {
  // The last value field wins, as in readAnyValue.
  let field = 0;
  let from = 0;
  let to = 0;
  let flag = false;
  let int: number | bigint = 0;
  let double = 0;
  r.moveTo(buf, start, end);
  while (!r.done()) {
    const t = r.uint32();
    const f = t >>> 3;
    const wt = t & 7;
    if (f === 0) throw new DecodeError(`invalid field number 0 at byte ${r.pos}`);
    if (wt === WireType.LEN && (f === 1 || f === 5 || f === 6 || f === 7))
      (from = r.lengthDelimited()), (to = r.pos), (field = f);
    else if (f === 2 && wt === WireType.VARINT) (flag = r.bool()), (field = 2);
    else if (f === 3 && wt === WireType.VARINT) (int = r.int64Small()), (field = 3);
    else if (f === 4 && wt === WireType.I64) (double = r.double()), (field = 4);
    else r.skip(wt);
  }
  switch (field) {
    case 0:
      return out.latin1("null");
    case 1:
      return writeString(out, buf, from, to, clean);
    case 2:
      return out.latin1(flag ? "true" : "false");
    // Numbers that became strings (int64 beyond 2^53, NaN, bytes as base64) are cleaned like any string value.
    case 3:
      return out.latin1(typeof int === "number" ? String(int) : JSON.stringify(clean.value(int64Value(int))));
    case 4:
      return out.latin1(JSON.stringify(clean.value(doubleValue(double))));
    case 7:
      return out.latin1(`{"bytesValue":${JSON.stringify(clean.text(buf.toString("base64", from, to)))}}`);
    default: // arrays and kvlists are rare: through the object path
      out.utf8(JSON.stringify(clean.value(readAnyValue(new ProtoReader(buf, start, end), 1))));
  }
}

/** A JSON string of the UTF-8 bytes buf[start, end), cleaned like ValueCleaner.text. */
function writeString(out: ByteWriter, buf: Buffer, start: number, end: number, clean: ValueCleaner): void {
  // Printable ASCII without quote or backslash within the size limit needs no repair, cut or escape: copy it.
  if (end - start <= clean.limits.maxValueBytes) {
    const mark = out.pos;
    out.byte(QUOTE);
    if (out.copyPlainAscii(buf, start, end)) {
      out.byte(QUOTE);
      return;
    }
    out.pos = mark;
  }
  out.utf8(JSON.stringify(clean.text(utf8(buf, start, end))));
}
