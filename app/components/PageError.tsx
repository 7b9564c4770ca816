import { queryError } from "@/lib/query/errors";

const UNAVAILABLE_HINT = "; spans sent now get 503 and exporters retry them";

/** The one way a page says why it cannot show its data (bad parameters, database down), from queryError. */
export default function PageError({ what, error }: { what: string; error: unknown }) {
  const e = queryError(error);
  const hint = e.status === 503 ? UNAVAILABLE_HINT : "";
  return <p className="banner" role="alert" data-status={e.status}>{`Cannot show ${what}: ${e.message}${hint}`}</p>;
}
