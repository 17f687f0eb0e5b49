/**
 * Static files, fingerprinted: each file of `static/` is served under a name
 * carrying a hash of its content, so browsers may keep it forever
 * (`Cache-Control: immutable`) and a new version is a new URL. Files are read
 * and compressed (Brotli and gzip) once, at start.
 *
 * @example
 * ```ts
 * const assets = await loadAssets(new URL("../../../static/", import.meta.url));
 * assets.url("app.css"); // "/static/app.5d41402a.css"
 * ```
 * @module
 */
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { sha256Hex } from "../hash.ts";

interface Asset {
  type: string;
  identity: Uint8Array<ArrayBuffer>;
  br: Uint8Array<ArrayBuffer>;
  gzip: Uint8Array<ArrayBuffer>;
}

/** The fingerprinted static files. */
export interface Assets {
  /** The public URL of a file given by its path under `static/`; throws for an unknown file. */
  url(path: string): string;
  /** Body and headers for a public URL path, or undefined when it is not a current asset. */
  lookup(
    urlPath: string,
    acceptEncoding: string,
  ): { body: Uint8Array<ArrayBuffer>; headers: Record<string, string> } | undefined;
}

const types: Record<string, string> = {
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/** Reads every file under `dir` and prepares its fingerprinted URL and compressed bodies. */
export async function loadAssets(dir: URL): Promise<Assets> {
  const urls = new Map<string, string>();
  const byUrl = new Map<string, Asset>();
  for (const path of await listFiles(dir)) {
    const dot = path.lastIndexOf(".");
    const ext = path.slice(dot);
    const identity = await Deno.readFile(new URL(path, dir));
    const hash = (await sha256Hex(identity)).slice(0, 10);
    const url = `/static/${path.slice(0, dot)}.${hash}${ext}`;
    urls.set(path, url);
    byUrl.set(url, {
      type: types[ext] ?? "application/octet-stream",
      identity,
      br: new Uint8Array(
        brotliCompressSync(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
      ),
      gzip: new Uint8Array(gzipSync(identity, { level: 9 })),
    });
  }
  return {
    url(path) {
      const url = urls.get(path);
      if (!url) throw new Error(`File statico inesistente: ${path}`);
      return url;
    },
    lookup(urlPath, acceptEncoding) {
      const asset = byUrl.get(urlPath);
      if (!asset) return undefined;
      const accepts = acceptEncoding.toLowerCase();
      const [encoding, body] = accepts.includes("br")
        ? ["br", asset.br]
        : accepts.includes("gzip")
        ? ["gzip", asset.gzip]
        : [undefined, asset.identity];
      const headers: Record<string, string> = {
        "Content-Type": asset.type,
        "Cache-Control": "public, max-age=31536000, immutable",
        "Vary": "Accept-Encoding",
      };
      if (encoding) headers["Content-Encoding"] = encoding;
      return { body, headers };
    },
  };
}

async function listFiles(dir: URL, prefix = ""): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(new URL(prefix, dir))) {
    if (entry.name.startsWith(".")) continue;
    const path = prefix + entry.name;
    if (entry.isDirectory) files.push(...await listFiles(dir, `${path}/`));
    else if (entry.isFile) files.push(path);
  }
  return files;
}
