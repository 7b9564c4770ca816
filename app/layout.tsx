import type { ReactNode } from "react";
import "./globals.css";

export const metadata = { title: "Tracemap", description: "Live service dependency map for distributed tracing" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header>
          <a href="/">Tracemap</a>
          <span className="muted">service map for distributed tracing</span>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
