/**
 * The client's IP address: the connection's peer, or the address the trusted
 * reverse proxy saw, which it appends last to `X-Forwarded-For` (the entries
 * before it are whatever the client chose to send).
 * @module
 */
import type { Context } from "hono";

/** The client address of a request, or null when unknown. */
export function clientIp(c: Context, trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = c.req.header("X-Forwarded-For")?.split(",").at(-1)?.trim();
    if (forwarded && /^[0-9a-fA-F:.]{2,45}$/.test(forwarded)) return forwarded;
  }
  const addr = (c.env as { remoteAddr?: { hostname?: string } } | undefined)?.remoteAddr;
  return addr?.hostname ?? null;
}
