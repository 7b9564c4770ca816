import { DEPLOY_RING, HEALTH, NODE_SHAPES } from "@/app/components/map-style";
import { ERROR_ARC } from "@/app/(map)/map-elements";

// What every mark on the map means; collapsible, always beside the map. The swatches are drawn with the same
// colours, borders and dashes the map's stylesheet uses (map-style.ts), so legend and map cannot disagree.
const SHAPE_LABELS: Record<string, string> = {
  service: "service",
  database: "database",
  messaging: "queue / broker",
  external: "external API",
  user: "users (entry point)",
  unknown: "unknown peer",
  group: "namespace (collapsed)",
};

const HEALTH_ORDER = ["ok", "slow", "degraded", "failing", "idle"] as const;

function Shape({ shape }: { shape: string }) {
  const common = { fill: "none", stroke: "currentColor", strokeWidth: 2 };
  switch (shape) {
    case "barrel":
      return (
        <>
          <ellipse cx="10" cy="5" rx="7" ry="3" {...common} />
          <path d="M3 5v10c0 2 14 2 14 0V5" {...common} />
        </>
      );
    case "rhomboid":
      return <path d="M5 4h13l-3 12H2z" {...common} />;
    case "hexagon":
      return <path d="M6 3h8l4 7-4 7H6l-4-7z" {...common} />;
    case "octagon":
      return <path d="M7 2h6l5 5v6l-5 5H7l-5-5V7z" {...common} />;
    case "ellipse":
      return <circle cx="10" cy="10" r="7" {...common} />;
    default:
      return <rect x="2" y="4" width="16" height="12" rx="3" {...common} />;
  }
}

const swatch = (children: React.ReactNode) => (
  <svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true">
    {children}
  </svg>
);

export default function MapLegend() {
  return (
    <details className="legend" data-testid="legend">
      <summary>Legend</summary>
      <ul>
        {HEALTH_ORDER.map((h) => (
          <li key={h} data-legend={`health-${h}`}>
            {swatch(
              <rect
                x="2"
                y="4"
                width="16"
                height="12"
                rx="3"
                fill={HEALTH[h].color}
                stroke="#333"
                strokeWidth={2}
                strokeDasharray={
                  HEALTH[h].border === "dashed" ? "4 2" : HEALTH[h].border === "dotted" ? "1 2" : undefined
                }
              />,
            )}{" "}
            {HEALTH[h].label}
            {HEALTH[h].border !== "solid" ? ` (${HEALTH[h].border} border)` : ""}
          </li>
        ))}
        {Object.entries(NODE_SHAPES)
          .filter(([type]) => type in SHAPE_LABELS)
          .map(([type, shape]) => (
            <li key={type} data-legend={`type-${type}`}>
              {swatch(<Shape shape={shape} />)} {SHAPE_LABELS[type]}
            </li>
          ))}
        <li data-legend="traffic-ring">
          {swatch(
            <>
              <circle cx="10" cy="10" r="8" fill={HEALTH.ok.color} stroke="#333" strokeWidth={1.5} />
              <circle cx="10" cy="10" r="5.5" fill="none" stroke="#FFFFFF" strokeOpacity={0.7} strokeWidth={3} />
              <path d="M10 4.5A5.5 5.5 0 0 1 15.5 10" fill="none" stroke={ERROR_ARC} strokeWidth={3} />
            </>,
          )}{" "}
          ring inside a node: thicker = busier on this map; dark red arc = share of failed requests
        </li>
        <li data-legend="edge-width">
          {swatch(<path d="M2 6h16M2 14h16" stroke="currentColor" strokeWidth={1} />)} line width: calls per second
        </li>
        <li data-legend="edge-virtual">
          {swatch(<path d="M2 10h16" stroke="currentColor" strokeWidth={2} strokeDasharray="4 3" />)} dashed line: call
          to an uninstrumented peer
        </li>
        <li data-legend="quality">
          {swatch(<rect x="3" y="3" width="14" height="14" rx="3" fill="none" stroke="#AA3377" strokeWidth={3} />)}{" "}
          magenta border: data quality problem (see its panel)
        </li>
        <li data-legend="deploy">
          {swatch(
            <>
              <rect x="5" y="5" width="10" height="10" rx="2" fill="none" stroke="#333" strokeWidth={2} />
              <rect
                x="1.5"
                y="1.5"
                width="17"
                height="17"
                rx="4"
                fill="none"
                stroke={DEPLOY_RING.color}
                strokeWidth={3}
              />
            </>,
          )}{" "}
          outer ring and ⬆version: a new service.version (deploy) in the window
        </li>
        <li data-legend="compare-added">
          {swatch(<rect x="3" y="3" width="14" height="14" rx="3" fill="none" stroke="#009988" strokeWidth={3} />)} teal
          outline (compare): new since the baseline
        </li>
        <li data-legend="compare-removed">
          {swatch(
            <rect x="3" y="3" width="14" height="14" rx="3" fill="#DDDDDD" stroke="#999" strokeDasharray="1 2" />,
          )}{" "}
          grey, dotted (compare): gone since the baseline
        </li>
        <li data-legend="group">
          {swatch(
            <rect x="2" y="2" width="16" height="16" rx="3" fill="#88CCEE33" stroke="#33BBEE" strokeDasharray="4 2" />,
          )}{" "}
          dashed box: a namespace (service.namespace)
        </li>
      </ul>
    </details>
  );
}
