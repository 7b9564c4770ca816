"use client";

// Anything a page did not expect: say so and offer a retry. Expected failures (bad parameters, database down) are
// rendered by the page itself with PageError, because Next hides a server error's message from the browser.
export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="banner" role="alert">
      <p>Something went wrong showing this page.</p>
      <button type="button" onClick={reset}>
        Try again
      </button>
    </div>
  );
}
