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
import { isUtf8 } from "node:buffer";
import { sequenceCut } from "../platform/chunk_decoder.ts";

/** An accepted encoding, as the receipt names it. */
export type Encoding = "UTF-8" | "Windows-1252";

/** The judgement on a whole file. */
export type EncodingVerdict =
  | { ok: true; encoding: Encoding; bom: boolean }
  | { ok: false; message: string };

// Bytes Windows-1252 leaves undefined: a file holding them is in no encoding we accept.
const UNDEFINED_1252 = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);

/**
 * Judges a file's encoding from its bytes, fed in order. Each chunk is
 * looked at twice, by whole words where it can (a flow is tens of
 * megabytes, and this runs while the upload streams in): once by the
 * runtime's UTF-8 validator, once for NUL bytes and bytes Windows-1252
 * leaves undefined.
 */
export class EncodingSniffer {
  #head = new Uint8Array(4);
  #headLength = 0;
  #bytes = 0;
  #utf8 = true;
  // The start of a UTF-8 sequence cut by the end of the previous chunk.
  #cut = new Uint8Array(0);
  #nul = false;
  #undefined1252 = false;

  /** Inspects the next chunk. */
  feed(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length && this.#headLength < 4; i++) {
      this.#head[this.#headLength++] = chunk[i];
    }
    this.#bytes += chunk.length;
    if (this.#utf8) this.#checkUtf8(chunk);
    if (!this.#nul || !this.#undefined1252) this.#scanBytes(chunk);
  }

  #checkUtf8(chunk: Uint8Array) {
    let from = 0;
    if (this.#cut.length) {
      // The cut sequence, completed by the continuation bytes this chunk starts with.
      while (from < chunk.length && from < 3 && (chunk[from] & 0xc0) === 0x80) from++;
      const joined = new Uint8Array(this.#cut.length + from);
      joined.set(this.#cut);
      joined.set(chunk.subarray(0, from), this.#cut.length);
      this.#cut = new Uint8Array(0);
      if (from === chunk.length && sequenceCut(joined) > 0) {
        this.#cut = joined; // still unfinished: a chunk of one or two bytes
        return;
      }
      if (!isUtf8(joined)) {
        this.#utf8 = false;
        return;
      }
    }
    const end = chunk.length - sequenceCut(chunk.subarray(from));
    if (!isUtf8(chunk.subarray(from, end))) this.#utf8 = false;
    else this.#cut = chunk.slice(end);
  }

  /** Looks for NUL and undefined Windows-1252 bytes, a word at a time where no byte is suspect. */
  #scanBytes(chunk: Uint8Array) {
    const suspect = (b: number) => {
      if (b === 0) this.#nul = true;
      else if (UNDEFINED_1252.has(b)) this.#undefined1252 = true;
    };
    // Words start where the buffer is aligned to four bytes.
    const aligned = (4 - (chunk.byteOffset & 3)) & 3;
    if (chunk.length < aligned + 4) {
      for (let i = 0; i < chunk.length; i++) suspect(chunk[i]);
      return;
    }
    for (let i = 0; i < aligned; i++) suspect(chunk[i]);
    const words = new Uint32Array(
      chunk.buffer,
      chunk.byteOffset + aligned,
      (chunk.length - aligned) >>> 2,
    );
    for (let w = 0; w < words.length; w++) {
      const v = words[w];
      // A word with a zero byte, or with a byte of 0x80 or more: its bytes one by one.
      if (((v - 0x01010101) & ~v & 0x80808080) !== 0 || (v & 0x80808080) !== 0) {
        const at = aligned + 4 * w;
        for (let k = at; k < at + 4; k++) suspect(chunk[k]);
      }
    }
    for (let i = aligned + 4 * words.length; i < chunk.length; i++) suspect(chunk[i]);
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
    // A sequence cut at the end of the file is no UTF-8.
    if (this.#utf8 && this.#cut.length === 0) {
      const bom = h[0] === 0xef && h[1] === 0xbb && h[2] === 0xbf;
      return { ok: true, encoding: "UTF-8", bom };
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
