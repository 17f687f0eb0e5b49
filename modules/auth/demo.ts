/**
 * Demo enti and users (password `demo-siuss-2026` for all), for a first look
 * and the browser tests. Idempotent: existing rows are left as they are.
 * @module
 */
import type { Sql } from "../platform/db.ts";
import { checkCharacter } from "../prestazioni/codice_fiscale.ts";
import { hashPassword } from "./passwords.ts";
import type { Ruolo } from "./roles.ts";

/** The password of every demo account. */
export const DEMO_PASSWORD = "demo-siuss-2026";

const ENTI = [
  { codice: "H501", tipo: "comune", denominazione: "Comune di Roma", sede: "H501", regione: "12" },
  {
    codice: "F205",
    tipo: "comune",
    denominazione: "Comune di Milano",
    sede: "F205",
    regione: "03",
  },
  {
    codice: "L219",
    tipo: "comune",
    denominazione: "Comune di Torino",
    sede: "L219",
    regione: "01",
  },
  {
    codice: "ATSRM2",
    tipo: "ambito_territoriale",
    denominazione: "Ambito territoriale sociale Roma 2",
    sede: "H501",
    regione: "12",
  },
];

// The first 15 characters of each demo person's codice fiscale; the check character is computed.
const USERS: {
  username: string;
  cf?: string;
  nome: string;
  cognome: string;
  roles: [Ruolo, { ente?: string; regione?: string }][];
}[] = [
  { username: "admin", nome: "Giulia", cognome: "Bianchi", roles: [["amministratore", {}]] },
  {
    username: "operatore.h501",
    cf: "RSSMRA80A01H501",
    nome: "Mario",
    cognome: "Rossi",
    roles: [["operatore", { ente: "H501" }]],
  },
  {
    username: "consultatore.h501",
    cf: "VRDLCU85M41H501",
    nome: "Lucia",
    cognome: "Verdi",
    roles: [["consultatore", { ente: "H501" }]],
  },
  {
    username: "referente.h501",
    cf: "NREPLA75C15H501",
    nome: "Paolo",
    cognome: "Neri",
    roles: [["referente_ente", { ente: "H501" }]],
  },
  {
    username: "operatore.f205",
    cf: "BRNCHR90D45F205",
    nome: "Chiara",
    cognome: "Bruni",
    roles: [["operatore", { ente: "F205" }]],
  },
  {
    username: "territoriale.lazio",
    cf: "GLLMRC70H10H501",
    nome: "Marco",
    cognome: "Galli",
    roles: [["referente_territoriale", { regione: "12" }]],
  },
  {
    username: "multi.ente",
    cf: "CSTFNC82T50F205",
    nome: "Francesca",
    cognome: "Costa",
    roles: [["operatore", { ente: "H501" }], ["operatore", { ente: "F205" }]],
  },
];

/** Loads the demo enti and users. */
export async function seedIdentityDemo(sql: Sql): Promise<void> {
  const hash = await hashPassword(DEMO_PASSWORD);
  await sql.begin(async (tx) => {
    for (const e of ENTI) {
      await tx`insert into enti (codice, tipo, denominazione, belfiore_sede, regione)
               values (${e.codice}, ${e.tipo}, ${e.denominazione}, ${e.sede}, ${e.regione})
               on conflict (codice) do nothing`;
    }
    for (const u of USERS) {
      const cf = u.cf ? u.cf + checkCharacter(u.cf) : null;
      const [created] = await tx`
        insert into utenti (username, codice_fiscale, nome, cognome, email, password_hash)
        values (${u.username}, ${cf}, ${u.nome}, ${u.cognome}, ${`${u.username}@esempio.invalid`}, ${hash})
        on conflict do nothing returning id`;
      if (!created) continue;
      for (const [ruolo, where] of u.roles) {
        await tx`insert into abilitazioni (utente_id, ruolo, ente_codice, regione, valido_dal)
                 values (${created.id}, ${ruolo}, ${where.ente ?? null}, ${
          where.regione ?? null
        }, '2024-01-01')`;
      }
    }
  });
}
