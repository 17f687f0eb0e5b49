/**
 * Text of a stream of byte chunks, decoded as `TextDecoder` decodes it with
 * `stream: true` (a UTF-8 BOM dropped at the start, invalid bytes as
 * U+FFFD), several times faster: each chunk is decoded in one call up to its
 * last complete UTF-8 sequence, and the bytes of a sequence it cuts go before
 * the next chunk. Deno decodes a whole buffer natively in one pass; a
 * streaming call goes through a decoder kept between calls, five times
 * slower on a megabyte. A single-byte encoding has no sequence to cut.
 *
 * @example
 * ```ts
 * const decoder = new ChunkDecoder("utf-8");
 * let text = "";
 * for (const chunk of chunks) text += decoder.decode(chunk);
 * text += decoder.end();
 * ```
 * @module
 */
import { concat } from "./bytes.ts";

const NONE = new Uint8Array(0);

/** A streaming decoder of UTF-8 or Windows-1252 chunks. */
export class ChunkDecoder {
  // The stream's first bytes go through the decoder that drops a BOM; the rest keep U+FEFF.
  readonly #first: TextDecoder;
  readonly #rest: TextDecoder;
  readonly #utf8: boolean;
  #started = false;
  #carry: Uint8Array = NONE;

  constructor(encoding: "utf-8" | "windows-1252") {
    this.#utf8 = encoding === "utf-8";
    this.#first = new TextDecoder(encoding);
    this.#rest = new TextDecoder(encoding, { ignoreBOM: true });
  }

  /** The text of the next chunk, but for a sequence it leaves unfinished. */
  decode(chunk: Uint8Array): string {
    if (!this.#utf8) return this.#text(chunk);
    const bytes = this.#carry.length ? concat([this.#carry, chunk]) : chunk;
    const cut = bytes.length - sequenceCut(bytes);
    this.#carry = cut < bytes.length ? bytes.slice(cut) : NONE;
    return this.#text(bytes.subarray(0, cut));
  }

  /** The end of the stream: a sequence left unfinished, as U+FFFD. */
  end(): string {
    const carry = this.#carry;
    this.#carry = NONE;
    return this.#text(carry);
  }

  #text(bytes: Uint8Array): string {
    if (bytes.length === 0) return "";
    const decoder = this.#started ? this.#rest : this.#first;
    this.#started = true;
    return decoder.decode(bytes);
  }
}

/**
 * How many bytes at the end of `bytes` are the start of a UTF-8 sequence
 * that goes on past it (0 to 3). Decoding may stop before them: there the
 * decoder is in its initial state, or the next byte (a lead byte) ends what
 * it was reading with U+FFFD, as the end of a call does.
 */
export function sequenceCut(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const b = bytes[bytes.length - back];
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: its lead is further back
    const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return length > back ? back : 0;
  }
  return 0;
}
