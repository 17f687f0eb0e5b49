/**
 * Pages of the Informazioni section.
 * @module
 */
import { raw } from "hono/html";
import type { CodeRow, TableDiff, TableVersion } from "../prestazioni/code_table.ts";
import type { LayoutColumn } from "../prestazioni/layout.ts";
import type { RuleInfo } from "../prestazioni/rules.ts";
import {
  CsrfField,
  ErrorSummary,
  Notice,
  SelectField,
  TextField,
} from "../../views/components.tsx";
import type { RenderedDocument, TocEntry } from "./manual.ts";

const MACRO_AREAS: [string, string][] = [
  ["A1", "A1 – Contributi economici"],
  ["A2", "A2 – Servizi e riduzioni"],
  ["A3", "A3 – Strutture"],
];

const italianDate = (d: string | null) => d ? d.split("-").reverse().join("/") : "—";

/** The section's landing page. */
export function InformazioniHome() {
  const items: [string, string, string][] = [
    [
      "/informazioni/manuale",
      "Manuale utente",
      "Come si usa ogni sezione del servizio, passo per passo.",
    ],
    [
      "/informazioni/tabella-prestazioni",
      "Tabella delle prestazioni",
      "I codici prestazione con validità, macro-area e regole; scaricabile in CSV e JSON.",
    ],
    [
      "/informazioni/specifiche",
      "Specifiche tecniche",
      "Schemi XSD ufficiali, tracciato CSV con modello ed esempio, catalogo delle regole.",
    ],
    ["/informazioni/normativa", "Normativa", "I riferimenti normativi del Casellario e del SIUSS."],
  ];
  return (
    <>
      <h1>Informazioni</h1>
      <ul class="cards">
        {items.map(([href, title, text]) => (
          <li class="card">
            <h2>
              <a href={href}>{title}</a>
            </h2>
            <p>{text}</p>
          </li>
        ))}
      </ul>
    </>
  );
}

/** Groups a table of contents by chapter (level 1), each with its sections. */
function chapters(toc: TocEntry[]): { entry: TocEntry; sections: TocEntry[] }[] {
  const out: { entry: TocEntry; sections: TocEntry[] }[] = [];
  for (const e of toc) {
    if (e.level === 1 || out.length === 0) out.push({ entry: e, sections: [] });
    else out.at(-1)!.sections.push(e);
  }
  return out;
}

