/**
 * A streaming XML 1.0 + Namespaces scanner, non-validating and without DTD
 * support: it turns text fed in chunks of any size into events (element open
 * and close, text, CDATA, processing instruction, DOCTYPE, error) and stops at
 * the first well-formedness error. A DOCTYPE is reported and ends the scanning
 * at its first characters, so no entity is ever declared, let alone expanded.
 *
 * It holds at most the unfinished markup token (a start tag, say), capped at
 * {@link MAX_TOKEN} characters; text and CDATA are handed over as they come.
 * Scanning uses `indexOf` and `charCodeAt` over the chunk, slicing only what
 * it hands over.
 *
 * @example
 * ```ts
 * const scanner = new XmlScanner({
 *   onOpen: (tag) => console.log(tag.local, tag.uri),
 *   onError: (e) => console.log(`riga ${e.line}: ${e.message}`),
 * });
 * scanner.write('<a xmlns="urn:x"><b c="1"/></a>');
 * scanner.close();
 * ```
 * @module
 */
import { NOT_XML_CHAR } from "../prestazioni/xsd_types.ts";

/** An attribute, namespace declarations (`xmlns`, `xmlns:p`) included. */
export interface XmlAttribute {
  /** The qualified name, as written. */
  name: string;
  value: string;
  /** The prefix (`xmlns` for a namespace declaration), or "". */
  prefix: string;
  local: string;
  /** The namespace: "" for an unprefixed attribute, as the default namespace does not apply to them. */
  uri: string;
}

/** An element's start tag, its namespace resolved. */
export interface XmlTag {
  /** The qualified name, as written. */
  name: string;
  prefix: string;
  local: string;
  /** The namespace, "" for none. */
  uri: string;
  /** In document order. */
  readonly attributes: readonly XmlAttribute[];
  /**
   * The attributes' values by name as written, in document order;
   * undefined when there are none.
   */
  values?: Readonly<Record<string, string>>;
  /** Whether an attribute is prefixed or declares the default namespace (`xmlns`). */
  qualified: boolean;
}

/** A well-formedness error: a short sentence in Italian and its line (1-based). */
export interface XmlError {
  message: string;
  line: number;
}

/** What the scanner reports; during a call, {@link XmlScanner.line} is the line where the event ends. */
export interface XmlHandlers {
  /** An element begins (for `<a/>`, followed at once by `onClose`). */
  onOpen?(tag: XmlTag): void;
  /** Character data, references decoded; one text node may come in several calls. */
  onText?(text: string): void;
  /** A CDATA section's content; a long one may come in several calls. */
  onCdata?(text: string): void;
  /** An element ends. */
  onClose?(name: string): void;
  /** A `<!DOCTYPE`: reported as soon as seen, then the scanning ends with an error. */
  onDoctype?(): void;
  /** A processing instruction (the XML declaration included, as `xml`). */
  onInstruction?(name: string, body: string): void;
  /** The first well-formedness error; nothing is reported after it. */
  onError?(error: XmlError): void;
}

/** The longest markup token (start tag, end tag, processing instruction), in characters. */
export const MAX_TOKEN = 64 * 1024;
// Text and CDATA are handed over at the latest when this much is pending.
const MAX_PENDING = 64 * 1024;
// The longest reference (`&#x0010FFFF;` is 12): only absurd leading zeros go past it.
const MAX_REF = 32;

const XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NAMESPACE = "http://www.w3.org/2000/xmlns/";

const TAB = 0x09, LF = 0x0a, SPACE = 0x20, DQUOTE = 0x22, HASH = 0x23, AMP = 0x26, SQUOTE = 0x27;
const SLASH = 0x2f, COLON = 0x3a, SEMI = 0x3b, LT = 0x3c, EQ = 0x3d, GT = 0x3e;
const QMARK = 0x3f, BANG = 0x21, RBRACKET = 0x5d, LOWER_X = 0x78;

// Name characters of XML 1.0 (fifth edition) in the Basic Multilingual Plane, as bits per
// UTF-16 unit. Characters beyond it are refused in names, as sax and the editions before
// the fifth do: a lookup per unit keeps name scanning a table read.
const NAME_START = 1, NAME_CHAR = 2, IS_COLON = 4;
const CHAR_CLASS = (() => {
  const table = new Uint8Array(0x10000);
  const starts = [
    [0x3a, 0x3a],
    [0x41, 0x5a],
    [0x5f, 0x5f],
    [0x61, 0x7a],
    [0xc0, 0xd6],
    [0xd8, 0xf6],
    [0xf8, 0x2ff],
    [0x370, 0x37d],
    [0x37f, 0x1fff],
    [0x200c, 0x200d],
    [0x2070, 0x218f],
    [0x2c00, 0x2fef],
    [0x3001, 0xd7ff],
    [0xf900, 0xfdcf],
    [0xfdf0, 0xfffd],
  ];
  const others = [[0x2d, 0x2e], [0x30, 0x39], [0xb7, 0xb7], [0x300, 0x36f], [0x203f, 0x2040]];
  for (const [from, to] of starts) table.fill(NAME_START | NAME_CHAR, from, to + 1);
  for (const [from, to] of others) table.fill(NAME_CHAR, from, to + 1);
  table[0x3a] |= IS_COLON;
  return table;
})();

