import type { ReactNode } from "react";
import "./globals.css";

export const metadata = { title: "Tracemap", description: "Live service dependency map for distributed tracing" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header>
          <a href="/">Tracemap</a>
          <nav>
            <a href="/">Map</a> · <a href="/traces">Recent traces</a> · <a href="/traces?pinned=1">Pinned</a>
          </nav>
          <form method="get" action="/traces" className="trace-open" aria-label="Open a trace by id">
            <input name="traceId" placeholder="trace id" aria-label="Trace id" spellCheck={false} autoComplete="off" />{" "}
            <button type="submit">Open</button>
          </form>
          {process.env.DASHBOARD_PASSWORD && (
            <form method="post" action="/api/logout" className="logout">
              <button type="submit" className="link">
                Sign out
              </button>
            </form>
          )}
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
