/**
 * Safe access to element trees in the xml2js shape.
 * @module
 */
import type { XmlElement } from "./record.ts";

// A tree may come from a JSON body as well as from the XML parser: every step tolerates
// a missing, mistyped or null node, and reports it as a missing value instead of throwing.
export function asElement(node: unknown): node is XmlElement {
  return typeof node === "object" && node !== null && !Array.isArray(node);
}

export function children(node: unknown, name: string): XmlElement[] {
  if (!asElement(node)) return [];
  const list = node[name];
  return Array.isArray(list)
    ? list.map((c) => (asElement(c) ? c : typeof c === "string" ? c : {})) as XmlElement[]
    : [];
}

export function attrsOf(node: unknown): Record<string, string> {
  const attrs = asElement(node) ? node.$ : undefined;
  if (!asElement(attrs)) return {};
  // The XML reader's attributes are all text already: they stand for themselves (a flow's hot
  // path). A JSON body's may be numbers, or carry a "__proto__" key: those are copied.
  if (isTextRecord(attrs)) return attrs;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) out[k] = scalar(v);
  return out;
}

function isTextRecord(o: Record<string, unknown>): o is Record<string, string> {
  if (Object.getPrototypeOf(o) !== Object.prototype) return false;
  for (const k in o) if (typeof o[k] !== "string" || k === "__proto__") return false;
  return true;
}

/** A value as text: strings as they are, numbers and booleans written out, anything else marked. */
export function scalar(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return "[valore non testuale]";
}
