/**
 * `deno task admin:create`: creates the first administrator. Reads
 * `ADMIN_USERNAME`, `ADMIN_NOME`, `ADMIN_COGNOME`, `ADMIN_PASSWORD` from the
 * environment (for automation) and asks for what is missing; the password is
 * typed without echo.
 * @module
 */
import type { Sql } from "../platform/db.ts";
import { hashPassword, passwordProblem } from "./passwords.ts";

/** The data of a new administrator. */
export interface NewAdmin {
  username: string;
  nome: string;
  cognome: string;
  password: string;
}

/** Creates an administrator account; throws with an Italian message when the data are not acceptable. */
export async function createAdmin(sql: Sql, admin: NewAdmin): Promise<number> {
  if (!/^[a-z0-9][a-z0-9._-]{2,49}$/.test(admin.username)) {
    throw new Error(
      "Nome utente non valido: da 3 a 50 caratteri tra lettere minuscole, cifre, punto, trattino.",
    );
  }
  if (!admin.nome.trim() || !admin.cognome.trim()) throw new Error("Indicare nome e cognome.");
  const problem = passwordProblem(admin.password, admin.username);
  if (problem) throw new Error(problem);
  const hash = await hashPassword(admin.password);
  return await sql.begin(async (tx) => {
    const [user] = await tx`
      insert into utenti (username, nome, cognome, password_hash)
      values (${admin.username}, ${admin.nome.trim()}, ${admin.cognome.trim()}, ${hash})
      on conflict do nothing returning id`;
    if (!user) throw new Error(`Esiste già un utente ${admin.username}.`);
    await tx`insert into abilitazioni (utente_id, ruolo) values (${user.id}, 'amministratore')`;
    await tx`insert into audit_log (actor, action, object) values ('sistema', 'utente.creazione', ${
      String(user.id)
    })`;
    return user.id;
  });
}

/** Collects the administrator's data from the environment, asking on the terminal for the rest. */
export async function askAdmin(env: Record<string, string | undefined>): Promise<NewAdmin> {
  const ask = (label: string, fallback?: string) => {
    const answer = prompt(fallback ? `${label} [${fallback}]:` : `${label}:`);
    return answer?.trim() || fallback || "";
  };
  return {
    username: env.ADMIN_USERNAME || ask("Nome utente", "admin"),
    nome: env.ADMIN_NOME || ask("Nome"),
    cognome: env.ADMIN_COGNOME || ask("Cognome"),
    password: env.ADMIN_PASSWORD || await readSecret("Password (almeno 12 caratteri): "),
  };
}

async function readSecret(label: string): Promise<string> {
  if (!Deno.stdin.isTerminal()) {
    throw new Error("Impostare ADMIN_PASSWORD: nessun terminale da cui leggerla.");
  }
  await Deno.stdout.write(new TextEncoder().encode(label));
  Deno.stdin.setRaw(true);
  const chars: string[] = [];
  const buf = new Uint8Array(1);
  try {
    for (;;) {
      const n = await Deno.stdin.read(buf);
      if (n === null || buf[0] === 13 || buf[0] === 10) break;
      if (buf[0] === 3) throw new Error("Interrotto.");
      if (buf[0] === 127) chars.pop();
      else chars.push(String.fromCharCode(buf[0]));
    }
  } finally {
    Deno.stdin.setRaw(false);
    await Deno.stdout.write(new TextEncoder().encode("\n"));
  }
  return new TextDecoder().decode(new Uint8Array(chars.map((c) => c.charCodeAt(0))));
}
