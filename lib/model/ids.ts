// Trace and span ids. Everything past the receivers reads them as lower-case hex (32 and 16 digits); only the
// write path (SpanRecord, COPY) carries them as bytes.
export type TraceId = string;
export type SpanId = string;

const HEX_TRACE_ID = /^[0-9a-f]{32}$/;
const HEX_SPAN_ID = /^[0-9a-f]{16}$/;

export const isHexTraceId = (s: unknown): s is TraceId => typeof s === "string" && HEX_TRACE_ID.test(s);
export const isHexSpanId = (s: unknown): s is SpanId => typeof s === "string" && HEX_SPAN_ID.test(s);