const PREDEFINED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

// The XML declaration's body after `<?xml` and its white space (XML 1.0, production 23).
const XML_DECLARATION = new RegExp(
  `^version${eq("1\\.[0-9]+")}(?:[ \\t\\n]+encoding${eq("[A-Za-z][A-Za-z0-9._-]*")})?` +
    `(?:[ \\t\\n]+standalone${eq("yes|no")})?[ \\t\\n]*$`,
);
function eq(value: string): string {
  return `[ \\t\\n]*=[ \\t\\n]*(?:"(?:${value})"|'(?:${value})')`;
}

// What `<!` may begin; a chunk ending inside one of them waits for the next.
const DECLARATION_OPENERS = ["<!--", "<![CDATA[", "<!DOCTYPE"];

// Namespace bindings in scope: a child scope inherits its parent's through the prototype chain.
type Scope = Record<string, string>;
const ROOT_SCOPE: Scope = Object.assign(Object.create(null), { "": "", xml: XML_NAMESPACE });

// Where a tag split across chunks is, in the grammar the tag scanning follows.
const enum TagState {
  Name,
  Space,
  Attribute,
  BeforeEq,
  AfterEq,
  Value,
  AfterValue,
  Slash,
  EndStart,
  EndName,
  EndSpace,
}
// The tag is over: ended by `>`, or broken by the character just read.
const TAG_OVER = -1;

/** The state after `c`; `quote` closes an attribute value. */
function tagStep(state: TagState, c: number, quote: number): TagState | typeof TAG_OVER {
  const kind = CHAR_CLASS[c], space = isSpace(c);
  switch (state) {
    case TagState.Name:
      return kind & NAME_CHAR ? state : space ? TagState.Space : slashOrOver(c);
    case TagState.Space:
      return space ? state : kind & NAME_START ? TagState.Attribute : slashOrOver(c);
    case TagState.Attribute:
      return kind & NAME_CHAR ? state : space ? TagState.BeforeEq : afterName(c);
    case TagState.BeforeEq:
      return space ? state : afterName(c);
    case TagState.AfterEq:
      return space ? state : c === DQUOTE || c === SQUOTE ? TagState.Value : TAG_OVER;
    case TagState.Value:
      return c === quote ? TagState.AfterValue : c === LT ? TAG_OVER : state;
    case TagState.AfterValue:
      return space ? TagState.Space : slashOrOver(c);
    case TagState.Slash:
      return TAG_OVER;
    case TagState.EndStart:
      return kind & NAME_START ? TagState.EndName : TAG_OVER;
    case TagState.EndName:
      return kind & NAME_CHAR ? state : space ? TagState.EndSpace : TAG_OVER;
    case TagState.EndSpace:
      return space ? state : TAG_OVER;
  }
}

/** Where a tag may end: `/` may begin `/>`; anything else ends the tag or breaks it. */
function slashOrOver(c: number): TagState | typeof TAG_OVER {
  return c === SLASH ? TagState.Slash : TAG_OVER;
}

function afterName(c: number): TagState | typeof TAG_OVER {
  return c === EQ ? TagState.AfterEq : TAG_OVER;
}

// Where the scanner is at the end of a chunk.
const enum Mode {
  Text,
  Tag,
  Instruction,
  Comment,
  Cdata,
}

/** Scans one XML document fed with {@link write} and ended with {@link close}. */
export class XmlScanner {
  #h: XmlHandlers;
  #done = false;
  #started = false;

  // Input normalisation across chunks: a CR whose LF may open the next chunk, a high
  // surrogate whose low half may.
  #afterCr = false;
  #heldSurrogate = "";

  #mode = Mode.Text;
  // A few characters put back in front of the next chunk: "<", "<!DOC", "&am", "]]", "--".
  #head = "";
  // An unfinished tag or processing instruction, and how far its end search got.
  #pieces: string[] = [];
  #piecesLength = 0;
  #tagState = TagState.Name;
  #quote = 0;
  #afterQmark = false;

  #text = "";
  #cdata = "";
  #ref = "";

  #stack: string[] = [];
  #scopes: Scope[] = [ROOT_SCOPE];
  #rootSeen = false;
  #declared = false;
  // Whether the start tag being scanned has a prefixed attribute or declares the default
  // namespace: only then do its attributes need resolving.
  #qualified = false;
  // The values of the start tag's attributes so far.
  #values?: Record<string, string>;

