import { safeNextPath } from "@/lib/auth/session";

export const dynamic = "force-dynamic";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function LoginPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const next = safeNextPath(typeof params.next === "string" ? params.next : "/");
  return (
    <form method="post" action="/api/login" className="login" aria-label="Sign in">
      <h1>Sign in to Tracemap</h1>
      {params.error && (
        <p className="banner" role="alert">
          Wrong password.
        </p>
      )}
      <input type="hidden" name="next" value={next} />
      <label>
        Dashboard password{" "}
        {/* biome-ignore lint/a11y/noAutofocus: the page's only field; signing in is all one comes here for */}
        <input type="password" name="password" autoFocus required autoComplete="current-password" />
      </label>
      <button type="submit">Sign in</button>
      <p className="muted">You will return to {next}</p>
    </form>
  );
}
