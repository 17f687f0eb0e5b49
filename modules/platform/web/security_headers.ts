/**
 * Security headers on every response: pages, fragments, errors and static files.
 *
 * @example
 * ```ts
 * app.use(securityHeaders({ https: true }));
 * ```
 * @module
 */
import type { MiddlewareHandler } from "hono";

/**
 * No inline script or style anywhere: every script and stylesheet is a file of
 * `static/`, and htmx is told not to inject its indicator style.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

/** Sets the security headers; HSTS only when the public address is HTTPS. */
export function securityHeaders(options: { https: boolean }): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    h.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    h.set("X-Content-Type-Options", "nosniff");
    h.set("Referrer-Policy", "strict-origin-when-cross-origin");
    h.set("X-Frame-Options", "DENY");
    h.set("Cross-Origin-Opener-Policy", "same-origin");
    h.set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
    if (options.https || new URL(c.req.url).protocol === "https:") {
      h.set("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
    }
  };
}
