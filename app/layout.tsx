import type { ReactNode } from "react";
import "./globals.css";

export const metadata = { title: "Tracemap", description: "Live service dependency map for distributed tracing" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header>
          <a href="/">Tracemap</a>
          <nav><a href="/">Map</a> · <a href="/traces">Recent traces</a></nav>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
