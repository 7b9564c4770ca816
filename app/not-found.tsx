// 404 for a trace with no stored spans and a service never seen (the pages call notFound()); the header above
// keeps the trace-id box, and these links lead back to what exists.
export default function NotFound() {
  return (
    <div className="banner" role="alert" data-status={404}>
      <h1>Not found</h1>
      <p>
        Nothing is stored under this address: a trace whose spans have not arrived yet or are past retention, or a
        service that has never sent a span and that nobody calls.
      </p>
      <p>
        <a href="/">Open the map</a> · <a href="/traces">Search recent traces</a> ·{" "}
        <a href="/traces?pinned=1">Kept traces</a>
      </p>
    </div>
  );
}
