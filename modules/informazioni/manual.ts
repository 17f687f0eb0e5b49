/**
 * The user manual and the normativa page: Markdown files kept in the
 * repository, rendered once at start with a table of contents. The files are
 * the product's own; raw HTML in them is still shown as text, never run.
 *
 * @example
 * ```ts
 * const manual = await loadManual();
 * manual.toc[0]; // { id: "introduzione", title: "Introduzione", level: 1 }
 * ```
 * @module
 */
import { Marked } from "marked";

/** An entry of the table of contents. */
export interface TocEntry {
  id: string;
  title: string;
  level: number;
}

/** A rendered document. */
export interface RenderedDocument {
  html: string;
  toc: TocEntry[];
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );

// The table of contents is rendered as text by the view, which escapes it: the HTML that
// marked produced (tags, entities) must be turned back into plain text first.
function plainText(html: string): string {
  return html.replace(/<[^>]*>/g, "").replace(
    /&(#39|quot|amp|lt|gt);/g,
    (_, e) => ({ "#39": "'", quot: '"', amp: "&", lt: "<", gt: ">" })[e as string]!,
  );
}

/** An anchor from a heading: lower case, accents dropped, words joined by dashes. */
export function slug(text: string): string {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

/** Renders Markdown documents into one, with unique heading anchors and a table of contents. */
export async function renderMarkdown(sources: string[], tocDepth = 2): Promise<RenderedDocument> {
  const toc: TocEntry[] = [];
  const used = new Set<string>();
  const marked = new Marked({
    renderer: {
      heading({ tokens, depth }) {
        const inner = this.parser.parseInline(tokens);
        const base = slug(plainText(inner)) || "sezione";
        let id = base;
        for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
        used.add(id);
        if (depth <= tocDepth) toc.push({ id, title: plainText(inner), level: depth });
        return `<h${depth + 1} id="${id}">${inner}</h${depth + 1}>\n`;
      },
      html({ text }) {
        return escapeHtml(text);
      },
      // Screenshots are long pages: loaded when scrolled to, never wider than the text.
      image({ href, text }) {
        return `<img src="${escapeHtml(href)}" alt="${
          escapeHtml(text)
        }" loading="lazy" class="screenshot">`;
      },
    },
  });
  const parts: string[] = [];
  for (const source of sources) {
    parts.push(`<section class="prose">${await marked.parse(source)}</section>`);
  }
  return { html: parts.join("\n"), toc };
}

const MANUAL_DIR = new URL("./manuale/", import.meta.url);

/** The manual: every chapter of `manuale/`, in file-name order. */
export async function loadManual(): Promise<RenderedDocument> {
  const names: string[] = [];
  for await (const e of Deno.readDir(MANUAL_DIR)) {
    if (e.isFile && e.name.endsWith(".md")) names.push(e.name);
  }
  names.sort();
  return await renderMarkdown(
    await Promise.all(names.map((n) => Deno.readTextFile(new URL(n, MANUAL_DIR)))),
  );
}

/** The manual's screenshots (`manuale/immagini/`, taken by the browser tests), by file name. */
export async function loadManualImages(): Promise<Map<string, Uint8Array<ArrayBuffer>>> {
  const dir = new URL("immagini/", MANUAL_DIR);
  const images = new Map<string, Uint8Array<ArrayBuffer>>();
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.endsWith(".png")) {
      images.set(e.name, await Deno.readFile(new URL(e.name, dir)));
    }
  }
  return images;
}

/** The normativa page. */
export async function loadNormativa(): Promise<RenderedDocument> {
  return await renderMarkdown([
    await Deno.readTextFile(new URL("./normativa.md", import.meta.url)),
  ]);
}
