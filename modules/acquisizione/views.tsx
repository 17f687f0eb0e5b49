/**
 * Pages of the Acquisizione section: the start page with the recent
 * operations, the record form (new and rettifica) with its conditional
 * blocks, the receipt, the record with its history, the cancellation.
 *
 * Every block the form opens or closes has an id: htmx swaps it from
 * `POST /acquisizione/modulo/{blocco}`; without JavaScript the "Aggiorna
 * modulo" buttons post the whole form and the server renders it again.
 * @module
 */
import type { Child } from "hono/jsx";
import {
  CsrfField,
  dateTime,
  ErrorSummary,
  type FieldErrors,
  fieldId,
  Notice,
  Pagination,
  SelectField,
  TextField,
} from "../../views/components.tsx";
import { enumValues } from "../prestazioni/xsd_types.ts";
import { AnagraficaAttrs, PrestazioneAttrs, SinaAttrs } from "../prestazioni/schema_ps.ts";
import { BENEFICIARY_FIELDS, type PsRecord } from "../prestazioni/record.ts";
import type { StoredRecord } from "../prestazioni/repo.ts";
import type { Violation } from "../prestazioni/rules.ts";
import { type FormValues, text, visibility } from "./form.ts";
import type { Acquisizione, KnownPerson, Operation, OperationsPage } from "./repo.ts";

/** The Italian label of each field, by official name. */
export const LABELS: Record<string, string> = {
  CodiceFiscale: "Codice fiscale",
  Cognome: "Cognome",
  Nome: "Nome",
  AnnoNascita: "Anno di nascita",
  LuogoNascita: "Luogo di nascita (codice catastale)",
  Genere: "Genere",
  CodiceCittadinanza: "Cittadinanza",
  CodiceSecondaCittadinanza: "Seconda cittadinanza",
  CodiceNazione: "Nazione di residenza",
  CodiceRegione: "Regione di residenza",
  CodiceComune: "Comune di residenza",
  CodicePrestazione: "Codice prestazione",
  DenominazionePrestazione: "Denominazione della prestazione",
  ProtocolloDomanda: "Protocollo della domanda",
  PresenzaProvaMezzi: "Prova dei mezzi",
  CaratterePrestazione: "Carattere della prestazione",
  NumeroProtocolloDSU: "Numero di protocollo della DSU",
  AnnoProtocolloDSU: "Anno del protocollo DSU",
  DataDSU: "Data di presentazione della DSU",
  DataEvento: "Data dell'evento",
  DataInizioPrestazione: "Data di inizio",
  DataFinePrestazione: "Data di fine",
  DataErogazionePrestazione: "Data di erogazione",
  PeriodoErogazione: "Periodo di erogazione (mesi)",
  ImportoPrestazione: "Importo della prestazione (€)",
  ImportoMensile: "Importo mensile (€)",
  ImportoQuotaEnte: "Quota a carico dell'ente (€)",
  ImportoQuotaUtente: "Quota a carico dell'utente (€)",
  ImportoQuotaSSN: "Quota a carico del SSN (€)",
  ImportoQuotaRichiesta: "Quota richiesta (€)",
  ImportoSogliaISEE: "Soglia ISEE (€)",
  OreServizioMensile: "Ore di servizio mensili",
  PresaCarico: "Presa in carico dal servizio sociale professionale",
  AreaUtenza: "Area di utenza",
  Mobilita: "Mobilità",
  AttivitaVitaQuotidiana: "Attività della vita quotidiana",
  DisturbiAreaCognitiva: "Disturbi dell'area cognitiva",
  DisturbiComportamentali: "Disturbi comportamentali",
  NecessitaCureSanitarie: "Necessità di cure sanitarie",
  AreaReddituale: "Area reddituale",
  AreaSupporto: "Area del supporto",
  FonteDerivazioneValutazione: "Fonte della valutazione",
  StrumentoValutazione: "Strumento di valutazione",
  FonteDerivazioneInvalidita: "Fonte dell'invalidità",
  NecessitaInterventiSociali: "Interventi sociali necessari",
  InvCiv: "Invalidità civile",
};

const MEANINGS: Record<string, Record<string, string>> = {
  Genere: { "1": "Maschio", "2": "Femmina" },
  PresenzaProvaMezzi: {
    "1": "1 – ISEE (banca dati PSA)",
    "2": "2 – Altra prova dei mezzi",
    "3": "3 – Esente ISEE",
    "4": "4 – Nessuna prova dei mezzi",
  },
  CaratterePrestazione: { "1": "1 – Periodica", "2": "2 – Una tantum" },
  PresaCarico: { "1": "Sì", "2": "No" },
  AreaUtenza: {
    "1": "1 – Famiglie e minori",
    "2": "2 – Disabilità e non autosufficienza",
    "3": "3 – Povertà, disagio adulti ed esclusione sociale",
  },
};

const MACRO_AREE: Record<string, string> = {
  A1: "A1 – Contributi economici",
  A2: "A2 – Servizi e riduzioni",
  A3: "A3 – Strutture",
};

/** Option lists of the pickers, from the reference data and the code table. */
export interface Lookups {
  regioni: readonly { codice: string; denominazione: string }[];
  comuni(regione: string): readonly { istat: string | null; denominazione: string }[];
  nazioni: readonly { codice: string; denominazione: string }[];
  codici: readonly { codice: string; denominazione: string; macroArea: string }[];
}