  // Lines: the string being scanned, the position reached, line ends counted before it.
  #s = "";
  #at = 0;
  #lines = 0;
  #nextLf = Infinity;

  constructor(handlers: XmlHandlers) {
    this.#h = handlers;
  }

  /** The current line (1-based): during an event, the line where it ends. */
  get line(): number {
    while (this.#nextLf < this.#at) {
      this.#lines++;
      this.#nextLf = indexAfter(this.#s, "\n", this.#nextLf + 1);
    }
    return this.#lines + 1;
  }

  /** Feeds the next chunk, which may end anywhere. Ignored after an error or {@link stop}. */
  write(chunk: string): void {
    if (this.#done || chunk === "") return;
    if (!this.#started) {
      this.#started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    chunk = this.#normalise(chunk);
    // One search per chunk instead of a test per character: XML 1.0 allows no such character
    // anywhere in a document.
    const bad = NOT_XML_CHAR.exec(chunk);
    if (!bad) return this.#scan(chunk);
    this.#scan(chunk.slice(0, bad.index));
    this.#fail(notXmlChar(bad[0].codePointAt(0)!), this.#at);
  }

  /** Ends the document: anything left open is an error. */
  close(): void {
    if (this.#done) return;
    const open = this.#stack.at(-1);
    if (this.#heldSurrogate) this.#fail(notXmlChar(this.#heldSurrogate.charCodeAt(0)), this.#at);
    else if (this.#mode !== Mode.Text || this.#head.startsWith("<")) {
      this.#fail(`${UNFINISHED[this.#mode]} alla fine del documento`, this.#at);
    } else if (open !== undefined) this.#fail(`elemento <${open}> non chiuso`, this.#at);
    else if (!this.#rootSeen) this.#fail("il documento non contiene nessun elemento", this.#at);
    this.#done = true;
  }

  /** Stops the scanning: no event follows, later writes are ignored. */
  stop(): void {
    this.#done = true;
  }

  /** Line ends become LF (XML 1.0, 2.11); a trailing high surrogate waits for its low half. */
  #normalise(chunk: string): string {
    if (this.#afterCr) {
      this.#afterCr = false;
      if (chunk.charCodeAt(0) === LF) chunk = chunk.slice(1);
    }
    if (this.#heldSurrogate) {
      chunk = this.#heldSurrogate + chunk;
      this.#heldSurrogate = "";
    }
    const last = chunk.charCodeAt(chunk.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      this.#heldSurrogate = chunk.slice(-1);
      chunk = chunk.slice(0, -1);
    }
    if (chunk.indexOf("\r") < 0) return chunk;
    this.#afterCr = chunk.charCodeAt(chunk.length - 1) === 0x0d;
    return chunk.replace(/\r\n?/g, "\n");
  }

  #scan(chunk: string) {
    if (chunk === "") return;
    const s = this.#head + chunk;
    this.#head = "";
    let i = 0;
    if (this.#mode === Mode.Tag || this.#mode === Mode.Instruction) {
      i = this.#resume(s);
      if (i < 0) return;
    } else this.#enter(s, 0);
    this.#run(s, i);
  }

  /** Starts counting lines in `s` from `from`, after those of the string scanned until now. */
  #enter(s: string, from: number) {
    void this.line;
    this.#s = s;
    this.#at = from;
    this.#nextLf = indexAfter(s, "\n", from);
  }

  /** Looks for the end of the unfinished token in `s`; once found, scans the whole token. */
  #resume(s: string): number {
    const end = this.#mode === Mode.Tag ? this.#tagEnd(s, 0) : this.#instructionEnd(s);
    if (end < 0) {
      this.#piecesLength += s.length;
      if (this.#piecesLength > MAX_TOKEN) return this.#fail(TOO_LONG, this.#at);
      this.#pieces.push(s);
      return -1;
    }
    const token = this.#pieces.join("") + s.slice(0, end);
    this.#pieces = [];
    this.#mode = Mode.Text;
    this.#enter(token, 0);
    // The search stopped where the token's own scanning stops (at its end, or at the character
    // that breaks it): it cannot ask for more.
    if (this.#markup(token, 0) < 0) return -1;
    this.#enter(s, end);
    return end;
  }

  /**
   * Follows a tag's syntax over `s` from `from`: returns the index after the `>` that ends it,
   * or after the first character that breaks it, or -1 when `s` ends first. It stops where
   * scanning the whole tag stops, so that the outcome, error included, does not depend on
   * where chunks end.
   */
  #tagEnd(s: string, from: number): number {
    let state = this.#tagState;
    for (let i = from; i < s.length; i++) {
      const c = s.charCodeAt(i);
      const next = tagStep(state, c, this.#quote);
      if (next === TAG_OVER) return i + 1;
      if (next === TagState.Value && state === TagState.AfterEq) this.#quote = c;
      state = next;
    }
    this.#tagState = state;
    return -1;
  }

  #instructionEnd(s: string): number {
    if (this.#afterQmark && s.charCodeAt(0) === GT) return 1;
    const end = s.indexOf("?>");
    if (end >= 0) return end + 2;
    this.#afterQmark = s.charCodeAt(s.length - 1) === QMARK;
    return -1;
  }

  #run(s: string, i: number) {
    while (!this.#done) {
      if (this.#mode === Mode.Comment) i = this.#comment(s, i);
      else if (this.#mode === Mode.Cdata) i = this.#cdataSection(s, i);
      if (i < 0) return;
      i = this.#stack.length === 0 ? this.#outside(s, i) : this.#content(s, i);
      if (i < 0) return;
      i = this.#markup(s, i);
      if (i < 0) return;
    }
  }

  /** Before and after the root only white space may come between markup. */
  #outside(s: string, i: number): number {
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === LT) return i;
      if (c !== SPACE && c !== LF && c !== TAB) {
        const where = this.#rootSeen ? "dopo l'" : "prima dell'";
        return this.#fail(`testo ${where}elemento radice`, i);
      }
    }
    this.#at = s.length;
    return -1;
  }

  /** Character data up to the next `<`, references decoded; it is handed over at the next event. */
  #content(s: string, i: number): number {
    const n = s.length;
    let start = i;
    for (;;) {
      let c = 0;
      for (; i < n; i++) {
        c = s.charCodeAt(i);
        if (c === LT || c === AMP || c === RBRACKET) break;
      }
      if (i >= n) return this.#pendText(s, start, n);
      if (c === LT) {
        if (i > start) this.#text += s.slice(start, i);
        return i;
      }
      if (c === RBRACKET) {
        // "]]>" may not appear in text; a chunk ending in "]" or "]]" may be its beginning.
        if (i + 2 < n) {
          if (s.charCodeAt(i + 1) === RBRACKET && s.charCodeAt(i + 2) === GT) {
            return this.#fail("la sequenza ']]>' non è ammessa nel testo", i);
          }
          i++;
          continue;
        }
        if (i + 1 < n && s.charCodeAt(i + 1) !== RBRACKET) {
          i++;
          continue;
        }
        this.#pendText(s, start, i);
        return this.#keepHead(s, i);
      }
      if (i > start) this.#text += s.slice(start, i);
      const end = this.#reference(s, i, n);
      if (end === NEED_MORE) {
        this.#pendText(s, i, i);
        return this.#keepHead(s, i);
      }
      if (end < 0) return -1;
      this.#text += this.#ref;
      i = start = end;
    }
  }

