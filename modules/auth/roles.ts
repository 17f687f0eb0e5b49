/**
 * Roles and the permission matrix of SPEC §1. Route middleware and the data
 * layer both read it here; no other file lists who may do what.
 *
 * @example
 * ```ts
 * can("consultatore", "acquisizione"); // false
 * ```
 * @module
 */

/** The roles, as stored in enablements. */
export const ROLES = [
  "operatore",
  "consultatore",
  "referente_ente",
  "referente_territoriale",
  "amministratore",
] as const;

/** A role. */
export type Ruolo = typeof ROLES[number];

/** Roles that act on one ente's data. */
export const ENTE_ROLES = [
  "operatore",
  "consultatore",
  "referente_ente",
] as const satisfies readonly Ruolo[];

/** Italian labels of the roles. */
export const ROLE_LABELS: Record<Ruolo, string> = {
  operatore: "Operatore",
  consultatore: "Consultatore",
  referente_ente: "Referente dell'ente",
  referente_territoriale: "Referente territoriale",
  amministratore: "Amministratore",
};

/** What a role may do. */
export type Permission =
  /** insert, cancel, correct the ente's records (single entry) */
  | "acquisizione"
  /** upload flows of the ente */
  | "trasmissione"
  /** searches and statistics on the ente's own data (personal data included) */
  | "consultazione.ente"
  /** aggregated, de-identified statistics of a region's enti */
  | "consultazione.regione"
  /** national statistics */
  | "consultazione.nazionale"
  /** ISEE checks and checking tools */
  | "strumenti"
  /** API documentation and the ente's API clients */
  | "cooperazione"
  /** the ente's data, users and enablements */
  | "gestione.ente"
  /** enti registry, users of any ente, code table, news, audit */
  | "amministrazione";

const MATRIX: Record<Ruolo, readonly Permission[]> = {
  operatore: ["acquisizione", "trasmissione", "consultazione.ente", "strumenti", "cooperazione"],
  consultatore: ["consultazione.ente", "strumenti"],
  referente_ente: [
    "acquisizione",
    "trasmissione",
    "consultazione.ente",
    "strumenti",
    "cooperazione",
    "gestione.ente",
  ],
  referente_territoriale: ["consultazione.regione"],
  amministratore: ["consultazione.nazionale", "cooperazione", "amministrazione"],
};

/** Whether `ruolo` has `permission`. */
export function can(ruolo: Ruolo, permission: Permission): boolean {
  return MATRIX[ruolo].includes(permission);
}

/** Whether `ruolo` has at least one of `permissions`. */
export function canAny(ruolo: Ruolo, permissions: readonly Permission[]): boolean {
  return permissions.some((p) => can(ruolo, p));
}

/** Whether `ruolo` acts on one ente's data. */
export function isEnteRole(ruolo: Ruolo): boolean {
  return (ENTE_ROLES as readonly Ruolo[]).includes(ruolo);
}