/** A Markdown document with its table of contents. */
export function DocumentPage(props: { title: string; doc: RenderedDocument; printable?: boolean }) {
  return (
    <>
      <h1>{props.title}</h1>
      {props.doc.toc.length > 1 && (
        <nav class="toc" aria-labelledby="indice">
          <h2 id="indice">Indice</h2>
          <ol>
            {chapters(props.doc.toc).map(({ entry, sections }) => (
              <li>
                <a href={`#${entry.id}`}>{entry.title}</a>
                {sections.length > 0 && (
                  <ul>
                    {sections.map((s) => (
                      <li>
                        <a href={`#${s.id}`}>{s.title}</a>
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ol>
        </nav>
      )}
      {raw(props.doc.html)}
    </>
  );
}

/** The code table with its filters. */
export function TablePage(
  props: { rows: CodeRow[]; q: string; area: string; data: string; versionId?: number },
) {
  const query = new URLSearchParams({ ...(props.data ? { data: props.data } : {}) }).toString();
  return (
    <>
      <h1>Tabella delle prestazioni</h1>
      <p>
        Codici validi al {italianDate(props.data)}
        {props.versionId && <>{" "}(versione {props.versionId} della tabella)</>}. Scarica:{" "}
        <a href={`/informazioni/tabella-prestazioni.csv?${query}`} download>CSV</a> ·{" "}
        <a href={`/informazioni/tabella-prestazioni.json?${query}`} download>JSON</a>
      </p>
      <form method="get" action="/informazioni/tabella-prestazioni" class="search" role="search">
        <TextField name="q" label="Codice o parole" value={props.q} width="medium" />
        <SelectField
          name="area"
          label="Macro-area"
          value={props.area}
          options={MACRO_AREAS}
          placeholder="Tutte"
        />
        <TextField name="data" label="Valida al" type="date" value={props.data} width="medium" />
        <button type="submit" class="button button--secondary">Filtra</button>
      </form>
      <p role="status">{props.rows.length} codici</p>
      <table class="table">
        <thead>
          <tr>
            <th scope="col">Codice</th>
            <th scope="col">Denominazione</th>
            <th scope="col">Macro-area</th>
            <th scope="col">Valido dal</th>
            <th scope="col">Valido al</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr>
              <td>
                <a href={`/informazioni/tabella-prestazioni/${encodeURIComponent(r.codice)}`}>
                  {r.codice}
                </a>
              </td>
              <td>{r.denominazione}</td>
              <td>{r.macroArea}</td>
              <td>{italianDate(r.validoDal)}</td>
              <td>{italianDate(r.validoAl)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

const yesNo = (v: boolean | null) => v === null ? "non indicato" : v ? "sì" : "no";

/** One code, as each version of the table has it. */
export function CodePage(
  props: { codice: string; versions: { version: TableVersion; row: CodeRow }[] },
) {
  const latest = props.versions[0].row;
  return (
    <>
      <h1>{props.codice}</h1>
      <p class="lead">{latest.denominazione}</p>
      <dl class="summary">
        <dt>Macro-area</dt>
        <dd>{latest.macroArea}</dd>
        <dt>Validità</dt>
        <dd>
          dal {italianDate(latest.validoDal)}{" "}
          {latest.validoAl && <>al {italianDate(latest.validoAl)}</>}
        </dd>
        <dt>Solo con presa in carico</dt>
        <dd>{yesNo(latest.soloPresaInCarico)} (regola R10)</dd>
        <dt>Richiede la data dell'evento</dt>
        <dd>{yesNo(latest.richiedeDataEvento)} (regola R11)</dd>
        <dt>Condizionata all'ISEE</dt>
        <dd>{yesNo(latest.condizionataIsee)}</dd>
        <dt>Fonte</dt>
        <dd>{latest.fonte ?? "—"}</dd>
      </dl>
      <h2>Nelle versioni della tabella</h2>
      <table class="table">
        <thead>
          <tr>
            <th scope="col">Versione</th>
            <th scope="col">Applicata dal</th>
            <th scope="col">Denominazione</th>
            <th scope="col">Validità del codice</th>
          </tr>
        </thead>
        <tbody>
          {props.versions.map(({ version, row }) => (
            <tr>
              <td>{version.id}</td>
              <td>{italianDate(version.validaDal)}</td>
              <td>{row.denominazione}</td>
              <td>
                {italianDate(row.validoDal)} – {italianDate(row.validoAl)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <a href="/informazioni/tabella-prestazioni">Torna alla tabella</a>
      </p>
    </>
  );
}

/** The technical specifications. */
export function SpecsPage(
  props: {
    layout: readonly LayoutColumn[];
    sinba: { name: string; required: string; format: string }[];
    rules: readonly RuleInfo[];
  },
) {
  const levels = { flusso: "flusso rifiutato", scarto: "record scartato", avviso: "avviso" };
  return (
    <>
      <h1>Specifiche tecniche</h1>
      <nav class="toc" aria-label="In questa pagina">
        <ol>
          <li>
            <a href="#schemi">Schemi XSD ufficiali</a>
          </li>
          <li>
            <a href="#csv">Tracciato CSV</a>
          </li>
          <li>
            <a href="#csv-sinba">Tracciato CSV (SINBA)</a>
          </li>
          <li>
            <a href="#regole">Catalogo delle regole</a>
          </li>
          <li>
            <a href="#api">Cooperazione applicativa</a>
          </li>
        </ol>
      </nav>
      <h2 id="schemi">Schemi XSD ufficiali</h2>
      <p>
        Schemi pubblicati dall'INPS (namespace{" "}
        <code>http://inps.it/Casellario</code>, licenza MIT), copiati senza modifiche. Un flusso XML
        è accettato solo se valido rispetto allo schema del suo tipo (regola R01).
      </p>
      <ul>
        <li>
          <a href="/informazioni/specifiche/PS_PSA_SINA201812.xsd" download>
            PS_PSA_SINA201812.xsd
          </a>{" "}
          – prestazioni sociali (PS, PSA) con l'eventuale valutazione SINA
        </li>
        <li>
          <a href="/informazioni/specifiche/SINBA.xsd" download>SINBA.xsd</a>{" "}
          – minori e famiglie in carico
        </li>
        <li>
          <a href="/informazioni/specifiche/LICENSE-MIT" download>Licenza degli schemi</a>
        </li>
      </ul>
      <p>
        Codici dei comuni (catastali e ISTAT, anche cessati) e degli stati esteri: dati ISTAT,
        Ministero dell'Interno (ANPR) e Agenzia delle Entrate, con licenze Creative Commons BY;
        codici di cittadinanza ISO 3166-1 numerici (380 Italia; 990 non disponibile).
      </p>
      <h2 id="csv">Tracciato CSV (PS, PSA, SINA)</h2>
      <p>
        File di testo UTF-8 (anche con BOM), separatore{" "}
        <code>;</code>, una riga di intestazione con i nomi dei campi, una riga per prestazione (i
        dati del beneficiario si ripetono). Date <code>AAAA-MM-GG</code> o{" "}
        <code>GG/MM/AAAA</code>; importi con <code>,</code> o <code>.</code>{" "}
        decimale; più valori in un campo separati da{" "}
        <code>|</code>. I dati dell'ente e dell'operatore si prendono dall'utente che trasmette.
      </p>
      <p>
        <a class="button button--secondary" href="/informazioni/specifiche/modello-ps.csv" download>
          Scarica il modello
        </a>{" "}
        <a class="button button--secondary" href="/informazioni/specifiche/esempio-ps.csv" download>
          Scarica l'esempio
        </a>
      </p>
      <p>
        L'esempio contiene tre prestazioni: un contributo periodico condizionato all'ISEE con i dati
        della DSU, un buono spesa una tantum, un contributo con presa in carico per disabilità e
        valutazione SINA.
      </p>
      <LayoutTable columns={props.layout} />
      <h2 id="csv-sinba">Tracciato CSV (SINBA)</h2>
      <p>
        Stesse convenzioni, una riga per minore in carico. Il minore è identificato solo dallo
        pseudonimo{" "}
        <code>IDBeneficiario</code>: nessun nome né codice fiscale. L'esempio riproduce il flusso
        dimostrativo pubblicato dall'INPS.
      </p>
      <p>
        <a
          class="button button--secondary"
          href="/informazioni/specifiche/modello-sinba.csv"
          download
        >
          Scarica il modello SINBA
        </a>{" "}
        <a
          class="button button--secondary"
          href="/informazioni/specifiche/esempio-sinba.csv"
          download
        >
          Scarica l'esempio SINBA
        </a>
      </p>
      <LayoutTable columns={props.sinba} />
      <h2 id="regole">Catalogo delle regole</h2>
      <table class="table">
        <thead>
          <tr>
            <th scope="col">Codice</th>
            <th scope="col">Regola</th>
            <th scope="col">Effetto</th>
          </tr>
        </thead>
        <tbody>
          {props.rules.map((r) => (
            <tr>
              <td>{r.code}</td>
              <td>{r.description}</td>
              <td>{levels[r.level]}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2 id="api">Cooperazione applicativa</h2>
      <p>
        Le stesse regole si applicano ai messaggi inviati dai sistemi degli enti, con un solo
        beneficiario e una sola prestazione per messaggio (R14). La documentazione dell'API è nella
        sezione{" "}
        <a href="/cooperazione">Cooperazione applicativa</a>; la specifica OpenAPI del modello
        Welfare as a Service pubblicata dall'INPS è{" "}
        <a href="/informazioni/specifiche/api-comuni.yaml" download>api-comuni.yaml</a>.
      </p>
    </>
  );
}

function LayoutTable(
  props: { columns: readonly { name: string; required: string; format: string }[] },
) {
  return (
    <table class="table">
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Campo</th>
          <th scope="col">Obbligatorio</th>
          <th scope="col">Formato</th>
        </tr>
      </thead>
      <tbody>
        {props.columns.map((c, i) => (
          <tr>
            <td>{i + 1}</td>
            <td>
              <code>{c.name}</code>
            </td>
            <td>{c.required}</td>
            <td>{c.format}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The administrator's page of the table versions. */
export function VersionsPage(
  props: { versions: TableVersion[]; csrf: string; errors?: string[]; notice?: string },
) {
  const stati = { bozza: "Bozza", attiva: "Attiva", archiviata: "Archiviata" };
  return (
    <>
      <h1>Versioni della tabella delle prestazioni</h1>
      <Notice message={props.notice} />
      {props.errors && (
        <ErrorSummary
          errors={Object.fromEntries(props.errors.slice(0, 50).map((e, i) => [`file-${i}`, e]))}
        />
      )}
      <h2>Carica una nuova versione</h2>
      <form
        method="post"
        action="/amministrazione/tabella-prestazioni"
        enctype="multipart/form-data"
      >
        <CsrfField token={props.csrf} />
        <div class={props.errors ? "field field--error" : "field"}>
          <label for="campo-file">File CSV della tabella</label>
          <p class="field__hint">
            Stesso tracciato del file scaricabile: separatore{" "}
            <code>;</code>, colonne codice, denominazione, macro_area, valido_dal, valido_al,
            solo_presa_in_carico, richiede_data_evento, fonte (e facoltativa condizionata_isee).
          </p>
          <input id="campo-file" name="file" type="file" accept=".csv,text/csv" class="input" />
        </div>
        <button type="submit" class="button">Carica e confronta</button>
      </form>
      <h2>Versioni</h2>
      <table class="table">
        <thead>
          <tr>
            <th scope="col">Versione</th>
            <th scope="col">Stato</th>
            <th scope="col">Applicata dal</th>
            <th scope="col">File</th>
            <th scope="col">Caricata da</th>
          </tr>
        </thead>
        <tbody>
          {props.versions.map((v) => (
            <tr>
              <td>
                <a href={`/amministrazione/tabella-prestazioni/${v.id}`}>{v.id}</a>
              </td>
              <td>{stati[v.stato]}</td>
              <td>{italianDate(v.validaDal)}</td>
              <td>{v.fonte}</td>
              <td>{v.caricataDa}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** A version, compared with the table in force, with the actions on a draft. */
export function VersionPage(
  props: { version: TableVersion; diff: TableDiff; csrf: string; today: string; error?: string },
) {
  const v = props.version;
  const d = props.diff;
  return (
    <>
      <h1>Versione {v.id} della tabella</h1>
      <p>
        File {v.fonte}, caricato da {v.caricataDa}. Stato: {v.stato}
        {v.validaDal && <>, applicata alle prestazioni dal {italianDate(v.validaDal)}</>}.
      </p>
      <h2>Differenze rispetto alla tabella in vigore</h2>
      <p>
        {d.added.length} codici aggiunti, {d.changed.length} modificati, {d.retired.length}{" "}
        ritirati.
      </p>
      {d.added.length > 0 && (
        <>
          <h3>Aggiunti</h3>
          <ul>{d.added.map((r) => <li>{r.codice} – {r.denominazione}</li>)}</ul>
        </>
      )}
      {d.changed.length > 0 && (
        <>
          <h3>Modificati</h3>
          <ul>{d.changed.map((c) => <li>{c.after.codice}: {c.fields.join(", ")}</li>)}</ul>
        </>
      )}
      {d.retired.length > 0 && (
        <>
          <h3>Ritirati</h3>
          <ul>{d.retired.map((r) => <li>{r.codice} – {r.denominazione}</li>)}</ul>
        </>
      )}
      {v.stato === "bozza" && (
        <>
          <h2>Attivazione</h2>
          <ErrorSummary errors={props.error ? { valida_dal: props.error } : {}} />
          <form method="post" action={`/amministrazione/tabella-prestazioni/${v.id}/attiva`}>
            <CsrfField token={props.csrf} />
            <TextField
              name="valida_dal"
              label="Applicare alle prestazioni con data dal"
              type="date"
              value={props.today}
              errors={props.error ? { valida_dal: props.error } : undefined}
              width="medium"
            />
            <div class="actions">
              <button type="submit" class="button">Attiva la versione</button>
            </div>
          </form>
          <form method="post" action={`/amministrazione/tabella-prestazioni/${v.id}/scarta`}>
            <CsrfField token={props.csrf} />
            <button type="submit" class="button button--secondary">Scarta la bozza</button>
          </form>
        </>
      )}
      <p>
        <a href="/amministrazione/tabella-prestazioni">Tutte le versioni</a>
      </p>
    </>
  );
}
