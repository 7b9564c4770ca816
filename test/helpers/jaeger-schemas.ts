// The response shapes Jaeger UI requires, written from its own zod schemas (packages/jaeger-ui/src/api/v3/schemas.ts,
// generated-client.ts) and TypeScript types (src/types/trace.tsx, src/types/metrics.ts), strict where it is strict.
import { z } from "zod";

const traceIdHex = z.string().regex(/^[0-9a-f]{32}$/i);
const spanIdHex = z.string().regex(/^[0-9a-f]{16}$/i);
const decimalNanos = z.string().regex(/^\d+$/);

export const servicesV3 = z.object({ services: z.array(z.string()) });
export const operationsV3 = z.object({ operations: z.array(z.object({ name: z.string(), spanKind: z.string() })) });

export const traceSummariesV3 = z.object({
  summaries: z
    .array(
      z.object({
        traceId: traceIdHex,
        rootServiceName: z.string().optional(),
        rootOperationName: z.string().optional(),
        minStartTimeUnixNano: decimalNanos.optional(),
        maxEndTimeUnixNano: decimalNanos.optional(),
        spanCount: z.number().int().min(0).optional(),
        errorSpanCount: z.number().int().min(0).optional(),
        orphanSpanCount: z.number().int().min(0).optional(),
        services: z
          .array(
            z.object({
              name: z.string(),
              spanCount: z.number().int().min(0).optional(),
              errorSpanCount: z.number().int().min(0).optional(),
            }),
          )
          .optional(),
      }),
    )
    .optional(),
});

type AnyValue = {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number;
  bytesValue?: string;
  arrayValue?: { values: AnyValue[] };
  kvlistValue?: { values: { key: string; value: AnyValue }[] };
};
const anyValue: z.ZodType<AnyValue> = z.lazy(() =>
  z.union([
    z.object({ stringValue: z.string() }).strict(),
    z.object({ boolValue: z.boolean() }).strict(),
    z.object({ intValue: z.string().regex(/^-?\d+$/) }).strict(),
    z.object({ doubleValue: z.number() }).strict(),
    z.object({ bytesValue: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/) }).strict(),
    z.object({ arrayValue: z.object({ values: z.array(anyValue) }) }).strict(),
    z.object({ kvlistValue: z.object({ values: z.array(z.object({ key: z.string(), value: anyValue })) }) }).strict(),
  ]),
);
const keyValues = z.array(z.object({ key: z.string(), value: anyValue }));

/** OTLP TracesData in proto3 JSON, wrapped as Jaeger's gateway wraps it. */
export const tracesV3 = z.object({
  result: z.object({
    resourceSpans: z.array(
      z.object({
        resource: z.object({ attributes: keyValues }),
        scopeSpans: z.array(
          z.object({
            scope: z.object({ name: z.string().optional(), version: z.string().optional() }),
            spans: z.array(
              z.object({
                traceId: traceIdHex,
                spanId: spanIdHex,
                parentSpanId: spanIdHex.optional(),
                traceState: z.string().optional(),
                name: z.string(),
                kind: z.number().int().min(0).max(5),
                startTimeUnixNano: decimalNanos,
                endTimeUnixNano: decimalNanos,
                attributes: keyValues,
                events: z.array(z.object({ timeUnixNano: decimalNanos, name: z.string(), attributes: keyValues })),
                links: z.array(z.object({ traceId: traceIdHex, spanId: spanIdHex, attributes: keyValues })),
                status: z.object({ code: z.number().int().min(0).max(2).optional(), message: z.string().optional() }),
              }),
            ),
          }),
        ),
      }),
    ),
  }),
});

export const errorV3 = z.object({ error: z.object({ httpCode: z.number().int(), message: z.string() }) });

const tag = z.object({
  key: z.string(),
  type: z.enum(["string", "bool", "int64", "float64", "binary"]),
  value: z.union([z.string(), z.number(), z.boolean()]),
});

/** A trace in Jaeger's v1 JSON model, as the trace view and compare read it. */
export const traceV1 = z.object({
  traceID: traceIdHex,
  spans: z.array(
    z.object({
      traceID: traceIdHex,
      spanID: spanIdHex,
      operationName: z.string(),
      flags: z.number().int(),
      references: z.array(
        z.object({ refType: z.enum(["CHILD_OF", "FOLLOWS_FROM"]), traceID: traceIdHex, spanID: spanIdHex }),
      ),
      startTime: z.number().int(),
      duration: z.number().int().min(0),
      tags: z.array(tag),
      logs: z.array(z.object({ timestamp: z.number().int(), fields: z.array(tag) })),
      processID: z.string(),
      warnings: z.array(z.string()).nullable(),
    }),
  ),
  processes: z.record(z.string(), z.object({ serviceName: z.string(), tags: z.array(tag) })),
  warnings: z.array(z.string()).nullable(),
});

const jaegerError = z.object({ code: z.number().int().optional(), msg: z.string(), traceID: z.string().optional() });

/** Jaeger's v1 envelope around any data. */
export const envelopeV1 = <T extends z.ZodTypeAny>(data: T) =>
  z.object({
    data,
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
    errors: z.array(jaegerError).nullable(),
  });

export const errorV1 = z.object({ data: z.null(), errors: z.array(jaegerError).min(1) });

/** A MetricFamily as the Monitor tab's reducer reads it (labels[0] is the service; points have gaugeValue.doubleValue). */
export const metricFamily = z.object({
  name: z.enum([
    "service_latencies",
    "service_call_rate",
    "service_error_rate",
    "service_operation_latencies",
    "service_operation_call_rate",
    "service_operation_error_rate",
  ]),
  type: z.literal("GAUGE"),
  help: z.string(),
  metrics: z.array(
    z.object({
      labels: z.array(z.object({ name: z.string(), value: z.string() })).min(1),
      metricPoints: z.array(
        z.object({ gaugeValue: z.object({ doubleValue: z.number() }), timestamp: z.iso.datetime() }),
      ),
    }),
  ),
});