/** Everything the form needs to render. */
export interface FormProps {
  mode: "nuova" | "rettifica";
  action: string;
  values: FormValues;
  errors?: FieldErrors;
  /** Warnings that wait for the operator's confirmation. */
  warnings?: Violation[];
  /** The record R15 collided with. */
  existing?: number;
  /** The personal data already transmitted for the codice fiscale typed. */
  person?: KnownPerson;
  cfMessage?: string;
  token: string;
  csrf?: string;
  lookups: Lookups;
  /** The record being corrected, and how many more addresses it has (kept as they are). */
  replaces?: { id: number; label: string; altriIndirizzi?: number };
  /** The active ente the form is opened for. */
  ente: string;
}

const enumOptions = (name: string, schema: Parameters<typeof enumValues>[0]) =>
  enumValues(schema).map((v) => [v, MEANINGS[name]?.[v] ?? v] as const);

const value = (values: FormValues, name: string) => text(values, name);

/** The block endpoint and trigger for a field that opens or closes `blocco`. */
function drives(blocco: string, trigger = "change") {
  return {
    "hx-post": `/acquisizione/modulo/${blocco}`,
    "hx-trigger": trigger,
    "hx-target": `#blocco-${blocco}`,
    "hx-swap": "outerHTML",
    "hx-include": "closest form",
  };
}

/** A select that drives a block: the shared SelectField plus its htmx attributes. */
function DrivingSelect(
  props: {
    name: string;
    blocco: string;
    values: FormValues;
    errors?: FieldErrors;
    options: readonly (readonly [string, string])[];
    hint?: string;
  },
) {
  const error = props.errors?.[props.name];
  const id = fieldId(props.name);
  return (
    <div class={error ? "field field--error" : "field"}>
      <label for={id}>{LABELS[props.name]}</label>
      {props.hint && <p class="field__hint" id={`${id}-hint`}>{props.hint}</p>}
      {error && (
        <p class="field__error" id={`${id}-error`}>
          <span class="visually-hidden">Errore:</span> {error}
        </p>
      )}
      <select
        id={id}
        name={props.name}
        class="input"
        aria-invalid={error ? "true" : undefined}
        aria-describedby={[props.hint && `${id}-hint`, error && `${id}-error`].filter(Boolean)
          .join(" ") || undefined}
        {...drives(props.blocco)}
      >
        <option value="">Scegliere…</option>
        {props.options.map(([v, label]) => (
          <option value={v} selected={v === value(props.values, props.name)}>{label}</option>
        ))}
      </select>
    </div>
  );
}

/** The no-JavaScript way to open and close blocks: hidden when scripts run. */
function UpdateButton() {
  return (
    <button type="submit" name="azione" value="aggiorna" class="button button--secondary no-js">
      Aggiorna modulo
    </button>
  );
}

function Field(
  props: {
    name: string;
    values: FormValues;
    errors?: FieldErrors;
    hint?: string;
    type?: string;
    width?: "short" | "medium";
  },
) {
  return (
    <TextField
      name={props.name}
      label={LABELS[props.name]}
      hint={props.hint}
      value={value(props.values, props.name)}
      errors={props.errors}
      type={props.type}
      width={props.width}
    />
  );
}

function Select(
  props: {
    name: string;
    values: FormValues;
    errors?: FieldErrors;
    options: readonly (readonly [string, string])[];
    hint?: string;
  },
) {
  return (
    <SelectField
      name={props.name}
      label={LABELS[props.name]}
      hint={props.hint}
      value={value(props.values, props.name)}
      errors={props.errors}
      options={props.options}
      placeholder="Scegliere…"
    />
  );
}

const AMOUNT_HINT = "In euro, es. 1.234,56";

/**
 * The result of the codice fiscale check, with the offer of data already
 * transmitted. The live region itself stays; htmx swaps what it says.
 */
export function CfStatus(props: { message?: string; person?: KnownPerson }) {
  return (
    <div id="esito-cf" class="cf-status" aria-live="polite">
      <CfStatusContent {...props} />
    </div>
  );
}

/** What the codice fiscale check says (the fragment of `POST /acquisizione/modulo/cf`). */
export function CfStatusContent(props: { message?: string; person?: KnownPerson }) {
  return (
    <>
      {props.message && <p class="field__hint">{props.message}</p>}
      {props.person && (
        <div class="notice">
          <p>
            L'ente ha già trasmesso questa persona:{" "}
            <strong>
              {props.person.Cognome} {props.person.Nome}
            </strong>, nata/o nel {props.person.AnnoNascita}.
          </p>
          <button
            type="submit"
            name="azione"
            value="precompila"
            class="button button--secondary"
            hx-post="/acquisizione/modulo/precompila"
            hx-target="#blocco-anagrafica"
            hx-swap="outerHTML"
            hx-include="closest form"
          >
            Usa i dati già trasmessi
          </button>
        </div>
      )}
    </>
  );
}

/** Personal data of the beneficiary. */
export function AnagraficaBlock(
  props: { values: FormValues; errors?: FieldErrors; lookups: Lookups },
) {
  const { values, errors } = props;
  const nazioni = props.lookups.nazioni.map((n) => [n.codice, n.denominazione] as const);
  return (
    <div id="blocco-anagrafica">
      <Field name="Cognome" values={values} errors={errors} />
      <Field name="Nome" values={values} errors={errors} />
      <Field name="AnnoNascita" values={values} errors={errors} width="short" hint="AAAA" />
      <Field
        name="LuogoNascita"
        values={values}
        errors={errors}
        width="short"
        hint="Codice catastale del comune (es. H501) o dello Stato estero (Z…), come nel codice fiscale"
      />
      <Select
        name="Genere"
        values={values}
        errors={errors}
        options={enumOptions("Genere", AnagraficaAttrs.shape.Genere)}
      />
      <Select name="CodiceCittadinanza" values={values} errors={errors} options={nazioni} />
      <Select name="CodiceSecondaCittadinanza" values={values} errors={errors} options={nazioni} />
    </div>
  );
}

