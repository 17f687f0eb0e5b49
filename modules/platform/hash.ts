/**
 * SHA-256 digests as lowercase hex.
 *
 * @example
 * ```ts
 * await sha256Hex("abc"); // "ba7816bf…"
 * ```
 * @module
 */

/** The SHA-256 of `data` (text is hashed as UTF-8) in lowercase hex. */
export async function sha256Hex(data: string | Uint8Array<ArrayBuffer>): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
