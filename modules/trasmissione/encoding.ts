/**
 * What an uploaded file is, judged from its bytes as they stream in: UTF-8
 * (with or without BOM), Windows-1252 as Excel writes it in Italy, or
 * something refused (UTF-16, binary, a zip archive renamed). Nothing is
 * buffered: each chunk is inspected and forgotten.
 *
 * @example
 * ```ts
 * const sniffer = new EncodingSniffer();
 * for await (const chunk of body) sniffer.feed(chunk);
 * const verdict = sniffer.verdict(); // { ok: true, encoding: "UTF-8", bom: false } …
 * ```
 * @module
 */

/** An accepted encoding, as the receipt names it. */
export type Encoding = "UTF-8" | "Windows-1252";

/** The judgement on a whole file. */
export type EncodingVerdict =
  | { ok: true; encoding: Encoding; bom: boolean }
  | { ok: false; message: string };

// Bytes Windows-1252 leaves undefined: a file holding them is in no encoding we accept.
const UNDEFINED_1252 = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);

/** Judges a file's encoding from its bytes, fed in order. */
export class EncodingSniffer {
  #head = new Uint8Array(4);
  #headLength = 0;
  #bytes = 0;
  #utf8 = true;
  #nul = false;
  #undefined1252 = false;
  #decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

  /** Inspects the next chunk. */
  feed(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length && this.#headLength < 4; i++) {
      this.#head[this.#headLength++] = chunk[i];
    }
    this.#bytes += chunk.length;
    if (!this.#nul && chunk.includes(0)) this.#nul = true;
    if (this.#utf8) {
      try {
        this.#decoder.decode(chunk, { stream: true });
      } catch {
        this.#utf8 = false;
      }
    }
    if (!this.#undefined1252) {
      for (const b of UNDEFINED_1252) {
        if (chunk.includes(b)) {
          this.#undefined1252 = true;
          break;
        }
      }
    }
  }

  /** The verdict once every chunk was fed. */
  verdict(): EncodingVerdict {
    const h = this.#head;
    if (this.#bytes === 0) return { ok: false, message: "Il file è vuoto." };
    if (h[0] === 0x50 && h[1] === 0x4b && (h[2] === 3 || h[2] === 5 || h[2] === 7)) {
      return {
        ok: false,
        message:
          "Il file è un archivio compresso (zip): inviare il file CSV o XML senza comprimerlo.",
      };
    }
    if ((h[0] === 0xfe && h[1] === 0xff) || (h[0] === 0xff && h[1] === 0xfe)) {
      return {
        ok: false,
        message: "Il file è in codifica UTF-16: salvarlo in UTF-8 (o in Windows-1252 per il CSV).",
      };
    }
    if (this.#nul) {
      return {
        ok: false,
        message: "Il file contiene dati binari: non è un file di testo CSV o XML.",
      };
    }
    if (this.#utf8) {
      try {
        this.#decoder.decode(); // a sequence cut at the end of the file
        const bom = h[0] === 0xef && h[1] === 0xbb && h[2] === 0xbf;
        return { ok: true, encoding: "UTF-8", bom };
      } catch {
        this.#utf8 = false;
      }
    }
    if (this.#undefined1252) {
      return {
        ok: false,
        message: "Codifica del file non riconosciuta: sono ammessi UTF-8 e Windows-1252.",
      };
    }
    return { ok: true, encoding: "Windows-1252", bom: false };
  }
}

/** How the receipt names a verdict's encoding. */
export function encodingLabel(v: { encoding: Encoding; bom: boolean }): string {
  if (v.encoding === "Windows-1252") return "Windows-1252 (convertito in UTF-8)";
  return v.bom ? "UTF-8 con BOM" : "UTF-8";
}
