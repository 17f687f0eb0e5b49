/**
 * Renders a page: the whole layout on a normal request, only the fragment on
 * an htmx request (which swaps it into a page that already has the layout).
 *
 * @example
 * ```tsx
 * app.get("/x", (c) => render(c, "Titolo", <p>contenuto</p>));
 * ```
 * @module
 */
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import { raw } from "hono/html";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { Layout, type PageContext } from "../../../views/layout.tsx";

/** The Hono environment of the application. */
export type AppEnv = {
  Variables: { requestId: string; page: PageContext; ip: string | null };
};

/** Answers with `body` in the layout, or alone for an htmx fragment request. */
export function render<E extends AppEnv>(
  c: Context<E>,
  title: string,
  body: Child,
  status: ContentfulStatusCode = 200,
): Response | Promise<Response> {
  const fragment = c.req.header("HX-Request") === "true" && c.req.header("HX-Boosted") !== "true";
  if (fragment) return c.html(<>{body}</>, status);
  return c.html(
    <>
      {raw("<!doctype html>")}
      <Layout page={(c as unknown as Context<AppEnv>).var.page} title={title}>{body}</Layout>
    </>,
    status,
  );
}
