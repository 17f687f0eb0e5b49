/**
 * The whole application in-process on a test database (identity and the
 * sections built so far), with the demo identities, a clock the test moves,
 * and a cookie-keeping client.
 * @module
 */
import { seedIdentityDemo } from "../../modules/auth/demo.ts";
import { type Auth, createAuth } from "../../modules/auth/mod.ts";
import { type Audit, createAudit } from "../../modules/platform/audit.ts";
import { createLogger } from "../../modules/platform/log.ts";
import { readMigrations } from "../../modules/platform/migrate.ts";
import { createApp } from "../../modules/platform/web/app.tsx";
import { loadAssets } from "../../modules/platform/web/static_assets.ts";
import { createInformazioni } from "../../modules/informazioni/mod.ts";
import { createAcquisizione } from "../../modules/acquisizione/mod.ts";
import { createTrasmissione, UPLOAD_PATH } from "../../modules/trasmissione/mod.ts";
import { JobQueue } from "../../modules/platform/jobs.ts";
import { RuleContextCache } from "../../modules/prestazioni/validation.ts";
import { ensureCodeTable } from "../../modules/prestazioni/code_table.ts";
import { loadReferenceData } from "../../modules/prestazioni/reference_data.ts";
import type { TestDatabase } from "../_db.ts";

export const PASSWORD = "demo-siuss-2026";

/** A clock that tests move forward. */
export class Clock {
  constructor(public time = new Date("2026-03-10T10:00:00Z")) {}
  now = () => new Date(this.time);
  advance(ms: number) {
    this.time = new Date(this.time.getTime() + ms);
  }
}

/**
 * The app with the identity module and demo data; `reference` loads the
 * comuni, states and citizenships too (a few seconds), for tests of records.
 */