/**
 * Nation of residence and, in Italy, region and comune. Each choice swaps only
 * what depends on it (the nation the region and comune, the region the
 * comuni), so that a fragment carries no list twice.
 */
export function ResidenzaBlock(
  props: { values: FormValues; errors?: FieldErrors; lookups: Lookups },
) {
  const { values, errors, lookups } = props;
  const nation = value(values, "CodiceNazione") || "380";
  return (
    <div id="residenza">
      <DrivingSelect
        name="CodiceNazione"
        blocco="residenza"
        values={{ ...values, CodiceNazione: nation }}
        errors={errors}
        options={lookups.nazioni.map((n) => [n.codice, n.denominazione] as const)}
      />
      <RegioneBlock values={values} errors={errors} lookups={lookups} />
      <UpdateButton />
    </div>
  );
}

/** Region and comune, for a residence in Italy. */
export function RegioneBlock(
  props: { values: FormValues; errors?: FieldErrors; lookups: Lookups },
) {
  const { values, errors, lookups } = props;
  if (!visibility(values).italia) return <div id="blocco-residenza"></div>;
  return (
    <div id="blocco-residenza">
      <DrivingSelect
        name="CodiceRegione"
        blocco="comune"
        values={values}
        errors={errors}
        options={lookups.regioni.map((r) => [r.codice, r.denominazione] as const)}
      />
      <ComuneBlock values={values} errors={errors} lookups={lookups} />
    </div>
  );
}

/** The comuni in force of the chosen region. */
export function ComuneBlock(props: { values: FormValues; errors?: FieldErrors; lookups: Lookups }) {
  const regione = value(props.values, "CodiceRegione");
  return (
    <div id="blocco-comune">
      <Select
        name="CodiceComune"
        values={props.values}
        errors={props.errors}
        hint={regione ? undefined : "Scegliere prima la regione."}
        options={regione
          ? props.lookups.comuni(regione).map((c) => [c.istat ?? "", c.denominazione] as const)
          : []}
      />
    </div>
  );
}

/** The grouped options of the code picker, optionally filtered by a search. */
export function CodeOptions(props: { lookups: Lookups; selected: string; q?: string }) {
  const q = (props.q ?? "").trim().toLowerCase();
  const codes = props.lookups.codici.filter((c) =>
    !q || c.codice.toLowerCase().includes(q) || c.denominazione.toLowerCase().includes(q)
  );
  return (
    <>
      <option value="">{codes.length ? "Scegliere…" : "Nessun codice trovato"}</option>
      {Object.entries(MACRO_AREE).map(([area, label]) => {
        const group = codes.filter((c) => c.macroArea === area);
        return group.length > 0 && (
          <optgroup label={label}>
            {group.map((c) => (
              <option value={c.codice} selected={c.codice === props.selected}>
                {c.codice} – {c.denominazione}
              </option>
            ))}
          </optgroup>
        );
      })}
    </>
  );
}

/** The denomination, prefilled from the table and editable. */
export function DenominazioneBlock(props: { values: FormValues; errors?: FieldErrors }) {
  return (
    <div id="blocco-denominazione">
      <input
        type="hidden"
        name="_codice_denominazione"
        value={value(props.values, "_codice_denominazione")}
      />
      <Field
        name="DenominazionePrestazione"
        values={props.values}
        errors={props.errors}
        hint="Proposta dalla tabella dei codici; modificabile (da 10 a 200 caratteri)"
      />
    </div>
  );
}

/** The DSU triple, open for means-tested benefits. */
export function DsuBlock(props: { values: FormValues; errors?: FieldErrors }) {
  const { values, errors } = props;
  if (!visibility(values).dsu) return <div id="blocco-dsu"></div>;
  return (
    <fieldset id="blocco-dsu" class="form-section">
      <legend>ISEE e DSU</legend>
      <p class="field__hint">
        Numero, anno e data della Dichiarazione Sostitutiva Unica: tutti o nessuno.
      </p>
      <Field
        name="NumeroProtocolloDSU"
        values={values}
        errors={errors}
        hint="Es. INPS-ISEE-2024-00597381W-00"
      />
      <Field name="AnnoProtocolloDSU" values={values} errors={errors} width="short" hint="AAAA" />
      <Field name="DataDSU" values={values} errors={errors} type="date" width="medium" />
    </fieldset>
  );
}

/** Dates and amounts of a periodic or of a one-off benefit. */
export function PeriodoBlock(props: { values: FormValues; errors?: FieldErrors }) {
  const { values, errors } = props;
  const v = visibility(values);
  return (
    <div id="blocco-periodo">
      {!v.periodica && !v.unaTantum && (
        <p class="field__hint">
          Scegliere il carattere della prestazione per indicare date e importi.
        </p>
      )}
      {v.periodica && (
        <>
          <Field
            name="DataInizioPrestazione"
            values={values}
            errors={errors}
            type="date"
            width="medium"
          />
          <Field
            name="DataFinePrestazione"
            values={values}
            errors={errors}
            type="date"
            width="medium"
            hint="Facoltativa; nello stesso anno dell'inizio"
          />
          <Field
            name="PeriodoErogazione"
            values={values}
            errors={errors}
            width="short"
            hint="Facoltativo; da 1 a 12"
          />
          <Field
            name="ImportoMensile"
            values={values}
            errors={errors}
            width="medium"
            hint={AMOUNT_HINT}
          />
        </>
      )}
      {v.unaTantum && (
        <>
          <Field
            name="DataErogazionePrestazione"
            values={values}
            errors={errors}
            type="date"
            width="medium"
          />
          <Field
            name="ImportoPrestazione"
            values={values}
            errors={errors}
            width="medium"
            hint={AMOUNT_HINT}
          />
        </>
      )}
    </div>
  );
}

