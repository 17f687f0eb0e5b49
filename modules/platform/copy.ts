/**
 * PostgreSQL's `COPY` through postgres.js: data sent to `COPY … FROM STDIN`,
 * the output of `COPY … TO STDOUT` gathered, and single rows in COPY's
 * binary format, which carries bytes as they are where every statement
 * parameter would be text (a `bytea` written as hex, twice its size). A
 * PostgreSQL server only: the embedded database's socket carries no `COPY`.
 *
 * @example
 * ```ts
 * await sql.begin((tx) => copyIn(tx, "copy t (a, b) from stdin", "1\tx\n2\ty\n"));
 * ```
 * @module
 */
import { concat } from "./bytes.ts";
import type { Queryable } from "./db.ts";

/**
 * Sends `data` (text in the statement's format, or chunks of it) to a
 * `COPY … FROM STDIN` statement run on `tx`, a transaction: its outcome is
 * read by the next statement of the same connection.
 */
export async function copyIn(
  tx: Queryable,
  statement: string,
  data: string | readonly Uint8Array[],
): Promise<void> {
  const writable = await tx.unsafe(statement).writable();
  await new Promise<void>((resolve, reject) => {
    writable.on("error", reject);
    writable.on("finish", resolve);
    // postgres.js loses an error the server reports once the data has ended (its stream has let
    // go by then, and never finishes): the next statement, queued as soon as the end is sent,
    // answers for the COPY, refused when the COPY aborted the transaction.
    const final = writable._final!;
    writable._final = function (callback) {
      final.call(this, callback);
      tx`select 1`.then(() => resolve(), reject);
    };
    if (typeof data === "string") writable.end(data);
    else {
      for (const chunk of data) writable.write(chunk);
      writable.end();
    }
  });
}

/** The whole output of a `COPY … TO STDOUT` statement run on `q`. */
export async function copyOut(q: Queryable, statement: string): Promise<Uint8Array> {
  const readable = await q.unsafe(statement).readable();
  const chunks: Uint8Array[] = [];
  await new Promise<void>((resolve, reject) => {
    readable.on("data", (chunk: Uint8Array) => chunks.push(chunk));
    readable.on("end", resolve);
    readable.on("error", reject);
  });
  return concat(chunks);
}

// The binary format's header: signature, flags and the length of its (empty) extension.
const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00];
const HEADER_BYTES = SIGNATURE.length + 8;

/** A field of a binary row: text, a `bigint`, an `integer` or bytes. */
export type BinaryField =
  | { text: string }
  | { int8: number }
  | { int4: number }
  | { bytes: Uint8Array };

/**
 * Rows in `COPY … FROM STDIN (format binary)`, whole (header, rows,
 * trailer), in one buffer: sent as one message, where a message per row or
 * field would cost the server a wake-up and a read each.
 */
export function binaryRows(rows: readonly (readonly BinaryField[])[]): Uint8Array {
  const encoder = new TextEncoder();
  // Each text field encoded once, in order, to size the buffer before filling it.
  const texts: Uint8Array[] = [];
  let size = HEADER_BYTES + 2;
  for (const fields of rows) {
    size += 2;
    for (const field of fields) {
      size += 4;
      if ("bytes" in field) size += field.bytes.length;
      else if ("text" in field) size += texts[texts.push(encoder.encode(field.text)) - 1].length;
      else size += "int8" in field ? 8 : 4;
    }
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(SIGNATURE);
  let at = HEADER_BYTES; // flags and extension length: zero
  let text = 0;
  const put = (bytes: Uint8Array) => {
    view.setInt32(at, bytes.length);
    out.set(bytes, at + 4);
    at += 4 + bytes.length;
  };
  for (const fields of rows) {
    view.setInt16(at, fields.length);
    at += 2;
    for (const field of fields) {
      if ("bytes" in field) put(field.bytes);
      else if ("text" in field) put(texts[text++]);
      else if ("int8" in field) {
        if (!Number.isSafeInteger(field.int8)) {
          throw new RangeError(`bigint non valido: ${field.int8}`);
        }
        view.setInt32(at, 8);
        view.setBigInt64(at + 4, BigInt(field.int8));
        at += 12;
      } else {
        view.setInt32(at, 4);
        view.setInt32(at + 4, field.int4);
        at += 8;
      }
    }
  }
  // The trailer: a field count of -1.
  view.setInt16(at, -1);
  return out;
}

/**
 * The first field of each row of a `COPY … TO STDOUT (format binary)`
 * output, as bytes (views of `output`), in order; a null field is left out.
 */
export function firstBinaryFields(output: Uint8Array): Uint8Array[] {
  const view = new DataView(output.buffer, output.byteOffset, output.byteLength);
  for (let i = 0; i < SIGNATURE.length; i++) {
    if (output[i] !== SIGNATURE[i]) throw new Error("uscita di COPY binaria non riconosciuta");
  }
  const fields: Uint8Array[] = [];
  let at = HEADER_BYTES + view.getUint32(HEADER_BYTES - 4);
  for (let count = view.getInt16(at); count !== -1; count = view.getInt16(at)) {
    at += 2;
    for (let f = 0; f < count; f++) {
      const length = view.getInt32(at);
      at += 4;
      if (length < 0) continue;
      if (f === 0) fields.push(output.subarray(at, at + length));
      at += length;
    }
  }
  return fields;
}
