/**
 * Single entry of benefit records: insert, cancel and correct one record,
 * through the same parser, rules and repository as every other channel.
 * Each operation is one acquisition with a receipt; a form sent twice finds
 * the acquisition of its first submission instead of storing again.
 *
 * @example
 * ```ts
 * const service = new AcquisizioneService(sql, audit);
 * const outcome = await service.insert(operator, values, { token, confirmed: [] });
 * if (outcome.kind === "ok") redirect(`/acquisizione/ricevute/${outcome.acquisizione}`);
 * ```
 * @module
 */
import type { Audit } from "../platform/audit.ts";
import type { Sql } from "../platform/db.ts";
import { sha256Hex } from "../platform/hash.ts";
import type { CodeTable } from "../prestazioni/code_table.ts";
import { fromFlatInput, type PsRecord } from "../prestazioni/record.ts";
import { type PrestazioniRepo, type StoredRecord } from "../prestazioni/repo.ts";
import { checkRecord, type RuleContext, type Violation } from "../prestazioni/rules.ts";
import { RuleContextCache } from "../prestazioni/validation.ts";
import { type FormValues, text, toFlatInput } from "./form.ts";
import { AcquisizioneRepo, type Operazione } from "./repo.ts";

/** Who is operating, on which ente, from where. */
export interface Operator {
  ente: string;
  username: string;
  codiceFiscale: string | null;
  ip: string | null;
  requestId: string;
}

/** What the form sends besides the record. */
export interface Submission {
  /** The form's idempotency token. */
  token: string;
  /** The warning codes the operator confirmed. */
  confirmed: readonly string[];
  /** The reason of a rettifica. */
  motivo?: string;
}

/** The outcome of an insert or a rettifica. */
export type SubmitOutcome =
  | { kind: "ok"; acquisizione: string; repeated: boolean }
  | { kind: "errori"; violations: Violation[]; existing?: number }
  | { kind: "avvisi"; warnings: Violation[] }
  /** The record was cancelled or corrected after the form was opened. */
  | { kind: "superata" }
  /** The form's token was already used for another operation or other data. */
  | { kind: "riusato" };

/** The outcome of a cancellation. */
export type CancelOutcome =
  | { kind: "ok"; acquisizione: string; repeated: boolean }
  | { kind: "superata" }
  | { kind: "riusato" };

/** What a submission does, to what, with which values: equal only for the same submission. */
function fingerprint(
  operazione: Operazione,
  target: number | undefined,
  values: FormValues,
): Promise<string> {
  const data = Object.entries(values)
    .filter(([name]) => !name.startsWith("_") && name !== "azione")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return sha256Hex(JSON.stringify([operazione, target ?? null, data]));
}

class Refused extends Error {
  constructor(readonly outcome: SubmitOutcome) {
    super(outcome.kind);
  }
}

/** The single-entry service. */
export class AcquisizioneService {
  readonly repo: AcquisizioneRepo;

  constructor(
    readonly sql: Sql,
    readonly audit: Audit,
    readonly prestazioni: PrestazioniRepo,
    readonly rules: RuleContextCache = new RuleContextCache(sql),
  ) {
    this.repo = new AcquisizioneRepo(sql);
  }

  /** The rule context in force. */
  context(): Promise<RuleContext> {
    return this.rules.context();
  }

  /** The code table in force, for the picker and the denomination. */
  codes(): Promise<CodeTable> {
    return this.rules.codes();
  }

  /** Parses and checks the form's values: the record, or the violations that refuse it, and its warnings. */
  async evaluate(
    values: FormValues,
  ): Promise<{ record?: PsRecord; errors: Violation[]; warnings: Violation[] }> {
    const parsed = fromFlatInput(toFlatInput(values));
    if (!parsed.ok) return { errors: parsed.violations, warnings: [] };
    const violations = checkRecord(parsed.record, await this.context());
    const errors = violations.filter((v) => v.level === "scarto");
    const warnings = violations.filter((v) => v.level === "avviso");
    return { record: errors.length ? undefined : parsed.record, errors, warnings };
  }

  /** Inserts one record. */
  insert(op: Operator, values: FormValues, s: Submission): Promise<SubmitOutcome> {
    return this.#store(op, values, s, "inserimento");
  }

  /** Corrects the active record `id` (rettifica): cancel and insert, linked, atomically. */
  correct(op: Operator, id: number, values: FormValues, s: Submission): Promise<SubmitOutcome> {
    return this.#store(op, values, s, "rettifica", id);
  }