/** Area of users and, for disability, the SINA assessment. */
export function PresaCaricoBlock(
  props: { values: FormValues; errors?: FieldErrors; lookups: Lookups },
) {
  const { values, errors } = props;
  const v = visibility(values);
  return (
    <div id="blocco-presa-carico">
      {v.areaUtenza && (
        <DrivingSelect
          name="AreaUtenza"
          blocco="presa-carico"
          values={values}
          errors={errors}
          options={enumOptions("AreaUtenza", PrestazioneAttrs.shape.AreaUtenza)}
        />
      )}
      {v.sina && <SinaBlock values={values} errors={errors} lookups={props.lookups} />}
      <UpdateButton />
    </div>
  );
}

// The SINA attributes, each a coded choice, as the schema lists them.
const SINA_SELECTS = Object.keys(SinaAttrs.shape) as (keyof typeof SinaAttrs.shape)[];

function SinaBlock(props: { values: FormValues; errors?: FieldErrors; lookups: Lookups }) {
  const { values, errors } = props;
  const list = (name: string) => {
    const v = values[name];
    return Array.isArray(v) ? v : v ? [v] : [];
  };
  const shape = SinaAttrs.shape;
  return (
    <fieldset class="form-section">
      <legend>Valutazione SINA</legend>
      <p class="field__hint">
        Valutazione multidimensionale della persona con disabilità o non autosufficiente; valori
        secondo la codifica dello schema ufficiale.
      </p>
      {SINA_SELECTS.map((name) => (
        <Select
          name={name}
          values={values}
          errors={errors}
          options={enumOptions(name, shape[name])}
          hint={shape[name].safeParse(undefined).success ? "Facoltativo" : undefined}
        />
      ))}
      <fieldset
        class="checkboxes"
        aria-describedby={errors?.InvCiv ? `${fieldId("InvCiv")}-error` : undefined}
      >
        <legend>{LABELS.InvCiv} (facoltativa, uno o più valori)</legend>
        {errors?.InvCiv && (
          <p class="field__error" id={`${fieldId("InvCiv")}-error`}>
            <span class="visually-hidden">Errore:</span> {errors.InvCiv}
          </p>
        )}
        {["1", "2", "3", "4", "5", "6", "7", "8"].map((v) => (
          <span class="radio">
            <input
              type="checkbox"
              // The first box carries the field's id: the error summary links to it.
              id={v === "1" ? fieldId("InvCiv") : `InvCiv-${v}`}
              name="InvCiv"
              value={v}
              checked={list("InvCiv").includes(v)}
            />
            <label for={v === "1" ? fieldId("InvCiv") : `InvCiv-${v}`}>Valore {v}</label>
          </span>
        ))}
      </fieldset>
      <div class={errors?.NecessitaInterventiSociali ? "field field--error" : "field"}>
        <label for={fieldId("NecessitaInterventiSociali")}>
          {LABELS.NecessitaInterventiSociali}
        </label>
        <p class="field__hint" id={`${fieldId("NecessitaInterventiSociali")}-hint`}>
          Facoltativo; uno o più codici (Ctrl o ⌘ per sceglierne più d'uno)
        </p>
        {errors?.NecessitaInterventiSociali && (
          <p class="field__error" id={`${fieldId("NecessitaInterventiSociali")}-error`}>
            <span class="visually-hidden">Errore:</span> {errors.NecessitaInterventiSociali}
          </p>
        )}
        <select
          id={fieldId("NecessitaInterventiSociali")}
          name="NecessitaInterventiSociali"
          multiple
          size={6}
          class="input"
          aria-describedby={`${fieldId("NecessitaInterventiSociali")}-hint${
            errors?.NecessitaInterventiSociali
              ? ` ${fieldId("NecessitaInterventiSociali")}-error`
              : ""
          }`}
        >
          {props.lookups.codici.map((c) => (
            <option
              value={c.codice}
              selected={list("NecessitaInterventiSociali").includes(c.codice)}
            >
              {c.codice} – {c.denominazione}
            </option>
          ))}
        </select>
      </div>
    </fieldset>
  );
}

/** The warnings waiting for confirmation. */
function WarningsPanel(props: { warnings: Violation[] }) {
  return (
    <div class="warning-panel" role="alert" tabindex={-1}>
      <h2>Avvisi da confermare</h2>
      <p>La prestazione è valida, ma presenta questi avvisi. Verificare i dati prima di inviare.</p>
      <ul>
        {props.warnings.map((w) => (
          <li>
            <strong>{w.rule}</strong> – {w.message}
          </li>
        ))}
      </ul>
      {props.warnings.map((w) => <input type="hidden" name="_avvisi" value={w.rule} />)}
      <button type="submit" name="azione" value="conferma" class="button">
        Invia confermando gli avvisi
      </button>
    </div>
  );
}

/** The record form: a new record, or the rettifica of one. */
export function RecordForm(props: FormProps) {
  const { values, errors, lookups } = props;
  const title = props.mode === "nuova" ? "Nuova prestazione" : "Rettifica della prestazione";
  return (
    <>
      <p>
        <a href="/acquisizione">‹ Acquisizione</a>
      </p>
      <h1>{title}</h1>
      {props.replaces && (
        <p class="lead">
          Si rettifica la prestazione n. {props.replaces.id}{" "}
          ({props.replaces.label}): all'invio la versione attuale viene annullata e sostituita da
          questa, in un'unica operazione.
        </p>
      )}
      <ErrorSummary errors={errors ?? {}} />
      {props.existing !== undefined && (
        <p class="notice">
          La prestazione già presente è la{" "}
          <a href={`/acquisizione/prestazioni/${props.existing}`}>n. {props.existing}</a>: per
          modificarla usare la rettifica.
        </p>
      )}
      <form method="post" action={props.action} novalidate class="record-form">
        {/* The first submit button is the one Enter presses: sending, never confirming warnings. */}
        <button type="submit" name="azione" value="invia" class="visually-hidden" tabindex={-1}>
          Invia
        </button>
        <CsrfField token={props.csrf} />
        <input type="hidden" name="_token" value={props.token} />
        <input type="hidden" name="_ente" value={props.ente} />
        {props.warnings?.length ? <WarningsPanel warnings={props.warnings} /> : null}

        <fieldset class="form-section">
          <legend>Beneficiario</legend>
          <div class={errors?.CodiceFiscale ? "field field--error" : "field"}>
            <label for={fieldId("CodiceFiscale")}>{LABELS.CodiceFiscale}</label>
            <p class="field__hint" id={`${fieldId("CodiceFiscale")}-hint`}>
              16 caratteri (o 11 cifre per i codici numerici)
            </p>
            {errors?.CodiceFiscale && (
              <p class="field__error" id={`${fieldId("CodiceFiscale")}-error`}>
                <span class="visually-hidden">Errore:</span> {errors.CodiceFiscale}
              </p>
            )}
            <input
              id={fieldId("CodiceFiscale")}
              name="CodiceFiscale"
              class="input input--medium uppercase"
              value={value(values, "CodiceFiscale")}
              autocomplete="off"
              spellcheck={false}
              maxlength={16}
              aria-describedby={`${fieldId("CodiceFiscale")}-hint${
                errors?.CodiceFiscale ? ` ${fieldId("CodiceFiscale")}-error` : ""
              }`}
              aria-invalid={errors?.CodiceFiscale ? "true" : undefined}
              hx-post="/acquisizione/modulo/cf"
              hx-trigger="input changed delay:300ms, change"
              hx-target="#esito-cf"
              hx-swap="innerHTML"
              hx-include="this"
            />
            <button type="submit" name="azione" value="verifica_cf" class="button--link no-js">
              Verifica codice fiscale
            </button>
          </div>
          <CfStatus message={props.cfMessage} person={props.person} />
          <AnagraficaBlock values={values} errors={errors} lookups={lookups} />
        </fieldset>

        <fieldset class="form-section">
          <legend>Residenza</legend>
          <ResidenzaBlock values={values} errors={errors} lookups={lookups} />
          {props.replaces?.altriIndirizzi
            ? (
              <p class="field__hint">
                La prestazione ha altri {props.replaces.altriIndirizzi}{" "}
                indirizzi, trasmessi con un flusso: restano invariati.
              </p>
            )
            : null}
        </fieldset>

        <fieldset class="form-section">
          <legend>Prestazione</legend>
          <div class="field js-only">
            <label for="cerca-codice">Cerca un codice</label>
            <p class="field__hint" id="cerca-codice-hint">Codice o parole della denominazione</p>
            <input
              id="cerca-codice"
              type="search"
              name="q"
              class="input input--medium"
              aria-describedby="cerca-codice-hint"
              aria-controls={fieldId("CodicePrestazione")}
              autocomplete="off"
              hx-get="/acquisizione/modulo/codici"
              hx-trigger="input changed delay:200ms, search"
              hx-target={`#${fieldId("CodicePrestazione")}`}
              hx-swap="innerHTML"
              hx-include={`#${fieldId("CodicePrestazione")}`}
            />
          </div>
          <div class={errors?.CodicePrestazione ? "field field--error" : "field"}>
            <label for={fieldId("CodicePrestazione")}>{LABELS.CodicePrestazione}</label>
            {errors?.CodicePrestazione && (
              <p class="field__error" id={`${fieldId("CodicePrestazione")}-error`}>
                <span class="visually-hidden">Errore:</span> {errors.CodicePrestazione}
              </p>
            )}
            <select
              id={fieldId("CodicePrestazione")}
              name="CodicePrestazione"
              class="input"
              aria-invalid={errors?.CodicePrestazione ? "true" : undefined}
              aria-describedby={errors?.CodicePrestazione
                ? `${fieldId("CodicePrestazione")}-error`
                : undefined}
              {...drives("denominazione")}
            >
              <CodeOptions lookups={lookups} selected={value(values, "CodicePrestazione")} />
            </select>
          </div>
          <DenominazioneBlock values={values} errors={errors} />
          <Field
            name="ProtocolloDomanda"
            values={values}
            errors={errors}
            width="medium"
            hint="Il protocollo della domanda presso l'ente"
          />
          <Field
            name="DataEvento"
            values={values}
            errors={errors}
            type="date"
            width="medium"
            hint="Per i codici che la richiedono (es. A1.05.01)"
          />
          <DrivingSelect
            name="PresenzaProvaMezzi"
            blocco="dsu"
            values={values}
            errors={errors}
            options={enumOptions("PresenzaProvaMezzi", PrestazioneAttrs.shape.PresenzaProvaMezzi)}
          />
          <DrivingSelect
            name="CaratterePrestazione"
            blocco="periodo"
            values={values}
            errors={errors}
            options={enumOptions(
              "CaratterePrestazione",
              PrestazioneAttrs.shape.CaratterePrestazione,
            )}
          />
          <UpdateButton />
        </fieldset>

        <DsuBlock values={values} errors={errors} />

        <fieldset class="form-section">
          <legend>Periodo e importi</legend>
          <PeriodoBlock values={values} errors={errors} />
          <details class="quotas" open={QUOTAS.some((q) => value(values, q) !== "")}>
            <summary>Quote, soglia ISEE e ore di servizio (facoltative)</summary>
            {QUOTAS.map((name) => (
              <Field
                name={name}
                values={values}
                errors={errors}
                width="medium"
                hint={name === "OreServizioMensile" ? undefined : AMOUNT_HINT}
              />
            ))}
          </details>
        </fieldset>

        <fieldset class="form-section">
          <legend>Presa in carico</legend>
          <DrivingSelect
            name="PresaCarico"
            blocco="presa-carico"
            values={values}
            errors={errors}
            options={enumOptions("PresaCarico", PrestazioneAttrs.shape.PresaCarico)}
          />
          <PresaCaricoBlock values={values} errors={errors} lookups={lookups} />
        </fieldset>

        {props.mode === "rettifica" && (
          <div class="field">
            <label for="campo-motivo">Motivo della rettifica (facoltativo)</label>
            <textarea id="campo-motivo" name="_motivo" class="input" rows={2} maxlength={500}>
              {value(values, "_motivo")}
            </textarea>
          </div>
        )}
        <div class="actions">
          <button type="submit" name="azione" value="invia" class="button">
            {props.mode === "nuova" ? "Invia la prestazione" : "Invia la rettifica"}
          </button>
          <a href="/acquisizione">Annulla e torna indietro</a>
        </div>
      </form>
    </>
  );
}

const QUOTAS = [
  "ImportoQuotaEnte",
  "ImportoQuotaUtente",
  "ImportoQuotaSSN",
  "ImportoQuotaRichiesta",
  "ImportoSogliaISEE",
  "OreServizioMensile",
] as const;

const OPERAZIONI: Record<string, string> = {
  inserimento: "Inserimento",
  annullamento: "Annullamento",
  rettifica: "Rettifica",
};

/** The section's start page. */
export function AcquisizioneHome(
  props: { result: OperationsPage; ente: string; canManageEnte: boolean },
) {
  return (
    <>
      <h1>Acquisizione</h1>
      <p class="lead">
        Inserimento, annullamento e rettifica di una prestazione alla volta, per l'ente attivo.
      </p>
      <div class="actions">
        <a href="/acquisizione/nuova" class="button">Nuova prestazione</a>
        {props.canManageEnte && (
          <a href={`/amministrazione/enti/${props.ente}`} class="button button--secondary">
            Modifica dati ente
          </a>
        )}
      </div>
      <h2>Operazioni recenti</h2>
      {props.result.items.length === 0
        ? <p>Nessuna prestazione acquisita dal modulo web per questo ente.</p>
        : <OperationsTable items={props.result.items} />}
      <Pagination
        page={props.result.page}
        pages={props.result.pages}
        href={(p) => `/acquisizione?pagina=${p}`}
      />
    </>
  );
}

function OperationsTable(props: { items: Operation[] }) {
  return (
    <table class="table">
      <caption class="visually-hidden">Operazioni recenti dell'ente</caption>
      <thead>
        <tr>
          <th scope="col">Quando</th>
          <th scope="col">Operazione</th>
          <th scope="col">Beneficiario</th>
          <th scope="col">Codice</th>
          <th scope="col">Protocollo</th>
          <th scope="col">Operatore</th>
          <th scope="col">Ricevuta</th>
        </tr>
      </thead>
      <tbody>
        {props.items.map((o) => (
          <tr>
            <td>{dateTime(o.createdAt)}</td>
            <td>{OPERAZIONI[o.operazione ?? ""] ?? "—"}</td>
            <td>
              {o.prestazioneId
                ? (
                  <a href={`/acquisizione/prestazioni/${o.prestazioneId}`}>
                    {o.cognome} {o.nome} ({o.codiceFiscale})
                  </a>
                )
                : "—"}
            </td>
            <td>{o.codicePrestazione}</td>
            <td>{o.protocolloDomanda}</td>
            <td>{o.operatore}</td>
            <td>
              <a href={`/acquisizione/ricevute/${o.id}`}>Ricevuta</a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const SECTIONS: [string, readonly string[]][] = [
  ["Beneficiario", BENEFICIARY_FIELDS],
  ["Prestazione", [
    "CodicePrestazione",
    "DenominazionePrestazione",
    "ProtocolloDomanda",
    "PresenzaProvaMezzi",
    "CaratterePrestazione",
    "DataEvento",
  ]],
  ["ISEE e DSU", ["NumeroProtocolloDSU", "AnnoProtocolloDSU", "DataDSU"]],
  ["Periodo e importi", [
    "DataInizioPrestazione",
    "DataFinePrestazione",
    "PeriodoErogazione",
    "DataErogazionePrestazione",
    "ImportoMensile",
    "ImportoPrestazione",
    ...QUOTAS,
  ]],
  ["Presa in carico", ["PresaCarico", "AreaUtenza"]],
];

/** The name of a coded value (comune, region, nation), when the reference data know it. */
export type NameOf = (field: string, code: string) => string | undefined;

const ITALIAN_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const euro = new Intl.NumberFormat("it-IT", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** A stored value as an operator reads it: dates and amounts in Italian, codes with their names. */
function display(field: string, v: unknown, nameOf?: NameOf): string {
  const s = Array.isArray(v) ? v.join(", ") : String(v);
  const meaning = MEANINGS[field]?.[s];
  if (meaning) return meaning;
  const date = ITALIAN_DATE.exec(s);
  if (date) return `${date[3]}/${date[2]}/${date[1]}`;
  if (field.startsWith("Importo")) return `${euro.format(Number(s))} €`;
  const name = nameOf?.(field, s);
  return name ? `${s} – ${name}` : s;
}

/** A record as transmitted: every field given, by section, with its official name. */
export function RecordView(props: { record: PsRecord; nameOf?: NameOf }) {
  const r = props.record as unknown as Record<string, unknown>;
  const rows = (fields: readonly string[], source: Record<string, unknown>) =>
    fields.filter((f) => source[f] !== undefined && source[f] !== null).map((f) => (
      <>
        <dt>
          {LABELS[f]} <span class="official-name">{f}</span>
        </dt>
        <dd>{display(f, source[f], props.nameOf)}</dd>
      </>
    ));
  return (
    <div class="record-view">
      {SECTIONS.map(([title, fields]) => {
        const items = rows(fields, r);
        return items.length > 0 && (
          <section>
            <h3>{title}</h3>
            <dl class="summary">{items}</dl>
          </section>
        );
      })}
      <section>
        <h3>Residenza</h3>
        <dl class="summary">
          {props.record.Indirizzi.map((a) =>
            rows(["CodiceNazione", "CodiceRegione", "CodiceComune"], a)
          )}
        </dl>
      </section>
      {props.record.SINA && (
        <section>
          <h3>Valutazione SINA</h3>
          <dl class="summary">
            {rows(
              [...SINA_SELECTS, "NecessitaInterventiSociali", "InvCiv"],
              props.record.SINA as unknown as Record<string, unknown>,
            )}
          </dl>
        </section>
      )}
    </div>
  );
}

/** The receipt of an acquisition. */
export function ReceiptPage(
  props: {
    acquisizione: Acquisizione;
    ente: { codice: string; denominazione: string };
    inserite: { id: number; record: PsRecord; avvisi: Violation[] }[];
    annullate: { id: number; record: PsRecord }[];
    xml: boolean;
    nameOf?: NameOf;
    notice?: string;
  },
) {
  const a = props.acquisizione;
  return (
    <>
      <p class="no-print">
        <a href="/acquisizione">‹ Acquisizione</a>
      </p>
      <h1>Ricevuta di acquisizione</h1>
      <Notice message={props.notice} />
      <dl class="summary receipt">
        <dt>Identificativo di acquisizione</dt>
        <dd>
          <code>{a.id}</code>
        </dd>
        <dt>Operazione</dt>
        <dd>{OPERAZIONI[a.operazione ?? ""] ?? a.canale}</dd>
        <dt>Data e ora</dt>
        <dd>{dateTime(a.createdAt)}</dd>
        <dt>Ente</dt>
        <dd>
          {props.ente.denominazione} ({props.ente.codice})
        </dd>
        <dt>Operatore</dt>
        <dd>{a.operatore}{a.cfOperatore ? ` (${a.cfOperatore})` : ""}</dd>
        <dt>Canale</dt>
        <dd>{a.canale === "web" ? "Modulo web (Acquisizione)" : a.canale}</dd>
        {a.motivo && (
          <>
            <dt>Motivo</dt>
            <dd>{a.motivo}</dd>
          </>
        )}
        <dt>Esito</dt>
        <dd>OK</dd>
      </dl>
      <div class="actions no-print">
        <button type="button" class="button button--secondary js-only" data-print>
          Stampa la ricevuta
        </button>
        {props.xml && (
          <a href={`/acquisizione/ricevute/${a.id}/flusso.xml`} class="button button--secondary">
            Scarica l'XML ufficiale
          </a>
        )}
      </div>
      {props.annullate.map((x) => (
        <section>
          <h2>
            Prestazione annullata <a href={`/acquisizione/prestazioni/${x.id}`}>n. {x.id}</a>
          </h2>
          <RecordView record={x.record} nameOf={props.nameOf} />
        </section>
      ))}
      {props.inserite.map((x) => (
        <section>
          <h2>
            Prestazione trasmessa <a href={`/acquisizione/prestazioni/${x.id}`}>n. {x.id}</a>
          </h2>
          {x.avvisi.length > 0 && (
            <div class="warning-panel">
              <h3>Avvisi</h3>
              <ul>
                {x.avvisi.map((w) => (
                  <li>
                    <strong>{w.rule}</strong> – {w.message}
                  </li>
                ))}
              </ul>
            </div>
          )}
          <RecordView record={x.record} nameOf={props.nameOf} />
        </section>
      ))}
    </>
  );
}

const CANALI: Record<string, string> = {
  web: "Modulo web",
  flusso: "Flusso",
  api: "Cooperazione applicativa",
  waas: "WaaS",
};

/** A record with its history and actions. */
export function DetailPage(
  props: {
    stored: StoredRecord;
    record: PsRecord;
    history: StoredRecord[];
    canWrite: boolean;
    nameOf?: NameOf;
  },
) {
  const s = props.stored;
  const active = s.stato === "attiva";
  return (
    <>
      <p>
        <a href="/acquisizione">‹ Acquisizione</a>
      </p>
      <h1>
        Prestazione n. {s.id}{" "}
        <span class={active ? "tag" : "tag tag--warn"}>{active ? "attiva" : "annullata"}</span>
      </h1>
      <p class="lead">
        {props.record.Cognome} {props.record.Nome} – {props.record.CodicePrestazione}, protocollo
        {" "}
        {props.record.ProtocolloDomanda}; banca dati {s.banca}, versione {s.versione}.
      </p>
      {props.canWrite && active && (
        <div class="actions">
          <a href={`/acquisizione/prestazioni/${s.id}/rettifica`} class="button">Rettifica</a>
          <a href={`/acquisizione/prestazioni/${s.id}/annulla`} class="button button--secondary">
            Annulla
          </a>
        </div>
      )}
      <RecordView record={props.record} nameOf={props.nameOf} />
      <h2>Storia</h2>
      <table class="table">
        <caption class="visually-hidden">Versioni della prestazione</caption>
        <thead>
          <tr>
            <th scope="col">Versione</th>
            <th scope="col">Prestazione</th>
            <th scope="col">Stato</th>
            <th scope="col">Acquisita il</th>
            <th scope="col">Da</th>
            <th scope="col">Canale</th>
            <th scope="col">Acquisizione</th>
            <th scope="col">Annullata il</th>
          </tr>
        </thead>
        <tbody>
          {props.history.map((h) => (
            <tr aria-current={h.id === s.id ? "true" : undefined}>
              <td>{h.versione}</td>
              <td>
                {h.id === s.id
                  ? `n. ${h.id}`
                  : <a href={`/acquisizione/prestazioni/${h.id}`}>n. {h.id}</a>}
              </td>
              <td>{h.stato}</td>
              <td>{dateTime(h.acquisita_at)}</td>
              <td>{h.operatore}</td>
              <td>{CANALI[h.canale] ?? h.canale}</td>
              <td>
                {h.canale === "web"
                  ? <a href={`/acquisizione/ricevute/${h.acquisizione_id}`}>Ricevuta</a>
                  : <code>{h.acquisizione_id}</code>}
              </td>
              <td>
                {h.annullata_at instanceof Date ? dateTime(h.annullata_at) : "—"}
                {typeof h.annullata_da === "string" && (
                  <>
                    {" "}
                    (<a href={`/acquisizione/ricevute/${h.annullata_da}`}>ricevuta</a>)
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** The confirmation of a cancellation, with its reason. */
export function CancelPage(
  props: {
    id: number;
    record: PsRecord;
    token: string;
    ente: string;
    csrf?: string;
    motivo?: string;
    errors?: FieldErrors;
  },
) {
  return (
    <>
      <p>
        <a href={`/acquisizione/prestazioni/${props.id}`}>‹ Prestazione n. {props.id}</a>
      </p>
      <h1>Annullare la prestazione n. {props.id}?</h1>
      <ErrorSummary errors={props.errors ?? {}} />
      <p class="lead">
        {props.record.Cognome} {props.record.Nome} ({props.record.CodiceFiscale}) –{" "}
        {props.record.CodicePrestazione} {props.record.DenominazionePrestazione}, protocollo{" "}
        {props.record.ProtocolloDomanda}.
      </p>
      <p>
        La prestazione resta nella storia come annullata; per sostituirla con dati corretti usare
        invece la rettifica.
      </p>
      <form method="post" action={`/acquisizione/prestazioni/${props.id}/annulla`}>
        <CsrfField token={props.csrf} />
        <input type="hidden" name="_token" value={props.token} />
        <input type="hidden" name="_ente" value={props.ente} />
        <div class={props.errors?.motivo ? "field field--error" : "field"}>
          <label for={fieldId("motivo")}>Motivo dell'annullamento</label>
          {props.errors?.motivo && (
            <p class="field__error" id={`${fieldId("motivo")}-error`}>
              <span class="visually-hidden">Errore:</span> {props.errors.motivo}
            </p>
          )}
          <textarea
            id={fieldId("motivo")}
            name="motivo"
            class="input"
            rows={3}
            maxlength={500}
            aria-invalid={props.errors?.motivo ? "true" : undefined}
          >
            {props.motivo ?? ""}
          </textarea>
        </div>
        <div class="actions">
          <button type="submit" class="button">Conferma l'annullamento</button>
          <a href={`/acquisizione/prestazioni/${props.id}`}>Non annullare</a>
        </div>
      </form>
    </>
  );
}

/** The page shown when a record changed after its form was opened. */
export function SupersededPage(props: { id: number; what: string }): Child {
  return (
    <>
      <h1>La prestazione è cambiata</h1>
      <p>
        La prestazione n. {props.id}{" "}
        è stata annullata o rettificata dopo l'apertura di questo modulo: {props.what}{" "}
        non è stata eseguita, per non sovrascrivere l'altra operazione.
      </p>
      <p>
        <a href={`/acquisizione/prestazioni/${props.id}`}>
          Aprire la prestazione e la sua storia
        </a>{" "}
        per vedere la versione attuale.
      </p>
    </>
  );
}
