/**
 * A multipart upload read as a stream (busboy): the form's small fields are
 * collected, the one file is handed over chunk by chunk as it arrives, and
 * the body is cut off as soon as the file passes the size limit. Nothing
 * holds the whole file.
 *
 * @example
 * ```ts
 * const upload = await receiveUpload(request, {
 *   maxBytes: 100 << 20,
 *   onFile: async (info, chunks, fields) => { for await (const c of chunks) store(c); },
 * });
 * ```
 * @module
 */
// @ts-types="@types/busboy"
import busboy from "busboy";
import { Readable } from "node:stream";

/** What the browser said about the file. */
export interface FileInfo {
  filename: string;
}

/** The outcome of reading an upload. */
export interface Upload {
  fields: Record<string, string>;
  /** The file field came, even empty. */
  file: boolean;
  /** The file passed `maxBytes`: the rest of the body was not read. */
  tooLarge: boolean;
}

/** A problem with the request itself (not multipart, malformed). */
export class UploadError extends Error {}

/**
 * Reads a `multipart/form-data` request whose file field is `file`. The
 * fields before the file are given to `onFile`, which must consume `chunks`.
 */
export async function receiveUpload(
  request: Request,
  options: {
    maxBytes: number;
    onFile(
      info: FileInfo,
      chunks: AsyncIterable<Uint8Array>,
      fields: Record<string, string>,
    ): Promise<void>;
  },
): Promise<Upload> {
  const type = request.headers.get("Content-Type") ?? "";
  if (!type.startsWith("multipart/form-data") || !request.body) {
    throw new UploadError("La richiesta non contiene un modulo con un file.");
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { "content-type": type },
      limits: { fileSize: options.maxBytes, files: 1, fields: 10, fieldSize: 1024, parts: 12 },
    });
  } catch {
    throw new UploadError("Intestazione multipart non valida.");
  }
  const source = Readable.fromWeb(request.body as import("node:stream/web").ReadableStream);
  const upload: Upload = { fields: {}, file: false, tooLarge: false };
  let handling: Promise<void> = Promise.resolve();
  const finished = new Promise<void>((resolve, reject) => {
    parser.on("field", (name, value) => {
      upload.fields[name] = value;
    });
    parser.on("file", (name, stream, info) => {
      if (name !== "file" || upload.file) {
        stream.resume();
        return;
      }
      upload.file = true;
      stream.on("limit", () => {
        upload.tooLarge = true;
        // Stop reading the request: a 2 GB body is not read to the end to be thrown away.
        source.unpipe(parser);
        source.destroy();
        stream.destroy();
        resolve();
      });
      // The file's chunks; a file cut at the limit simply ends (the caller sees `tooLarge`).
      const chunks = (async function* () {
        try {
          for await (const chunk of stream) yield chunk as Uint8Array;
        } catch (error) {
          if (!upload.tooLarge) throw error;
        }
      })();
      handling = options.onFile(
        { filename: info.filename ?? "" },
        chunks,
        { ...upload.fields },
      ).catch((error) => {
        stream.resume();
        throw error;
      });
      // Observed at once: a failure while the body is still being read must not go unhandled.
      handling.catch(() => {});
    });
    parser.on("close", resolve);
    parser.on(
      "error",
      (e) => reject(new UploadError(`Modulo multipart non valido: ${(e as Error).message}`)),
    );
    source.on("error", (e) => {
      if (!upload.tooLarge) reject(new UploadError(`Caricamento interrotto: ${e.message}`));
    });
    parser.on("partsLimit", () => reject(new UploadError("Troppe parti nel modulo.")));
  });
  source.pipe(parser);
  // Both settle before anything is decided: the caller may discard what the file handler stored.
  const [read] = await Promise.allSettled([finished]);
  const [stored] = await Promise.allSettled([handling]);
  if (read.status === "rejected") throw read.reason;
  if (stored.status === "rejected") throw stored.reason;
  return upload;
}