  /**
   * What a form's token already did: the first acquisition when this is the
   * same submission again, a refusal when the token comes back with another
   * operation or other data (a form reused after a change), nothing when new.
   */
  async #earlier(
    op: Operator,
    token: string,
    impronta: string,
  ): Promise<
    { kind: "ok"; acquisizione: string; repeated: true } | { kind: "riusato" } | undefined
  > {
    const earlier = await this.repo.byToken(op.ente, token);
    if (!earlier) return undefined;
    if (earlier.impronta !== impronta) return { kind: "riusato" };
    return { kind: "ok", acquisizione: earlier.id, repeated: true };
  }

  async #store(
    op: Operator,
    values: FormValues,
    s: Submission,
    operazione: Operazione,
    replaces?: number,
  ): Promise<SubmitOutcome> {
    const impronta = await fingerprint(operazione, replaces, values);
    const earlier = await this.#earlier(op, s.token, impronta);
    if (earlier) return earlier;
    const { record, errors, warnings } = await this.evaluate(values);
    if (!record) return { kind: "errori", violations: errors };
    const unconfirmed = warnings.filter((w) => !s.confirmed.includes(w.rule));
    if (unconfirmed.length) return { kind: "avvisi", warnings };
    try {
      return await this.sql.begin(async (tx) => {
        const acquisizione = await this.repo.open(tx, op.ente, {
          operazione,
          operatore: op.username,
          cfOperatore: op.codiceFiscale,
          motivo: s.motivo,
        }, { token: s.token, impronta });
        if (!acquisizione) throw new Refused({ kind: "ok", acquisizione: "", repeated: true });
        let outcome;
        if (replaces === undefined) {
          [outcome] = await this.prestazioni.insert(tx, op.ente, acquisizione, [{
            record,
            warnings,
          }]);
        } else {
          // The form edits the first address; any other (sent by a flow) is kept as it was.
          const [old] = (await this.prestazioni.records(op.ente, [replaces], tx)).values();
          const kept = old ? old.Indirizzi.slice(1) : [];
          outcome = await this.prestazioni.correct(tx, op.ente, acquisizione, replaces, {
            record: { ...record, Indirizzi: [...record.Indirizzi.slice(0, 1), ...kept] },
            warnings,
          });
        }
        if (!outcome) throw new Refused({ kind: "superata" });
        if (!outcome.ok) throw new Refused({ kind: "errori", violations: [outcome.violation] });
        await this.audit.record({
          actor: op.username,
          ente: op.ente,
          action: `prestazione.${operazione}`,
          object: String(outcome.id),
          details: {
            acquisizione,
            canale: "web",
            record: 1,
            ...(replaces === undefined ? {} : { sostituisce: replaces }),
          },
          ip: op.ip,
          requestId: op.requestId,
        }, tx);
        return { kind: "ok" as const, acquisizione, repeated: false };
      });
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      const o = error.outcome;
      if (o.kind === "ok") {
        // A concurrent submission of the same form committed first.
        const first = await this.#earlier(op, s.token, impronta);
        if (first) return first;
        throw new Error("acquisizione con lo stesso token non trovata");
      }
      if (o.kind === "errori" && o.violations[0]?.rule === "R15") {
        return { ...o, existing: await this.prestazioni.activeWithKey(op.ente, record) };
      }
      return o;
    }
  }

  /** Cancels the active record `id` of the operator's ente, with a reason. */
  async cancel(op: Operator, id: number, motivo: string, token: string): Promise<CancelOutcome> {
    const impronta = await fingerprint("annullamento", id, {});
    const earlier = await this.#earlier(op, token, impronta);
    if (earlier) return earlier;
    try {
      return await this.sql.begin(async (tx) => {
        const acquisizione = await this.repo.open(tx, op.ente, {
          operazione: "annullamento",
          operatore: op.username,
          cfOperatore: op.codiceFiscale,
          motivo,
        }, { token, impronta });
        if (!acquisizione) throw new Refused({ kind: "ok", acquisizione: "", repeated: true });
        const versione = await this.prestazioni.cancelById(tx, op.ente, acquisizione, id);
        if (versione === undefined) throw new Refused({ kind: "superata" });
        await this.audit.record({
          actor: op.username,
          ente: op.ente,
          action: "prestazione.annullamento",
          object: String(id),
          details: { acquisizione, canale: "web", record: 1 },
          ip: op.ip,
          requestId: op.requestId,
        }, tx);
        return { kind: "ok" as const, acquisizione, repeated: false };
      });
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      if (error.outcome.kind === "ok") {
        const first = await this.#earlier(op, token, impronta);
        if (first) return first;
      }
      return { kind: "superata" };
    }
  }

  /** A record of the operator's ente with its history; audited as a read of personal data. */
  async detail(
    op: Operator,
    id: number,
  ): Promise<{ stored: StoredRecord; record: PsRecord; history: StoredRecord[] } | undefined> {
    const stored = await this.prestazioni.get(op.ente, id);
    if (!stored) return undefined;
    const [records, history] = await Promise.all([
      this.prestazioni.records(op.ente, [id]),
      this.prestazioni.history(op.ente, id),
    ]);
    await this.read(op, "prestazione.lettura", String(id));
    return { stored, record: records.get(id)!, history };
  }

  /** The personal data the ente already sent for a valid codice fiscale; audited when found. */
  async knownPerson(op: Operator, values: FormValues) {
    const cf = text(values, "CodiceFiscale").toUpperCase();
    const person = await this.repo.knownPerson(op.ente, cf);
    if (person) await this.read(op, "beneficiario.lettura", cf);
    return person;
  }

  /** Records a read of personal data. */
  async read(op: Operator, action: string, object: string): Promise<void> {
    await this.audit.record({
      actor: op.username,
      ente: op.ente,
      action,
      object,
      ip: op.ip,
      requestId: op.requestId,
    });
  }
}
