/**
 * Worker that hosts the embedded PGlite database and serves it on a private
 * loopback port, so that the rest of the application talks to it with
 * postgres.js exactly as to a PostgreSQL server. PGlite runs in the thread
 * that hosts it: keeping it off the main thread means a heavy query never
 * stalls page serving.
 *
 * Messages in: `{ type: "open", dataDir }`, `{ type: "close" }`.
 * Messages out: `{ type: "ready", port }`, `{ type: "error", message }`, `{ type: "closed" }`.
 * @module
 */
/// <reference lib="deno.worker" />
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

let db: PGlite | undefined;
let server: PGLiteSocketServer | undefined;

self.onmessage = async (event: MessageEvent) => {
  const msg = event.data;
  try {
    if (msg.type === "open") {
      db = await PGlite.create({ dataDir: msg.dataDir });
      server = new PGLiteSocketServer({ db, port: 0, host: "127.0.0.1", maxConnections: 100 });
      await server.start();
      const port = Number(server.getServerConn().split(":").pop());
      self.postMessage({ type: "ready", port });
    } else if (msg.type === "close") {
      await server?.stop();
      await db?.close();
      self.postMessage({ type: "closed" });
    }
  } catch (error) {
    self.postMessage({
      type: "error",
      message: error instanceof Error ? error.message : String(error),
    });
  }
};
