/**
 * Shared pieces of the official flows' documents in the xml2js shape
 * (attributes under `$`, children as arrays): the namespace, the attributes
 * the root `Flusso` may carry, and helpers to describe elements.
 * @module
 */
import { z } from "zod";

/** The XML namespace of both flows (PS-PSA-SINA and SINBA). */
export const NAMESPACE = "http://inps.it/Casellario";

const XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance";
const XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NAMESPACE = "http://www.w3.org/2000/xmlns/";
const NCNAME = /^[\p{L}_][\p{L}\p{N}\p{M}._\-\u00B7]*$/u;

// An RFC 3986 URI-reference, as libxml2 parses it: a prefix bound to anything else is a
// namespace error, which the official validator reports against the document.
const URI_REFERENCE = (() => {
  const u = "A-Za-z0-9\\-._~", s = "!$&'()*+,;=", pct = "%[0-9A-Fa-f]{2}";
  const pchar = `(?:[${u}${s}:@]|${pct})`;
  const authority = `(?:(?:[${u}${s}:]|${pct})*@)?(?:\\[[^\\]]*\\]|(?:[${u}${s}]|${pct})*)` +
    `(?::[0-9]*)?`;
  const abEmpty = `(?:/${pchar}*)*`;
  const absolute = `/(?:${pchar}+${abEmpty})?`;
  const rootless = `${pchar}+${abEmpty}`;
  const noScheme = `(?:[${u}${s}@]|${pct})+${abEmpty}`;
  const tail = `(?:\\?(?:${pchar}|[/?])*)?(?:#(?:${pchar}|[/?])*)?`;
  return new RegExp(
    `^(?:[A-Za-z][A-Za-z0-9+.\\-]*:(?://${authority}${abEmpty}|${absolute}|${rootless}|)` +
      `|//${authority}${abEmpty}|${absolute}|${noScheme}|)${tail}$`,
  );
})();

/** Whether `xmlns:prefix="uri"` is a declaration the namespace rules allow. */
function declares(prefix: string, uri: string): boolean {
  if (prefix === "xml") return uri === XML_NAMESPACE;
  if (prefix === "xmlns" || uri === XML_NAMESPACE || uri === XMLNS_NAMESPACE) return false;
  return uri !== "" && URI_REFERENCE.test(uri);
}

/**
 * The root `Flusso` attributes: the default namespace must be the XSD's, and
 * INPS's own example flows add `xmlns:xsi` and `xsi:schemaLocation`, which the
 * XSD allows (as it allows `xsi:type` naming `FlussoType` itself); anything
 * else is an attribute `FlussoType` does not declare.
 */
export const FlussoRootAttrs = z.record(z.string(), z.string()).superRefine((attrs, ctx) => {
  const fail = (message: string) => ctx.addIssue({ code: "custom", message });
  if (attrs.xmlns !== NAMESPACE) fail(`lo spazio dei nomi deve essere ${NAMESPACE}`);
  const isXsi = (prefix: string) => attrs[`xmlns:${prefix}`] === XSI_NAMESPACE;
  const namesFlussoType = (qname: string) => {
    const [prefix, local] = qname.includes(":") ? qname.split(":", 2) : [undefined, qname];
    return local === "FlussoType" &&
      (prefix === undefined || attrs[`xmlns:${prefix}`] === NAMESPACE);
  };
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "xmlns") continue;
    const parts = name.split(":");
    const [prefix, local] = parts;
    if (parts.length !== 2 || !NCNAME.test(prefix) || !NCNAME.test(local)) {
      fail(`attributo non previsto: ${name}`);
    } else if (prefix === "xmlns") {
      if (!declares(local, value)) fail(`dichiarazione di spazio dei nomi non valida: ${name}`);
    } else if (
      !isXsi(prefix) ||
      !(local === "schemaLocation" || local === "noNamespaceSchemaLocation" ||
        (local === "type" && namesFlussoType(value)))
    ) {
      fail(`attributo non previsto: ${name}`);
    }
  }
});

/** An element: its attributes under `$`, its children by name. */
export const element = <A extends z.ZodType, C extends z.ZodRawShape>(attrs: A, children: C) =>
  z.object({ $: attrs, ...children }).strict();

/** Exactly one occurrence of a child element. */
export const one = <T extends z.ZodType>(s: T) => z.array(s).length(1);

/** A text-only element: xml2js gives its text, or `{ _: text }` when it has attributes. */
export const textElement = <T extends z.ZodType>(s: T) => z.object({ _: s }).strict().or(s);