export async function authApp(
  db: TestDatabase,
  options: { reference?: boolean; maxUploadBytes?: number } = {},
) {
  await seedIdentityDemo(db.sql);
  if (options.reference) await loadReferenceData(db.sql);
  const clock = new Clock();
  const audit: Audit = createAudit(db.sql);
  const auth: Auth = createAuth(db.sql, audit, {
    https: false,
    now: clock.now,
    streamedForms: [UPLOAD_PATH],
  });
  await ensureCodeTable(db.sql);
  const informazioni = await createInformazioni({ sql: db.sql, audit, now: clock.now });
  const rules = new RuleContextCache(db.sql);
  const acquisizione = await createAcquisizione({ sql: db.sql, audit, rules, now: clock.now });
  const queue = new JobQueue(db.sql);
  const trasmissione = createTrasmissione({
    sql: db.sql,
    audit,
    queue,
    maxUploadBytes: options.maxUploadBytes ?? 100 << 20,
    copy: db.kind === "server",
    rules: () => rules.data(),
    now: clock.now,
  });
  const app = createApp({
    config: { https: false, maxBodyBytes: 1 << 20, trustProxy: false },
    sql: db.sql,
    log: createLogger("error", () => {}),
    assets: await loadAssets(new URL("../../static/", import.meta.url)),
    demo: true,
    migrations: await readMigrations(),
    streamedUploads: [UPLOAD_PATH],
  }, (app) => {
    auth.install(app);
    informazioni.install(app);
    acquisizione.install(app);
    trasmissione.install(app);
  });
  /** Runs the queued jobs (flows) to the end with one worker, as a deployment's worker would. */
  const drain = async () => {
    const worker = queue.worker({ handlers: trasmissione.jobs, pollMs: 10, backoffBaseMs: 10 });
    worker.start();
    trasmissione.judges.start();
    try {
      for (let i = 0; i < 3000; i++) {
        const [{ n }] = await db.sql`
          select count(*) as n from jobs where state in ('queued', 'running') and kind <> 'sessioni.pulizia'`;
        if (n === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error("i job non sono terminati in 60 secondi");
    } finally {
      try {
        await worker.stop();
      } finally {
        trasmissione.judges.stop();
      }
    }
  };
  const client = (ip = "10.0.0.7") => new Client(app.fetch, ip);
  const loggedIn = async (username: string, ip?: string) => {
    const c = client(ip);
    const res = await c.post("/login", { username, password: PASSWORD });
    if (res.status !== 303) throw new Error(`login di ${username} non riuscito: ${res.status}`);
    return c;
  };
  return { app, auth, audit, acquisizione, clock, client, drain, loggedIn, queue, sql: db.sql };
}

type Fetch = (req: Request, env?: unknown) => Response | Promise<Response>;

/** A browser-like client: keeps cookies and the CSRF token of the last page. */
export class Client {
  cookies = new Map<string, string>();
  csrf?: string;
  constructor(private fetchApp: Fetch, public ip: string) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) {
      headers.set("Cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    }
    const res = await this.fetchApp(new Request(`http://siuss.test${path}`, { ...init, headers }), {
      remoteAddr: { hostname: this.ip, port: 40000, transport: "tcp" },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const [name, value] = pair.split("=");
      const expired = attrs.some((a) => /max-age=0/i.test(a.trim()));
      if (expired || value === "") this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value);
    }
    return res;
  }

  /** GET; remembers the CSRF token found in the page. */
  async get(
    path: string,
    headers: Record<string, string> = {},
  ): Promise<Response & { html: string }> {
    const res = await this.request(path, { headers });
    const html = decodeEntities(await res.text());
    const token = html.match(/name="_csrf" value="([^"]+)"/)?.[1];
    if (token) this.csrf = token;
    return Object.assign(res, { html });
  }

  /** POST a form, with the CSRF token and a same-origin Fetch header unless told otherwise. */
  async post(
    path: string,
    form: Record<string, string | readonly string[]>,
    options: { csrf?: string | null; headers?: Record<string, string> } = {},
  ): Promise<Response & { html: string }> {
    if (this.cookies.size && !this.csrf && options.csrf === undefined) await this.get("/profilo");
    const token = options.csrf === undefined ? this.csrf : options.csrf;
    // A list is sent as repeated fields, as a browser sends checkboxes and multiple selects.
    const fields: [string, string | readonly string[]][] = Object.entries(form);
    if (token) fields.push(["_csrf", token]);
    const body = new URLSearchParams(
      fields.flatMap(([k, v]) => typeof v === "string" ? [[k, v]] : v.map((x) => [k, x])),
    );
    const res = await this.request(path, {
      method: "POST",
      body,
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Sec-Fetch-Site": "same-origin",
        ...options.headers,
      },
    });
    const html = decodeEntities(await res.text());
    return Object.assign(res, { html });
  }

  /** POST a multipart form with one file, as a browser's upload form does. */
  async upload(
    path: string,
    file: { field: string; name: string; content: string | Uint8Array<ArrayBuffer> },
    fields: Record<string, string> = {},
  ): Promise<Response & { html: string }> {
    if (!this.csrf) await this.get("/profilo");
    const form = new FormData();
    for (const [k, v] of Object.entries({ ...fields, _csrf: this.csrf! })) form.set(k, v);
    form.set(file.field, new File([file.content], file.name, { type: "text/csv" }));
    const res = await this.request(path, {
      method: "POST",
      body: form,
      headers: { "Sec-Fetch-Site": "same-origin" },
    });
    const html = decodeEntities(await res.text());
    return Object.assign(res, { html });
  }

  get token(): string | undefined {
    return this.cookies.get("siuss_sessione");
  }
}

/** The page's text with the entities hono/jsx escapes turned back, for readable assertions. */
function decodeEntities(html: string): string {
  return html.replace(
    /&(#39|quot|amp|lt|gt);/g,
    (_, e) => ({ "#39": "'", quot: '"', amp: "&", lt: "<", gt: ">" })[e as string]!,
  );
}
