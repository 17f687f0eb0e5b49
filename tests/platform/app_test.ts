import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { createLogger } from "../../modules/platform/log.ts";
import { readMigrations } from "../../modules/platform/migrate.ts";
import { createApp } from "../../modules/platform/web/app.tsx";
import { CONTENT_SECURITY_POLICY } from "../../modules/platform/web/security_headers.ts";
import { loadAssets } from "../../modules/platform/web/static_assets.ts";
import { SECTIONS } from "../../views/sections.ts";
import { dbTest, type TestDatabase } from "../_db.ts";

async function buildApp(db: TestDatabase, options: { https?: boolean; demo?: boolean } = {}) {
  const logLines: string[] = [];
  const migrations = await readMigrations();
  const app = createApp({
    config: { https: options.https ?? false, maxBodyBytes: 4096, trustProxy: false },
    sql: db.sql,
    log: createLogger("debug", (line) => logLines.push(line)),
    assets: await loadAssets(new URL("../../static/", import.meta.url)),
    demo: options.demo ?? false,
    migrations,
  });
  app.get("/guasto", () => {
    throw new Error("segreto interno RSSMRA80A01H501U");
  });
  const get = (path: string, headers: Record<string, string> = {}) =>
    app.request(`http://localhost${path}`, { headers });
  return { app, get, logLines, migrations };
}

function assertSecurityHeaders(res: Response, where: string) {
  const h = res.headers;
  assert.equal(h.get("Content-Security-Policy"), CONTENT_SECURITY_POLICY, where);
  assert.match(h.get("Content-Security-Policy")!, /frame-ancestors 'none'/);
  assert.doesNotMatch(h.get("Content-Security-Policy")!, /unsafe-inline|unsafe-eval/);
  assert.equal(h.get("X-Content-Type-Options"), "nosniff", where);
  assert.equal(h.get("Referrer-Policy"), "strict-origin-when-cross-origin", where);
  assert.ok(h.get("X-Request-Id"), where);
}

dbTest(
  "web: the layout has the seven sections, skip link, landmarks and footer",
  async (_t, db) => {
    const { get } = await buildApp(db, { demo: true });
    const res = await get("/");
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /^<!doctype html><html lang="it">/);
    assert.match(html, /<a class="skip-link" href="#contenuto">/);
    assert.match(html, /<main id="contenuto"/);
    assert.match(html, /<nav class="site-nav" aria-label="Sezioni">/);
    for (const s of SECTIONS) assert.ok(html.includes(`<a href="${s.path}"`), s.path);
    assert.match(html, /href="\/accessibilita"/);
    assert.match(html, /Ambiente dimostrativo/);
    assert.doesNotMatch(html, /<script>|style="/, "no inline script or style");
  },
);

dbTest(
  "web: each section route renders its page with the section marked current",
  async (_t, db) => {
    const { get } = await buildApp(db);
    for (
      const s of [...SECTIONS, { path: "/accessibilita", title: "Dichiarazione di accessibilità" }]
    ) {
      const res = await get(s.path);
      assert.equal(res.status, 200, s.path);
      const html = await res.text();
      assert.ok(html.includes(`<h1>${s.title}</h1>`), s.path);
      if (s.path !== "/accessibilita") {
        assert.match(
          html,
          new RegExp(`href="${s.path}" aria-current="page"`),
        );
      }
      assert.doesNotMatch(html, /Ambiente dimostrativo/);
    }
  },
);

dbTest(
  "web: security headers on pages, fragments, errors, static files and JSON",
  async (_t, db) => {
    const { get, app } = await buildApp(db);
    const page = await get("/informazioni");
    assertSecurityHeaders(page, "page");
    assert.equal(page.headers.get("Strict-Transport-Security"), null, "no HSTS over plain HTTP");

    const fragment = await get("/informazioni", { "HX-Request": "true" });
    assertSecurityHeaders(fragment, "fragment");
    const body = await fragment.text();
    assert.doesNotMatch(body, /<html|<nav/, "a fragment comes without the layout");
    assert.match(body, /<h1>Informazioni<\/h1>/);

    assertSecurityHeaders(await get("/non-esiste"), "404");
    assertSecurityHeaders(await get("/guasto"), "500");
    assertSecurityHeaders(await get("/health"), "json");
    const css = (await (await get("/")).text()).match(/href="(\/static\/app\.[0-9a-f]+\.css)"/)![1];
    assertSecurityHeaders(await get(css), "static");
    const big = await app.request("http://localhost/", {
      method: "POST",
      body: "x".repeat(10_000),
    });
    assertSecurityHeaders(big, "413");
  },
);

