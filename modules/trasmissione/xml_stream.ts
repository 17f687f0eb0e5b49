/**
 * A flow in XML read as a stream with {@link XmlScanner}: the envelope, then each record
 * element (`Beneficiario` or `SINBA`) handed over alone, in the xml2js shape
 * the domain's schemas and parsers read. Memory holds one record, never the
 * document. A DTD is refused outright, so no entity is ever expanded; so is
 * an element nested deeper than the schema allows or a record too large.
 *
 * @example
 * ```ts
 * const reader = new FlowXmlReader({ onRecord: (r) => records.push(r) });
 * reader.write(text);
 * reader.close();
 * if (reader.problems.length) refuse(reader.problems);
 * ```
 * @module
 */
import type { XmlElement } from "../prestazioni/record.ts";
import { NAMESPACE } from "../prestazioni/xml_tree.ts";
import { XmlScanner, type XmlTag } from "./xml_scanner.ts";

/** A reason to refuse the document, with its line (1-based). */
export interface XmlProblem {
  riga: number;
  messaggio: string;
}

/** A record element, with its ordinal among the record elements and its line. */
export interface XmlRecord {
  name: "Beneficiario" | "SINBA";
  ordinal: number;
  line: number;
  element: XmlElement;
}

const MAX_DEPTH = 8;
// A Beneficiario with a few benefits has tens of nodes; a million is an attack, not a record.
const MAX_RECORD_NODES = 20_000;
/** Problems a refusal lists at most; beyond them a file is not read further. */
export const MAX_PROBLEMS = 100;
// The longest text the schema allows is a few hundred characters (white space included).
const MAX_TEXT = 16 * 1024;

// The order the XSD's sequences impose on children (xml2js groups children by name and forgets it).
// A Map, so that an element named like an Object.prototype member finds nothing.
const CHILD_ORDER = new Map<string, readonly string[]>([
  ["Beneficiario", ["Anagrafica", "Indirizzo", "PrestazioniSociali"]],
  ["PrestazioniSociali", ["SINA"]],
  ["SINA", ["NecessitaInterventiSociali", "InvaliditaCivile"]],
  ["IdentificazioneFlusso", ["Ente"]],
]);

const NON_WHITE = /\S/;

interface Building {
  name: string;
  // Undefined when the element has none.
  attrs?: Record<string, string>;
  // Children grouped by name in order of first appearance, as xml2js groups them;
  // created with the first child, as most elements have none.
  childNames?: string[];
  childLists?: unknown[][];
  text: string;
  order?: readonly string[];
  lastOrder: number;
  line: number;
}

/** Reads a flow document fed in text chunks. */
export class FlowXmlReader {
  /** Reasons to refuse the document; at most 100 are kept. */
  readonly problems: XmlProblem[] = [];
  /** The root's attributes (namespace declarations included). */
  rootAttrs?: Record<string, string>;
  /** The `IdentificazioneFlusso` element, once read. */
  envelope?: XmlElement;
  /** The record element's name, from the first one read. */
  kind?: "Beneficiario" | "SINBA";
  /** Record elements read. */
  records = 0;

  #scanner: XmlScanner;
  #depth = 0;
  #stack: Building[] = [];
  #nodes = 0;
  #fatal = false;
  #seenEnvelope = false;
  #line = 0;

