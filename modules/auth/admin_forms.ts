/**
 * Validation of the administration forms, with Italian messages per field.
 * @module
 */
import { z } from "zod";
import { isIsoDate } from "../platform/dates.ts";
import { checkCodiceFiscale } from "../prestazioni/codice_fiscale.ts";
import { isCidr } from "./access.ts";
import { ENTE_ROLES, isEnteRole, ROLES } from "./roles.ts";

// An empty or absent field is null; a filled one must satisfy `s`.
const optional = (s: z.ZodType<string, string>) =>
  z.string().trim().optional().transform((v) => v ? v : null).pipe(s.nullable());

// A field the profile may not set: whatever is sent is dropped.
const ignored = z.string().optional().transform(() => null);

// Cross-field checks run even when a field is wrong, so that the form lists every problem at once.
const always = { when: () => true };

const time = z.string().regex(
  /^([01]\d|2[0-3]):[0-5]\d$/,
  "Indicare l'orario nel formato HH:MM, es. 08:00.",
);
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Indicare la data nel formato AAAA-MM-GG.")
  .refine(isIsoDate, "La data non esiste.");

/** The fields of an ente; `central` adds type, region and state. */
export function enteSchema(mode: "nuovo" | "modifica", central: boolean) {
  return z.object({
    codice: mode === "nuovo"
      ? z.string().trim().toUpperCase().regex(
        /^[A-Z0-9]{1,32}$/,
        "Il codice ente ha da 1 a 32 lettere o cifre, senza spazi.",
      )
      : z.string().optional(),
    tipo: central
      ? z.enum(
        [
          "comune",
          "ambito_territoriale",
          "unione_comuni",
          "consorzio",
          "comunita_montana",
          "universita",
          "ente_diritto_studio",
          "altro",
        ],
        "Scegliere il tipo di ente.",
      )
      : z.string().optional(),
    denominazione: z.string().trim().min(1, "Indicare la denominazione.").max(
      100,
      "La denominazione può avere al massimo 100 caratteri.",
    ),
    belfiore_sede: z.string().trim().toUpperCase().regex(
      /^[A-Z]\d{3}$/,
      "Il codice catastale della sede ha una lettera e tre cifre, es. H501.",
    ),
    regione: central ? z.string().regex(/^\d{2}$/, "Scegliere la regione.") : z.string().optional(),
    pec: optional(z.email("Indicare un indirizzo PEC valido.").max(254)),
    stato: central
      ? z.enum(["attivo", "sospeso"], "Scegliere lo stato.").default("attivo")
      : z.string().optional(),
    ip_consentiti: z.string().default("").transform((v) => v.split(/[\s,]+/).filter(Boolean))
      .refine(
        (list) => list.every(isCidr),
        "Ogni riga deve essere una rete in notazione CIDR con i bit di host a zero, es. 192.0.2.0/24.",
      ).refine((list) => list.length <= 50, "Al massimo 50 intervalli."),
    orario_inizio: optional(time),
    orario_fine: optional(time),
  }).superRefine((v, ctx) => {
    if (v.orario_inizio && v.orario_inizio === v.orario_fine) {
      ctx.addIssue({
        code: "custom",
        path: ["orario_fine"],
        message: "L'orario di fine deve essere diverso da quello di inizio.",
      });
    }
    if ((v.orario_inizio === null) !== (v.orario_fine === null)) {
      ctx.addIssue({
        code: "custom",
        path: [v.orario_inizio === null ? "orario_inizio" : "orario_fine"],
        message: "Indicare entrambi gli orari, o nessuno.",
      });
    }
    if (v.tipo === "comune" && v.codice && !/^[A-Z]\d{3}$/.test(v.codice)) {
      ctx.addIssue({
        code: "custom",
        path: ["codice"],
        message:
          "Il codice di un Comune è il suo codice catastale: una lettera e tre cifre, es. H501.",
      });
    }
  }, always);
}

/** The fields of an enablement; `central` allows every role, an ente or a region. */
export function enablementSchema(central: boolean) {
  return z.object({
    ruolo: z.enum(central ? ROLES : ENTE_ROLES, "Scegliere il profilo."),
    ente: central
      ? optional(z.string().toUpperCase().regex(/^[A-Z0-9]{1,32}$/, "Codice ente non valido."))
      : ignored,
    regione: central ? optional(z.string().regex(/^\d{2}$/, "Regione non valida.")) : ignored,
    valido_dal: date,
    valido_al: optional(date),
  }).superRefine((v, ctx) => {
    if (v.valido_al && v.valido_al < v.valido_dal) {
      ctx.addIssue({
        code: "custom",
        path: ["valido_al"],
        message: "La fine non può precedere l'inizio.",
      });
    }
    if (!central) return;
    const enteRole = isEnteRole(v.ruolo);
    if (enteRole && !v.ente) {
      ctx.addIssue({ code: "custom", path: ["ente"], message: "Indicare il codice dell'ente." });
    }
    if (v.ruolo === "referente_territoriale" && !v.regione) {
      ctx.addIssue({ code: "custom", path: ["regione"], message: "Scegliere la regione." });
    }
  }, always);
}

const codiceFiscale = z.string().trim().superRefine((v, ctx) => {
  const check = checkCodiceFiscale(v);
  if (!check.ok || check.value.length !== 16) {
    ctx.addIssue({
      code: "custom",
      message: `Codice fiscale non valido: ${
        check.ok ? "deve essere quello di una persona" : check.reason
      }.`,
    });
  }
}).transform((v) => v.toUpperCase());

/** The personal data of a user. */
export const personSchema = z.object({
  nome: z.string().trim().min(1, "Indicare il nome.").max(
    60,
    "Il nome può avere al massimo 60 caratteri.",
  ),
  cognome: z.string().trim().min(1, "Indicare il cognome.").max(
    60,
    "Il cognome può avere al massimo 60 caratteri.",
  ),
  email: optional(z.email("Indicare un indirizzo e-mail valido.").max(254)),
});

/** A new user: person, login identity and the first enablement. */
export function newUserSchema(central: boolean) {
  return personSchema.extend({
    codice_fiscale: central ? optional(codiceFiscale) : codiceFiscale,
    username: central
      ? optional(
        z.string().regex(
          /^[a-z0-9][a-z0-9._-]{2,49}$/,
          "Il nome utente ha da 3 a 50 caratteri tra lettere minuscole, cifre, punto, trattino.",
        ).refine(
          // Such a name would compete with the codice fiscale of a person at login.
          (u) => !checkCodiceFiscale(u).ok,
          "Il nome utente non può avere la forma di un codice fiscale.",
        ),
      )
      : ignored,
  }).superRefine((v, ctx) => {
    if (!v.codice_fiscale && !v.username) {
      ctx.addIssue({
        code: "custom",
        path: ["codice_fiscale"],
        message: "Indicare il codice fiscale (o, per un'utenza di servizio, il nome utente).",
      });
    }
  }, always);
}