  /** Keeps the text scanned up to the end of a chunk until the next event (or too much of it). */
  #pendText(s: string, start: number, end: number): number {
    if (end > start) this.#text += s.slice(start, end);
    this.#at = end;
    if (this.#text.length > MAX_PENDING) this.#flushText();
    return -1;
  }

  #flushText() {
    if (this.#text === "") return;
    const text = this.#text;
    this.#text = "";
    this.#h.onText?.(text);
  }

  /** Puts `s` from `i` back in front of the next chunk. */
  #keepHead(s: string, i: number): number {
    this.#head = s.slice(i);
    this.#at = i;
    return -1;
  }

  /** Keeps an unfinished tag or processing instruction until its end arrives. */
  #carry(s: string, i: number, mode: Mode): number {
    const part = s.slice(i);
    if (part.length > MAX_TOKEN) return this.#fail(TOO_LONG, i);
    this.#mode = mode;
    if (mode === Mode.Tag) {
      const end = part.charCodeAt(1) === SLASH;
      this.#tagState = end ? TagState.EndStart : TagState.Name;
      this.#tagEnd(part, end ? 2 : 1);
    } else {
      // The "?" of "<?" itself does not begin the "?>" that ends the instruction.
      this.#afterQmark = part.length > 2 && part.charCodeAt(part.length - 1) === QMARK;
    }
    this.#pieces = [part];
    this.#piecesLength = part.length;
    this.#at = i;
    return -1;
  }

  /** Markup at `s[i] === "<"`: returns where scanning goes on, or -1 to wait for more (or stop). */
  #markup(s: string, i: number): number {
    if (i + 1 >= s.length) return this.#keepHead(s, i);
    const c = s.charCodeAt(i + 1);
    if (c === SLASH) return this.#endTag(s, i);
    if (c === QMARK) return this.#instruction(s, i);
    if (c === BANG) return this.#declaration(s, i);
    if (CHAR_CLASS[c] & NAME_START) return this.#startTag(s, i);
    return this.#fail("carattere '<' non seguito da un nome di elemento", i);
  }

  #startTag(s: string, i: number): number {
    if (this.#rootSeen && this.#stack.length === 0) {
      return this.#fail("secondo elemento radice: un documento XML ne ha uno solo", i);
    }
    const n = s.length;
    const nameEnd = nameEndFrom(s, i + 2);
    if (nameEnd >= n) return this.#carry(s, i, Mode.Tag);
    const name = s.slice(i + 1, nameEnd);
    this.#values = undefined;
    this.#qualified = false;
    for (let p = nameEnd;;) {
      const before = p;
      p = spaceEndFrom(s, p);
      if (p >= n) return this.#carry(s, i, Mode.Tag);
      const c = s.charCodeAt(p);
      if (c === GT) return this.#openElement(name, false, i, p + 1);
      if (c === SLASH) {
        if (p + 1 >= n) return this.#carry(s, i, Mode.Tag);
        if (s.charCodeAt(p + 1) !== GT) return this.#fail(`'/' non seguito da '>' in <${name}>`, p);
        return this.#openElement(name, true, i, p + 2);
      }
      if (!(CHAR_CLASS[c] & NAME_START)) {
        const what = before === nameEnd ? "nel nome dell'elemento" : "tra gli attributi";
        return this.#fail(`carattere non valido ${what} <${name}>`, p);
      }
      if (p === before) return this.#fail(`manca lo spazio tra gli attributi di <${name}>`, p);
      p = this.#attribute(s, p);
      if (p === NEED_MORE) return this.#carry(s, i, Mode.Tag);
      if (p < 0) return -1;
    }
  }

  /**
   * The attribute at `s[p]`, added to the tag's values: returns the index after its closing
   * quote, NEED_MORE if `s` ends first, or -1 after an error.
   */
  #attribute(s: string, p: number): number {
    const n = s.length, start = p;
    let kinds = CHAR_CLASS[s.charCodeAt(p)];
    for (p++; p < n; p++) {
      const kind = CHAR_CLASS[s.charCodeAt(p)];
      if (!(kind & NAME_CHAR)) break;
      kinds |= kind;
    }
    const name = s.slice(start, p);
    if (kinds & IS_COLON || name === "xmlns") this.#qualified = true;
    p = spaceEndFrom(s, p);
    if (p >= n) return NEED_MORE;
    if (s.charCodeAt(p) !== EQ) return this.#fail(`attributo ${name} senza valore`, p);
    p = spaceEndFrom(s, p + 1);
    if (p >= n) return NEED_MORE;
    const quote = s.charCodeAt(p);
    if (quote !== DQUOTE && quote !== SQUOTE) {
      return this.#fail(`valore dell'attributo ${name} senza virgolette`, p);
    }
    const v = ++p;
    let plain = true;
    for (; p < n; p++) {
      const c = s.charCodeAt(p);
      // Quotes, `&`, tab and LF are at or below `'`; `<` is the one other unit that matters.
      if (c <= SQUOTE || c === LT) {
        if (c === quote) break;
        if (c === LT) return this.#fail(`carattere '<' nel valore dell'attributo ${name}`, p);
        if (c === AMP || c === TAB || c === LF) plain = false;
      }
    }
    if (p >= n) return NEED_MORE;
    const value = plain ? s.slice(v, p) : this.#attributeValue(s, v, p);
    if (value === undefined) return -1;
    const values = this.#values ??= {};
    if (Object.hasOwn(values, name)) return this.#fail(`attributo ${name} ripetuto`, start);
    // As an own property even when named `__proto__`, which assignment would not create.
    if (name === "__proto__") Object.defineProperty(values, name, { ...OWN, value });
    else values[name] = value;
    return p + 1;
  }

  /** A value with references or white space: references decoded, white space as spaces (3.3.3). */
  #attributeValue(s: string, start: number, end: number): string | undefined {
    let out = "";
    for (let p = start; p < end; p++) {
      const c = s.charCodeAt(p);
      if (c === TAB || c === LF) {
        out += s.slice(start, p) + " ";
        start = p + 1;
      } else if (c === AMP) {
        out += s.slice(start, p);
        const next = this.#reference(s, p, end);
        if (next === NEED_MORE) this.#fail("riferimento non terminato da ';'", p);
        if (next < 0) return undefined;
        out += this.#ref;
        start = next;
        p = next - 1;
      }
    }
    return out + s.slice(start, end);
  }

  /**
   * The reference at `s[i] === "&"`, within `end`: returns the index after its `;` with the
   * character in `#ref`, NEED_MORE if `end` comes first, or -1 after an error.
   */
  #reference(s: string, i: number, end: number): number {
    const limit = Math.min(end, i + MAX_REF);
    let p = i + 1;
    if (p < limit && s.charCodeAt(p) === HASH) return this.#charReference(s, i, end);
    if (p < limit && !(CHAR_CLASS[s.charCodeAt(p)] & NAME_START)) {
      return this.#fail("carattere '&' non seguito da un riferimento", i);
    }
    while (p < limit && CHAR_CLASS[s.charCodeAt(p)] & NAME_CHAR) p++;
    if (p >= limit) return p >= end ? NEED_MORE : this.#fail(REF_TOO_LONG, i);
    if (s.charCodeAt(p) !== SEMI) return this.#fail("riferimento a entità non terminato da ';'", i);
    const name = s.slice(i + 1, p);
    const value = Object.hasOwn(PREDEFINED, name) ? PREDEFINED[name] : undefined;
    if (value === undefined) return this.#fail(`entità non definita: &${name};`, i);
    this.#ref = value;
    return p + 1;
  }

  #charReference(s: string, i: number, end: number): number {
    const limit = Math.min(end, i + MAX_REF);
    let p = i + 2;
    const hex = p < limit && s.charCodeAt(p) === LOWER_X;
    if (hex) p++;
    const first = p;
    let code = 0;
    for (; p < limit; p++) {
      const digit = digitValue(s.charCodeAt(p), hex);
      if (digit < 0) break;
      // Past the last code point the value only needs to stay out of range.
      code = Math.min(code * (hex ? 16 : 10) + digit, 0x110000);
    }
    if (p >= limit) return p >= end ? NEED_MORE : this.#fail(REF_TOO_LONG, i);
    if (p === first || s.charCodeAt(p) !== SEMI) {
      return this.#fail("riferimento a carattere non valido", i);
    }
    if (!isXmlChar(code)) {
      return this.#fail(`riferimento a un carattere non ammesso: ${s.slice(i, p + 1)}`, i);
    }
    this.#ref = String.fromCodePoint(code);
    return p + 1;
  }

  /** Resolves namespaces and reports the element whose start tag spans `start`…`end`. */
  #openElement(name: string, empty: boolean, start: number, end: number): number {
    if (end - start > MAX_TOKEN) return this.#fail(TOO_LONG, start);
    const values = this.#values;
    const qualified = this.#qualified;
    // Each attribute as an object only when namespaces need resolving (or when asked for).
    const attributes = qualified ? attributeList(values) : undefined;
    let scope = this.#scopes[this.#scopes.length - 1];
    if (attributes) {
      const declared = this.#declare(attributes, scope, start);
      if (declared === undefined || !this.#resolve(attributes, declared, start)) return -1;
      scope = declared;
    }
    const colon = qnameColon(name);
    if (colon === -2) return this.#fail(`nome di elemento non valido: ${name}`, start);
    const prefix = colon < 0 ? "" : name.slice(0, colon);
    const uri = scope[prefix];
    if (uri === undefined) return this.#fail(`prefisso ${prefix} non dichiarato`, start);
    const tag = new Tag(
      name,
      prefix,
      colon < 0 ? name : name.slice(colon + 1),
      uri,
      values,
      attributes,
    );
    this.#at = end;
    this.#flushText();
    this.#rootSeen = true;
    this.#h.onOpen?.(tag);
    if (empty) {
      if (!this.#done) this.#h.onClose?.(name);
    } else {
      this.#stack.push(name);
      this.#scopes.push(scope);
    }
    return end;
  }

  /** The element's scope: its parent's, extended by its own namespace declarations. */
  #declare(attributes: readonly XmlAttribute[], parent: Scope, start: number): Scope | undefined {
    let scope = parent;
    for (const { name, value } of attributes) {
      if (!name.startsWith("xmlns") || (name.length > 5 && name.charCodeAt(5) !== COLON)) continue;
      const prefix = name.slice(6);
      const problem = bindingProblem(prefix, value);
      if (problem) {
        this.#fail(problem, start);
        return undefined;
      }
      if (scope === parent) scope = Object.create(parent) as Scope;
      scope[prefix] = value;
    }
    return scope;
  }

  /** Gives prefixed attributes and declarations their prefix, local name and namespace. */
  #resolve(attributes: readonly XmlAttribute[], scope: Scope, start: number): boolean {
    // Two prefixes bound to one namespace make two names for one attribute (Namespaces, 6.3).
    const expanded = new Set<string>();
    for (const a of attributes) {
      const colon = qnameColon(a.name);
      let problem: string | undefined;
      if (colon === -2) problem = `nome di attributo non valido: ${a.name}`;
      else if (colon < 0) {
        if (a.name === "xmlns") [a.prefix, a.local, a.uri] = ["xmlns", "", XMLNS_NAMESPACE];
        continue;
      } else {
        a.prefix = a.name.slice(0, colon);
        a.local = a.name.slice(colon + 1);
        const uri = a.prefix === "xmlns" ? XMLNS_NAMESPACE : scope[a.prefix];
        if (uri === undefined) problem = `prefisso ${a.prefix} non dichiarato`;
        else if (a.prefix !== "xmlns" && expanded.has(`${uri}}${a.local}`)) {
          problem = `attributo ${a.local} ripetuto`;
        } else {
          a.uri = uri;
          expanded.add(`${uri}}${a.local}`);
        }
      }
      if (problem) {
        this.#fail(problem, start);
        return false;
      }
    }
    return true;
  }

  #endTag(s: string, i: number): number {
    const n = s.length;
    if (i + 2 >= n) return this.#carry(s, i, Mode.Tag);
    if (!(CHAR_CLASS[s.charCodeAt(i + 2)] & NAME_START)) {
      return this.#fail("nome non valido nel tag di chiusura", i);
    }
    const nameEnd = nameEndFrom(s, i + 3);
    const p = spaceEndFrom(s, nameEnd);
    if (p >= n) return this.#carry(s, i, Mode.Tag);
    const name = s.slice(i + 2, nameEnd);
    if (s.charCodeAt(p) !== GT) return this.#fail(`carattere non valido in </${name}>`, p);
    if (p + 1 - i > MAX_TOKEN) return this.#fail(TOO_LONG, i);
    const open = this.#stack.at(-1);
    if (open === undefined) return this.#fail(`tag di chiusura </${name}> senza apertura`, i);
    if (name !== open) {
      return this.#fail(`tag di chiusura </${name}> non corrispondente a <${open}>`, i);
    }
    this.#at = p + 1;
    this.#flushText();
    this.#stack.pop();
    this.#scopes.pop();
    this.#h.onClose?.(name);
    return p + 1;
  }

  #instruction(s: string, i: number): number {
    const end = s.indexOf("?>", i + 2);
    if (end < 0) return this.#carry(s, i, Mode.Instruction);
    if (end + 2 - i > MAX_TOKEN) return this.#fail(TOO_LONG, i);
    const nameEnd = CHAR_CLASS[s.charCodeAt(i + 2)] & NAME_START ? nameEndFrom(s, i + 3) : i + 2;
    const name = s.slice(i + 2, nameEnd);
    if (name === "" || name.includes(":") || (nameEnd < end && !isSpace(s.charCodeAt(nameEnd)))) {
      return this.#fail("nome dell'istruzione di elaborazione non valido", i);
    }
    const body = s.slice(spaceEndFrom(s, nameEnd), end);
    if (name.length === 3 && name.toLowerCase() === "xml") {
      const problem = this.#xmlDeclarationProblem(name, body);
      if (problem) return this.#fail(problem, i);
    }
    this.#at = end + 2;
    this.#flushText();
    this.#h.onInstruction?.(name, body);
    return end + 2;
  }

  /** The XML declaration: once, before the root, as XML 1.0 writes it (white space, comments and
   * other instructions before it are let through, as sax did). */
  #xmlDeclarationProblem(name: string, body: string): string | undefined {
    if (name !== "xml") return `nome di istruzione riservato: ${name}`;
    if (this.#declared || this.#rootSeen) return "dichiarazione XML fuori posto";
    this.#declared = true;
    if (!XML_DECLARATION.test(body)) return "dichiarazione XML non valida";
  }

  /** `<!--`, `<![CDATA[` or `<!DOCTYPE`. */
  #declaration(s: string, i: number): number {
    if (s.startsWith("--", i + 2)) {
      this.#mode = Mode.Comment;
      return i + 4;
    }
    if (s.startsWith("[CDATA[", i + 2)) {
      if (this.#stack.length === 0) {
        return this.#fail("sezione CDATA fuori dall'elemento radice", i);
      }
      this.#at = i + 9;
      this.#flushText();
      this.#mode = Mode.Cdata;
      return i + 9;
    }
    if (s.startsWith("DOCTYPE", i + 2)) {
      if (this.#rootSeen) return this.#fail("dichiarazione DOCTYPE fuori posto", i);
      // Reported at once: nothing of a DTD is read, so no entity can be declared or expanded.
      this.#at = i;
      this.#h.onDoctype?.();
      return this.#fail("le DTD (DOCTYPE) non sono ammesse", i);
    }
    const start = s.slice(i, i + 9);
    if (start.length < 9 && DECLARATION_OPENERS.some((o) => o.startsWith(start))) {
      return this.#keepHead(s, i);
    }
    return this.#fail("dichiarazione '<!' non ammessa", i);
  }

  /** Skips a comment's content up to `-->`; "--" may not appear before it. */
  #comment(s: string, i: number): number {
    const dashes = s.indexOf("--", i);
    if (dashes < 0 || dashes + 2 >= s.length) {
      const keep = dashes >= 0 ? dashes : s.length > i && s.endsWith("-") ? s.length - 1 : s.length;
      return this.#keepHead(s, keep);
    }
    if (s.charCodeAt(dashes + 2) !== GT) {
      return this.#fail("la sequenza '--' non è ammessa in un commento", dashes);
    }
    this.#mode = Mode.Text;
    this.#at = dashes + 3;
    this.#flushText();
    return dashes + 3;
  }

  #cdataSection(s: string, i: number): number {
    const end = s.indexOf("]]>", i);
    if (end >= 0) {
      const text = this.#cdata + s.slice(i, end);
      this.#cdata = "";
      this.#mode = Mode.Text;
      this.#at = end + 3;
      if (text !== "") this.#h.onCdata?.(text);
      return end + 3;
    }
    // A trailing "]" or "]]" may begin the "]]>" that ends the section.
    let keep = s.length;
    if (keep > i && s.charCodeAt(keep - 1) === RBRACKET) keep--;
    if (keep > i && s.charCodeAt(keep - 1) === RBRACKET) keep--;
    this.#cdata += s.slice(i, keep);
    if (this.#cdata.length > MAX_PENDING) {
      this.#at = keep;
      const text = this.#cdata;
      this.#cdata = "";
      this.#h.onCdata?.(text);
    }
    return this.#keepHead(s, keep);
  }

  /** Reports the error at `s[at]` of the string being scanned and stops; returns -1. */
  #fail(message: string, at: number): number {
    if (this.#done) return -1;
    this.#done = true;
    this.#at = at;
    this.#h.onError?.({ message, line: this.line });
    return -1;
  }
}