dbTest("web: HSTS when served over HTTPS", async (_t, db) => {
  const { get } = await buildApp(db, { https: true });
  assert.equal(
    (await get("/")).headers.get("Strict-Transport-Security"),
    "max-age=63072000; includeSubDomains",
  );
  const { app } = await buildApp(db);
  const res = await app.request("https://siuss.example.it/");
  assert.match(res.headers.get("Strict-Transport-Security")!, /max-age=/);
});

dbTest("web: error pages use the layout and never show a stack trace", async (_t, db) => {
  const { get, logLines } = await buildApp(db);
  const notFound = await get("/non-esiste");
  assert.equal(notFound.status, 404);
  const html404 = await notFound.text();
  assert.match(html404, /<h1>Pagina non trovata<\/h1>/);
  assert.match(html404, /<nav class="site-nav"/);

  const crash = await get("/guasto");
  assert.equal(crash.status, 500);
  const html500 = await crash.text();
  assert.match(html500, /Si è verificato un errore/);
  assert.ok(
    html500.includes(crash.headers.get("X-Request-Id")!),
    "the request id is shown for support",
  );
  assert.doesNotMatch(html500, /segreto|at .*\.ts|Error:/);
  const logged = logLines.map((l) => JSON.parse(l)).find((l) => l.msg === "errore interno");
  assert.equal(logged.path, "/guasto");
  assert.equal(logged.detail, "segreto interno [riservato]", "personal data are masked in logs");
});

dbTest("web: an oversize body answers 413 with a clear page", async (_t, db) => {
  const { app } = await buildApp(db);
  const res = await app.request("http://localhost/acquisizione", {
    method: "POST",
    body: "x".repeat(5000),
  });
  assert.equal(res.status, 413);
  assert.match(await res.text(), /Richiesta troppo grande/);
});

dbTest("web: static files are fingerprinted, immutable and precompressed", async (_t, db) => {
  const { get } = await buildApp(db);
  const html = await (await get("/")).text();
  const js = html.match(/src="(\/static\/vendor\/htmx-2\.0\.11\.min\.[0-9a-f]{10}\.js)"/)![1];
  const plain = await get(js);
  assert.equal(plain.status, 200);
  assert.equal(plain.headers.get("Cache-Control"), "public, max-age=31536000, immutable");
  assert.equal(plain.headers.get("Content-Type"), "text/javascript; charset=utf-8");
  const original = await Deno.readFile(
    new URL("../../static/vendor/htmx-2.0.11.min.js", import.meta.url),
  );
  assert.equal((await plain.arrayBuffer()).byteLength, original.byteLength);
  const br = await get(js, { "Accept-Encoding": "gzip, deflate, br" });
  assert.equal(br.headers.get("Content-Encoding"), "br");
  assert.ok((await br.arrayBuffer()).byteLength < original.byteLength / 2);
  const gz = await get(js, { "Accept-Encoding": "gzip" });
  assert.equal(gz.headers.get("Content-Encoding"), "gzip");
  assert.equal(gunzipSync(new Uint8Array(await gz.arrayBuffer())).byteLength, original.byteLength);
  assert.equal((await get("/static/app.css")).status, 404, "only fingerprinted names are served");
});

dbTest("web: pages are compressed and logs carry no query string", async (_t, db) => {
  const { get, logLines } = await buildApp(db);
  const res = await get("/?cf=RSSMRA80A01H501U", { "Accept-Encoding": "gzip" });
  assert.equal(res.headers.get("Content-Encoding"), "gzip");
  const html = new TextDecoder().decode(gunzipSync(new Uint8Array(await res.arrayBuffer())));
  assert.match(html, /<h1>/);
  const line = logLines.at(-1)!;
  const entry = JSON.parse(line);
  assert.equal(entry.path, "/");
  assert.equal(entry.status, 200);
  assert.ok(entry.request_id);
  assert.doesNotMatch(line, /RSSMRA/);
});

dbTest(
  "web: /health and /ready answer JSON; /ready is 503 while migrations are pending",
  async (_t, db) => {
    const { get, migrations } = await buildApp(db);
    assert.deepEqual(await (await get("/health")).json(), { status: "ok" });
    const ready = await get("/ready");
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: "ready", migrations: migrations.length });

    await db.sql`delete from schema_migrations where version = ${migrations.at(-1)!.version}`;
    const notReady = await get("/ready");
    assert.equal(notReady.status, 503);
    assert.deepEqual((await notReady.json()).pending, [migrations.at(-1)!.name]);
  },
);

dbTest("web: a malformed HTTP request answers 400", async (_t, db) => {
  const { app } = await buildApp(db);
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, app.fetch);
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
    await conn.write(
      new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"),
    );
    const buf = new Uint8Array(1024);
    const n = await conn.read(buf);
    conn.close();
    assert.match(new TextDecoder().decode(buf.subarray(0, n ?? 0)), /^HTTP\/1\.1 400/);
  } finally {
    await server.shutdown();
  }
});
