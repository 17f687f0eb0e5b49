/**
 * A flow in XML read as a stream with `sax`: the envelope, then each record
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
// @ts-types="@types/sax"
import sax from "sax";
import type { XmlElement } from "../prestazioni/record.ts";
import { NAMESPACE } from "../prestazioni/xml_tree.ts";

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
const MAX_PROBLEMS = 100;
// The longest text the schema allows is a few hundred characters (white space included).
const MAX_TEXT = 16 * 1024;

// The order the XSD's sequences impose on children (xml2js groups children by name and forgets it).
const CHILD_ORDER: Record<string, readonly string[]> = {
  Beneficiario: ["Anagrafica", "Indirizzo", "PrestazioniSociali"],
  PrestazioniSociali: ["SINA"],
  SINA: ["NecessitaInterventiSociali", "InvaliditaCivile"],
  IdentificazioneFlusso: ["Ente"],
};

interface Building {
  name: string;
  attrs: Record<string, string>;
  children: Map<string, unknown[]>;
  text: string;
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

  #parser: sax.SAXParser;
  #depth = 0;
  #stack: Building[] = [];
  #nodes = 0;
  #fatal = false;
  #seenEnvelope = false;
  #line = 0;

  constructor(private readonly options: { onRecord?: (record: XmlRecord) => void } = {}) {
    const p = sax.parser(true, { xmlns: true, position: true });
    this.#parser = p;
    p.onerror = (e) => {
      this.#stop(`XML non ben formato: ${e.message.split("\n")[0]}`);
    };
    p.ondoctype = () => {
      this.#stop(
        "Il documento dichiara una DTD (DOCTYPE): non è ammessa, il flusso deve seguire lo schema XSD ufficiale senza DTD né entità.",
      );
    };
    p.onprocessinginstruction = (pi) => {
      if (pi.name !== "xml") return;
      const enc = /encoding\s*=\s*["']([^"']+)["']/i.exec(pi.body)?.[1];
      if (enc && enc.toUpperCase() !== "UTF-8") {
        this.#stop(`Codifica dichiarata ${enc}: i flussi XML sono in UTF-8.`);
      }
    };
    p.onopentag = (node) => this.#open(node as sax.QualifiedTag);
    p.ontext = (t) => this.#text(t);
    p.oncdata = (t) => this.#text(t);
    p.onclosetag = () => this.#close();
  }

  /** Feeds the next chunk of text; after a fatal problem the rest is ignored. */
  write(text: string): void {
    if (this.#fatal) return;
    this.#parser.write(text);
  }

  /** Ends the document. */
  close(): void {
    if (this.#fatal) return;
    this.#parser.close();
    if (this.#fatal) return;
    if (!this.rootAttrs) this.#problem(1, "Il documento non contiene l'elemento Flusso.");
    else if (!this.#seenEnvelope) this.#problem(1, "Manca l'elemento IdentificazioneFlusso.");
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
    this.#problem(this.#parser.line + 1, message);
    this.#fatal = true;
    this.#parser.onerror = () => {};
    this.#parser.onopentag = this.#parser.onclosetag = this.#parser.ontext = () => {};
  }

  #open(node: sax.QualifiedTag) {
    this.#depth++;
    this.#line = this.#parser.line + 1;
    if (this.#depth > MAX_DEPTH) {
      return this.#stop(`Elementi annidati oltre ${MAX_DEPTH} livelli: non previsto dallo schema.`);
    }
    if (node.uri !== NAMESPACE) {
      this.#problem(
        this.#line,
        `L'elemento ${node.name} non appartiene allo spazio dei nomi ${NAMESPACE}.`,
      );
    }
    const attrs: Record<string, string> = {};
    for (const a of Object.values(node.attributes)) {
      const declaration = a.name === "xmlns" || a.prefix === "xmlns";
      if (declaration && this.#depth > 1) continue;
      attrs[a.name] = a.value;
    }
    if (this.#depth === 1) {
      if (node.local !== "Flusso") {
        return this.#stop(`L'elemento radice è ${node.name}: deve essere Flusso.`);
      }
      this.rootAttrs = attrs;
      return;
    }
    if (this.#depth === 2) {
      const local = node.local;
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
        this.#problem(this.#line, `Elemento ${node.name} non previsto dallo schema in Flusso.`);
      }
      this.#nodes = 0;
    }
    if (++this.#nodes > MAX_RECORD_NODES) {
      return this.#stop("Un elemento del flusso è troppo grande per essere un record.");
    }
    const parent = this.#stack.at(-1);
    if (parent) {
      const order = CHILD_ORDER[parent.name]?.indexOf(node.local) ?? -1;
      if (order >= 0) {
        if (order < parent.lastOrder) {
          this.#problem(
            this.#line,
            `In ${parent.name} l'elemento ${node.local} è fuori dall'ordine dello schema.`,
          );
        }
        parent.lastOrder = order;
      }
    }
    this.#stack.push({
      name: node.local,
      attrs,
      children: new Map(),
      text: "",
      lastOrder: 0,
      line: this.#line,
    });
  }

  #text(t: string) {
    const current = this.#stack.at(-1);
    if (current && current.text.length + t.length > MAX_TEXT) {
      return this.#stop("Un elemento contiene un testo troppo lungo per lo schema.");
    }
    if (current) current.text += t;
    else if (/\S/.test(t) && this.#depth >= 1) {
      this.#problem(this.#parser.line + 1, "Testo non previsto tra gli elementi di Flusso.");
    }
  }

  #close() {
    this.#depth--;
    const done = this.#stack.pop();
    if (!done) return;
    const value = shape(done);
    const parent = this.#stack.at(-1);
    if (parent) {
      const list = parent.children.get(done.name) ?? [];
      list.push(value);
      parent.children.set(done.name, list);
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
  const hasText = /\S/.test(b.text);
  const hasAttrs = Object.keys(b.attrs).length > 0;
  if (!hasAttrs && b.children.size === 0) return hasText ? b.text : "";
  const out: Record<string, unknown> = {};
  if (hasAttrs) out.$ = b.attrs;
  for (const [name, list] of b.children) out[name] = list;
  if (hasText) out._ = b.text;
  return out;
}
