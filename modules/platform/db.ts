/**
 * The database connection: postgres.js against `DATABASE_URL`, or against the
 * embedded PGlite served on a private loopback port when no URL is given.
 * Either way the rest of the code sees one postgres.js client.
 *
 * @example
 * ```ts
 * const db = await openDatabase({ dataDir: "./data" });
 * const [{ now }] = await db.sql`select now()`;
 * await db.close();
 * ```
 * @module
 */
import net from "node:net";
import postgres from "postgres";

/** The postgres.js client type used across the application. */
export type Sql = postgres.Sql;

/** A pool, a transaction or a reserved connection: anything queries can run on. */
export type Queryable = postgres.ISql;

/** A transaction (of `sql.begin`). */
export type Transaction = postgres.TransactionSql;

/** An open database. */
export interface Database {
  sql: Sql;
  kind: "server" | "embedded";
  /** A connection URL other processes of this machine can use (no password). */
  url: string;
  close(): Promise<void>;
}

/** Where to find the database. */
export interface DatabaseOptions {
  /** A PostgreSQL URL; when absent the embedded database is opened under `dataDir`. */
  databaseUrl?: string;
  /** Directory of the embedded database's files, or `memory://` for a throw-away one. */
  dataDir?: string;
  /** Pool size on a server (the embedded database always uses one connection). */
  max?: number;
}

/** Raised when the database cannot be opened or reached; the message is for operators. */
export class DatabaseUnavailableError extends Error {
  override name = "DatabaseUnavailableError";
}

/** Opens the database and checks that it answers. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    const sql = connect(options.databaseUrl, options.max);
    await ping(sql, describeTarget(options.databaseUrl));
    return {
      sql,
      kind: "server",
      url: withoutPassword(options.databaseUrl),
      close: () => sql.end({ timeout: 5 }),
    };
  }
  const dataDir = options.dataDir ?? "memory://";
  const host = await startEmbedded(dataDir);
  const url = `postgres://postgres@127.0.0.1:${host.port}/postgres`;
  // One connection: pglite-socket runs every client on PGlite's single session
  // and can interleave two clients' extended-protocol messages (seen: a hang
  // with four concurrent transactions). Through one connection postgres.js
  // queues them itself, so a transaction simply waits for the previous one.
  const sql = connect(url, 1);
  await ping(sql, `database integrato in ${dataDir}`);
  return {
    sql,
    kind: "embedded",
    url,
    close: async () => {
      await sql.end({ timeout: 5 });
      await host.close();
    },
  };
}

/**
 * Creates a postgres.js client with the conventions of the product: NOTICEs are
 * silenced and 64-bit integers (identity keys, counts) come back as numbers.
 */
export function connect(url: string, max = 10): Sql {
  return postgres(url, {
    max,
    connect_timeout: 10,
    onnotice: () => {},
    // postgres.js accepts `socket` but its types do not declare it.
    ...{ socket: unbufferedSocket() } as object,
    types: {
      bigint: {
        to: 20,
        from: [20],
        serialize: (v: number) => String(v),
        parse: (v: string) => Number(v),
      },
    },
  });
}

/**
 * The driver's connection, without Nagle's algorithm: a message sent right
 * after a large one (the end of a `COPY`, the next statement of a pipeline)
 * otherwise waits for the server's delayed acknowledgement, 40 ms each time.
 * (The driver's own socket would not let it be set.) It connects as the
 * driver would: to the Unix socket, or to the URL's hosts in turn, one per
 * connection, so that a host down leaves the others. And it never pauses:
 * postgres.js pauses it when a `COPY … TO STDOUT` stream holds more than its
 * mark (one row of 1 MiB does, pushed before anyone reads) and resumes it
 * only on a later read, which never comes once the output has ended, so the
 * connection would hang. The only reader of that output, `copyOut`, gathers
 * it whole anyway.
 */
function unbufferedSocket() {
  let attempt = 0;
  return (options: { path?: string | false; host: string[]; port: number[] }) => {
    const socket = new net.Socket();
    socket.setNoDelay(true);
    socket.pause = () => socket;
    const i = attempt++ % options.host.length;
    if (options.path) socket.connect(options.path);
    else socket.connect(options.port[i], options.host[i]);
    return socket;
  };
}

async function ping(sql: Sql, target: string): Promise<void> {
  try {
    await sql`select 1`;
  } catch (error) {
    await sql.end({ timeout: 1 }).catch(() => {});
    const reason = error instanceof Error ? error.message : String(error);
    throw new DatabaseUnavailableError(
      `Database non raggiungibile (${target}): ${reason}. ` +
        "Verificare DATABASE_URL e che PostgreSQL sia in esecuzione.",
    );
  }
}

function describeTarget(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return "DATABASE_URL non interpretabile";
  }
}

function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    u.password = "";
    return u.toString();
  } catch {
    return url;
  }
}

interface EmbeddedHost {
  port: number;
  close(): Promise<void>;
}

async function startEmbedded(dataDir: string): Promise<EmbeddedHost> {
  if (!dataDir.startsWith("memory://")) await Deno.mkdir(dataDir, { recursive: true });
  const worker = new Worker(new URL("./_pglite_host.ts", import.meta.url), { type: "module" });
  const next = () =>
    new Promise<{ type: string; port?: number; message?: string }>((resolve) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => {
        e.preventDefault();
        resolve({ type: "error", message: e.message });
      };
    });
  const opened = next();
  worker.postMessage({ type: "open", dataDir });
  const reply = await opened;
  if (reply.type !== "ready") {
    worker.terminate();
    throw new DatabaseUnavailableError(
      `Impossibile aprire il database integrato in ${dataDir}: ${reply.message}`,
    );
  }
  return {
    port: reply.port!,
    close: async () => {
      const closed = next();
      worker.postMessage({ type: "close" });
      await closed;
      worker.terminate();
    },
  };
}