const NEED_MORE = -3;
const TOO_LONG = `elemento o istruzione più lungo di ${MAX_TOKEN} caratteri`;
const REF_TOO_LONG = "riferimento troppo lungo";
const UNFINISHED: Record<Mode, string> = {
  [Mode.Text]: "tag non terminato",
  [Mode.Tag]: "tag non terminato",
  [Mode.Instruction]: "istruzione di elaborazione non terminata",
  [Mode.Comment]: "commento non terminato",
  [Mode.Cdata]: "sezione CDATA non terminata",
};

function notXmlChar(code: number): string {
  return `carattere U+${code.toString(16).toUpperCase().padStart(4, "0")} non ammesso in XML`;
}

function indexAfter(s: string, search: string, from: number): number {
  const i = s.indexOf(search, from);
  return i < 0 ? Infinity : i;
}

function nameEndFrom(s: string, p: number): number {
  while (p < s.length && CHAR_CLASS[s.charCodeAt(p)] & NAME_CHAR) p++;
  return p;
}

function isSpace(c: number): boolean {
  return c === SPACE || c === LF || c === TAB;
}

function spaceEndFrom(s: string, p: number): number {
  while (p < s.length && isSpace(s.charCodeAt(p))) p++;
  return p;
}

/** The colon of a qualified name, -1 without prefix, -2 if not a QName (Namespaces, 4). */
function qnameColon(name: string): number {
  const colon = name.indexOf(":");
  if (colon < 0) return -1;
  const valid = colon > 0 && name.indexOf(":", colon + 1) < 0 &&
    (CHAR_CLASS[name.charCodeAt(colon + 1)] & NAME_START) !== 0;
  return valid ? colon : -2;
}

