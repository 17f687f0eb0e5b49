import assert from "node:assert/strict";
import { dbTest } from "../_db.ts";
import { authApp } from "./_client.ts";

const ROLES = [
  "anonimo",
  "operatore",
  "consultatore",
  "referente",
  "territoriale",
  "admin",
] as const;
type Role = typeof ROLES[number];
const LOGIN: Record<Exclude<Role, "anonimo">, string> = {
  operatore: "operatore.h501",
  consultatore: "consultatore.h501",
  referente: "referente.h501",
  territoriale: "territoriale.lazio",
  admin: "admin",
};

// ok = allowed (2xx/422 for an empty form), 403 = refused, login = redirect to /login.
type Outcome = "ok" | 403 | "login";
const ALL_SIGNED: Outcome[] = ["login", "ok", "ok", "ok", "ok", "ok"];
const ENTE_WRITERS: Outcome[] = ["login", "ok", 403, "ok", 403, 403];
const ADMIN_ONLY: Outcome[] = ["login", 403, 403, 403, 403, "ok"];
const MANAGERS: Outcome[] = ["login", 403, 403, "ok", 403, "ok"];
const PUBLIC: Outcome[] = ["ok", "ok", "ok", "ok", "ok", "ok"];

const GET_ROUTES: [string, Outcome[]][] = [
  ["/", PUBLIC],
  ["/informazioni", PUBLIC],
  ["/accessibilita", PUBLIC],
  ["/acquisizione", ENTE_WRITERS],
  ["/trasmissione", ENTE_WRITERS],
  ["/consultazione", ALL_SIGNED],
  ["/strumenti", ["login", "ok", "ok", "ok", 403, 403]],
  ["/news", ALL_SIGNED],
  ["/cooperazione", ["login", "ok", 403, "ok", 403, "ok"]],
  ["/profilo", ALL_SIGNED],
  ["/ente", ALL_SIGNED],
  ["/amministrazione", MANAGERS],
  ["/amministrazione/enti", ADMIN_ONLY],
  ["/amministrazione/enti/nuovo", ADMIN_ONLY],
  ["/amministrazione/enti/H501", MANAGERS],
  ["/amministrazione/utenti", MANAGERS],
  ["/amministrazione/utenti/nuovo", MANAGERS],
];

const POST_ROUTES: [string, Outcome[]][] = [
  ["/amministrazione/enti/nuovo", ADMIN_ONLY],
  ["/amministrazione/enti/H501", MANAGERS],
  ["/amministrazione/utenti/nuovo", MANAGERS],
  ["/profilo/password", ALL_SIGNED],
  ["/ente", ALL_SIGNED],
];

function outcomeOf(res: Response): Outcome | string {
  if (res.status === 303 && res.headers.get("Location")?.startsWith("/login")) return "login";
  if (res.status === 403) return 403;
  if (res.status === 200 || res.status === 422) return "ok";
  return `${res.status} ${res.headers.get("Location") ?? ""}`;
}

dbTest(
  "access: every route × every role is allowed, forbidden (403) or sent to login",
  async (t, db) => {
    const { client, loggedIn } = await authApp(db);
    const clients = {
      anonimo: client(),
      ...Object.fromEntries(
        await Promise.all(
          Object.entries(LOGIN).map(async ([role, u]) => [role, await loggedIn(u)]),
        ),
      ),
    } as Record<Role, Awaited<ReturnType<typeof loggedIn>>>;
    for (const [path, expected] of GET_ROUTES) {
      await t.step(`GET ${path}`, async () => {
        for (const [i, role] of ROLES.entries()) {
          assert.equal(
            outcomeOf(await clients[role].get(path)),
            expected[i],
            `${role} GET ${path}`,
          );
        }
      });
    }
    for (const [path, expected] of POST_ROUTES) {
      await t.step(`POST ${path}`, async () => {
        for (const [i, role] of ROLES.entries()) {
          // An empty form: an allowed role gets the form back with errors (422), never a change.
          const res = await clients[role].post(path, {});
          assert.equal(outcomeOf(res), expected[i], `${role} POST ${path}`);
        }
      });
    }
  },
);

dbTest("access: a forbidden request is audited", async (_t, db) => {
  const { loggedIn, audit } = await authApp(db);
  const c = await loggedIn("consultatore.h501");
  assert.equal((await c.get("/acquisizione")).status, 403);
  const [event] = await audit.recent({ action: "accesso.negato" });
  assert.equal(event.actor, "consultatore.h501");
  assert.equal(event.ente, "H501");
  assert.equal(event.object, "/acquisizione");
});