  constructor(private readonly options: { onRecord?: (record: XmlRecord) => void } = {}) {
    this.#scanner = new XmlScanner({
      onError: (e) => this.#stop(`XML non ben formato: ${e.message}`),
      onDoctype: () => {
        this.#stop(
          "Il documento dichiara una DTD (DOCTYPE): non è ammessa, il flusso deve seguire lo schema XSD ufficiale senza DTD né entità.",
        );
      },
      onInstruction: (name, body) => {
        if (name !== "xml") return;
        const enc = /encoding\s*=\s*["']([^"']+)["']/i.exec(body)?.[1];
        if (enc && enc.toUpperCase() !== "UTF-8") {
          this.#stop(`Codifica dichiarata ${enc}: i flussi XML sono in UTF-8.`);
        }
      },
      onOpen: (tag) => this.#open(tag),
      onText: (t) => this.#text(t),
      onCdata: (t) => this.#text(t),
      onClose: () => this.#close(),
    });
  }

  /** Feeds the next chunk of text; after a fatal problem the rest is ignored. */
  write(text: string): void {
    if (this.#fatal) return;
    this.#scanner.write(text);
  }

  /** Ends the document. */
  close(): void {
    if (this.#fatal) return;
    this.#scanner.close();
    // Here the root was Flusso: a document without elements is a well-formedness error.
    if (this.#fatal) return;
    if (!this.#seenEnvelope) this.#problem(1, "Manca l'elemento IdentificazioneFlusso.");
    else if (this.records === 0) {
      this.#problem(this.#line, "Il flusso non contiene nessun Beneficiario né SINBA.");
    }
  }

  /** Whether the reader stopped at a problem that ends the reading (well-formedness, DTD, size). */
  get stopped(): boolean {
    return this.#fatal;
  }

  #problem(riga: number, messaggio: string) {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push({ riga, messaggio });
  }

  #stop(message: string) {
    if (this.#fatal) return;
    this.#problem(this.#scanner.line, message);
    this.#fatal = true;
    this.#scanner.stop();
  }

  #open(tag: XmlTag) {
    this.#depth++;
    this.#line = this.#scanner.line;
    if (this.#depth > MAX_DEPTH) {
      return this.#stop(`Elementi annidati oltre ${MAX_DEPTH} livelli: non previsto dallo schema.`);
    }
    if (tag.uri !== NAMESPACE) {
      this.#problem(
        this.#line,
        `L'elemento ${tag.name} non appartiene allo spazio dei nomi ${NAMESPACE}.`,
      );
    }
    if (this.#depth === 1) {
      if (tag.local !== "Flusso") {
        return this.#stop(`L'elemento radice è ${tag.name}: deve essere Flusso.`);
      }
      this.rootAttrs = attributesOf(tag, true) ?? {};
      return;
    }
    if (this.#depth === 2) this.#topLevel(tag);
    if (++this.#nodes > MAX_RECORD_NODES) {
      return this.#stop("Un elemento del flusso è troppo grande per essere un record.");
    }
    const parent = this.#stack.at(-1);
    if (parent) this.#checkOrder(parent, tag.local);
    this.#stack.push({
      name: tag.local,
      attrs: attributesOf(tag, false),
      text: "",
      order: CHILD_ORDER.get(tag.local),
      lastOrder: 0,
      line: this.#line,
    });
  }

  /** Children in the order of the XSD's sequence. */
  #checkOrder(parent: Building, local: string) {
    const order = parent.order?.indexOf(local) ?? -1;
    if (order < 0) return;
    if (order < parent.lastOrder) {
      this.#problem(
        this.#line,
        `In ${parent.name} l'elemento ${local} è fuori dall'ordine dello schema.`,
      );
    }
    parent.lastOrder = order;
  }

  /** A child of Flusso: the envelope first, then records of one kind. */
  #topLevel(tag: XmlTag) {
    const local = tag.local;
    if (local === "IdentificazioneFlusso") {
      if (this.#seenEnvelope || this.records > 0) {
        this.#problem(
          this.#line,
          "IdentificazioneFlusso deve comparire una sola volta, per primo.",
        );
      }
      this.#seenEnvelope = true;
    } else if (local === "Beneficiario" || local === "SINBA") {
      if (!this.#seenEnvelope) {
        this.#problem(this.#line, "IdentificazioneFlusso deve precedere i record.");
      }
      if (this.kind && this.kind !== local) {
        this.#problem(this.#line, `Un flusso contiene solo ${this.kind}: trovato ${local}.`);
      }
      this.kind ??= local;
    } else {
      this.#problem(this.#line, `Elemento ${tag.name} non previsto dallo schema in Flusso.`);
    }
    this.#nodes = 0;
  }

  #text(t: string) {
    const current = this.#stack.at(-1);
    if (current && current.text.length + t.length > MAX_TEXT) {
      return this.#stop("Un elemento contiene un testo troppo lungo per lo schema.");
    }
    if (current) current.text += t;
    // The scanner reports text only inside the root: here it is directly in Flusso.
    else if (NON_WHITE.test(t)) {
      this.#problem(this.#scanner.line, "Testo non previsto tra gli elementi di Flusso.");
    }
  }

  #close() {
    this.#depth--;
    const done = this.#stack.pop();
    if (!done) return;
    const value = shape(done);
    const parent = this.#stack.at(-1);
    if (parent) {
      const names = parent.childNames ??= [];
      const lists = parent.childLists ??= [];
      const k = names.indexOf(done.name);
      if (k >= 0) lists[k].push(value);
      else {
        names.push(done.name);
        lists.push([value]);
      }
      return;
    }
    if (done.name === "IdentificazioneFlusso") {
      this.envelope = value as XmlElement;
      return;
    }
    if (done.name === "Beneficiario" || done.name === "SINBA") {
      this.records++;
      this.options.onRecord?.({
        name: done.name,
        ordinal: this.records,
        line: done.line,
        element: (typeof value === "string" ? {} : value) as XmlElement,
      });
    }
  }
}

/** An element in the xml2js shape: text alone, or attributes under `$`, children by name, text under `_`. */
function shape(b: Building): unknown {
  const hasText = b.text !== "" && NON_WHITE.test(b.text);
  if (!b.attrs && !b.childNames) return hasText ? b.text : "";
  const out: Record<string, unknown> = {};
  if (b.attrs) out.$ = b.attrs;
  if (b.childNames) {
    for (let k = 0; k < b.childNames.length; k++) out[b.childNames[k]] = b.childLists![k];
  }
  if (hasText) out._ = b.text;
  return out;
}

/** Attributes in the xml2js shape, undefined when none: namespace declarations only on the root. */
function attributesOf(tag: XmlTag, root: boolean): Record<string, string> | undefined {
  // Without declarations or prefixes, the scanner's values are the shape itself.
  if (!tag.qualified || root) return tag.values;
  // A copy of own properties (a `__proto__` attribute included) without the declarations.
  const attrs: Record<string, string> = { ...tag.values };
  for (const a of tag.attributes) {
    if (a.name === "xmlns" || a.prefix === "xmlns") delete attrs[a.name];
  }
  return Object.keys(attrs).length ? attrs : undefined;
}