/** Why `xmlns:prefix="uri"` (`xmlns` for prefix "") is not a declaration (Namespaces, 3). */
function bindingProblem(prefix: string, uri: string): string | undefined {
  if (prefix === "xmlns") return "il prefisso xmlns non può essere dichiarato";
  if ((prefix === "xml") !== (uri === XML_NAMESPACE)) {
    return `il prefisso xml e solo esso si lega a ${XML_NAMESPACE}`;
  }
  if (uri === XMLNS_NAMESPACE) {
    return `lo spazio dei nomi ${XMLNS_NAMESPACE} non può essere dichiarato`;
  }
  if (prefix !== "" && uri === "") return `il prefisso ${prefix} non può essere dichiarato vuoto`;
}

const OWN = { enumerable: true, writable: true, configurable: true } as const;

/** Attributes as objects, before namespaces are resolved: unprefixed, in no namespace. */
function attributeList(values: Readonly<Record<string, string>> | undefined): XmlAttribute[] {
  const list: XmlAttribute[] = [];
  for (const name in values) {
    list.push({ name, value: values[name], prefix: "", local: name, uri: "" });
  }
  return list;
}

/** A start tag; its attributes as objects are made only when read. */
class Tag implements XmlTag {
  readonly qualified: boolean;
  #attributes?: readonly XmlAttribute[];

  constructor(
    readonly name: string,
    readonly prefix: string,
    readonly local: string,
    readonly uri: string,
    readonly values: Readonly<Record<string, string>> | undefined,
    attributes: readonly XmlAttribute[] | undefined,
  ) {
    this.qualified = attributes !== undefined;
    this.#attributes = attributes;
  }

  get attributes(): readonly XmlAttribute[] {
    return this.#attributes ??= attributeList(this.values);
  }
}

function digitValue(c: number, hex: boolean): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return hex && lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

/** XML 1.0's Char production. */
function isXmlChar(code: number): boolean {
  return code === TAB || code === LF || code === 0x0d || (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}
