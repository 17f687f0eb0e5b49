/**
 * Pages of the Trasmissione flussi section: the upload form with the list of
 * the ente's flows, a flow's page (receipt, progress, rejected records).
 * @module
 */
import { CsrfField, dateTime, ErrorSummary, Notice, Pagination } from "../../views/components.tsx";
import type { FlowFilters, Flusso, Scarto } from "./repo.ts";

const STATI: Record<string, string> = {
  RICEVUTO: "Ricevuto",
  IN_ELABORAZIONE: "In elaborazione",
  ELABORATO: "Elaborato",
  RIFIUTATO: "Rifiutato",
};

/** The upload form and the ente's flows. */
export function TrasmissioneHome(
  props: {
    csrf?: string;
    errors?: Record<string, string>;
    notice?: string;
    duplicate?: Flusso;
    maxMb: number;
    result: { items: Flusso[]; page: number; pages: number };
    filters: FlowFilters;
    query: string;
  },
) {
  const f = props.filters;
  return (
    <>
      <h1>Trasmissione flussi</h1>
      <p class="lead">
        Invio di molte prestazioni in un file CSV o XML. Il file è controllato subito (codifica,
        struttura, schema XSD, ente); le prestazioni sono poi controllate e acquisite una per una, e
        l'esito è disponibile nella pagina del flusso.
      </p>
      <ErrorSummary errors={props.errors ?? {}} />
      <Notice message={props.notice} />
      {props.duplicate && (
        <p class="notice">
          Questo file è già stato acquisito con il{" "}
          <a href={`/trasmissione/flussi/${props.duplicate.id}`}>flusso n. {props.duplicate.id}</a>
          {" "}
          del {dateTime(props.duplicate.createdAt)}: non viene acquisito una seconda volta.
        </p>
      )}
      <form
        method="post"
        action="/trasmissione/flussi"
        enctype="multipart/form-data"
        class="form-section"
      >
        <CsrfField token={props.csrf} />
        <fieldset class="checkboxes">
          <legend>Tipo di flusso</legend>
          {[["", "Riconosciuto dal file"], ["PS_PSA_SINA", "PS, PSA e SINA"], [
            "SINBA",
            "SINBA",
          ]].map(([value, label]) => (
            <span class="radio">
              <input
                type="radio"
                id={`tipo-${value || "auto"}`}
                name="tipo"
                value={value}
                checked={value === ""}
              />
              <label for={`tipo-${value || "auto"}`}>{label}</label>
            </span>
          ))}
        </fieldset>
        <fieldset class="checkboxes">
          <legend>Modalità</legend>
          <span class="radio">
            <input type="radio" id="modalita-invio" name="modalita" value="invio" checked />
            <label for="modalita-invio">Invio: le prestazioni valide sono acquisite</label>
          </span>
          <span class="radio">
            <input type="radio" id="modalita-verifica" name="modalita" value="verifica" />
            <label for="modalita-verifica">Verifica: solo controllo, nulla è acquisito</label>
          </span>
        </fieldset>
        <div class="field">
          <span class="radio">
            <input type="checkbox" id="atomico" name="atomico" value="1" />
            <label for="atomico">
              Tutto o niente: se anche una sola prestazione è scartata, non si acquisisce nulla
            </label>
          </span>
        </div>
        <div class={props.errors?.file ? "field field--error" : "field"}>
          <label for="campo-file">File CSV o XML</label>
          <p class="field__hint" id="campo-file-hint">
            Al massimo {props.maxMb}{" "}
            MB. CSV in UTF-8 (anche con BOM) o Windows-1252, separato da punto e virgola o virgola,
            con l'intestazione del tracciato; XML secondo lo schema ufficiale, in UTF-8.
          </p>
          {props.errors?.file && (
            <p class="field__error" id="campo-file-error">
              <span class="visually-hidden">Errore:</span> {props.errors.file}
            </p>
          )}
          <input
            type="file"
            id="campo-file"
            name="file"
            accept=".csv,.xml,text/csv,application/xml,text/xml"
            aria-describedby="campo-file-hint"
          />
        </div>
        <button type="submit" class="button">Trasmetti il file</button>
      </form>

      <h2>Flussi dell'ente</h2>
      <form method="get" action="/trasmissione" class="search filters">
        <div class="field">
          <label for="filtro-dal">Dal</label>
          <input type="date" id="filtro-dal" name="dal" value={f.dal ?? ""} class="input" />
        </div>
        <div class="field">
          <label for="filtro-al">Al</label>
          <input type="date" id="filtro-al" name="al" value={f.al ?? ""} class="input" />
        </div>
        <FilterSelect
          id="filtro-tipo"
          name="tipo"
          label="Tipo"
          value={f.tipo}
          options={[["PS_PSA_SINA", "PS, PSA e SINA"], ["SINBA", "SINBA"]]}
        />
        <FilterSelect
          id="filtro-stato"
          name="stato"
          label="Stato"
          value={f.stato}
          options={Object.entries(STATI)}
        />
        <FilterSelect
          id="filtro-esito"
          name="esito"
          label="Esito"
          value={f.esito}
          options={["OK", "OK_CON_SCARTI", "RICHIESTA_INVALIDA", "ERRORE_GENERICO"].map((
            e,
          ) => [e, e])}
        />
        <button type="submit" class="button button--secondary">Filtra</button>
      </form>
      {props.result.items.length === 0
        ? <p>Nessun flusso.</p>
        : <FlowTable items={props.result.items} />}
      <Pagination
        page={props.result.page}
        pages={props.result.pages}
        href={(p) => `/trasmissione?${props.query}${props.query ? "&" : ""}pagina=${p}`}
      />
    </>
  );
}

function FilterSelect(
  props: {
    id: string;
    name: string;
    label: string;
    value?: string;
    options: readonly (readonly [string, string])[];
  },
) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} name={props.name} class="input">
        <option value="">Tutti</option>
        {props.options.map(([v, l]) => <option value={v} selected={v === props.value}>{l}</option>)}
      </select>
    </div>
  );
}

function FlowTable(props: { items: Flusso[] }) {
  return (
    <table class="table">
      <caption class="visually-hidden">Flussi dell'ente, dal più recente</caption>
      <thead>
        <tr>
          <th scope="col">N.</th>
          <th scope="col">Ricevuto</th>
          <th scope="col">File</th>
          <th scope="col">Tipo</th>
          <th scope="col">Modalità</th>
          <th scope="col">Stato</th>
          <th scope="col">Esito</th>
          <th scope="col">Ricevuti</th>
          <th scope="col">Accettati</th>
          <th scope="col">Scartati</th>
        </tr>
      </thead>
      <tbody>
        {props.items.map((f) => (
          <tr>
            <td>
              <a href={`/trasmissione/flussi/${f.id}`}>{f.id}</a>
            </td>
            <td>{dateTime(f.createdAt)}</td>
            <td>{f.nomeFile}</td>
            <td>{f.tipo ?? "—"}</td>
            <td>{f.modalita}{f.atomico ? ", tutto o niente" : ""}</td>
            <td>{STATI[f.stato]}</td>
            <td>{f.esito ?? "—"}</td>
            <td>{f.ricevuti}</td>
            <td>{f.accettati}</td>
            <td>{f.scartati}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Progress of a flow being processed: bar, counts, time left; polled by htmx while it runs. */
export function Progress(props: { flow: Flusso; now: Date }) {
  const f = props.flow;
  const running = f.stato === "RICEVUTO" || f.stato === "IN_ELABORAZIONE";
  const total = Math.max(f.totale ?? 0, f.posizione, 1);
  const percent = Math.min(100, Math.floor((f.posizione / total) * 100));
  let left = "";
  if (running && f.startedAt && f.posizione > 0) {
    const elapsed = (props.now.getTime() - f.startedAt.getTime()) / 1000;
    const seconds = Math.max(1, Math.round((elapsed / f.posizione) * (total - f.posizione)));
    left = seconds < 60 ? `circa ${seconds} secondi` : `circa ${Math.ceil(seconds / 60)} minuti`;
  }
  return (
    <div
      id="avanzamento"
      class="progress-block"
      hx-get={running ? `/trasmissione/flussi/${f.id}/avanzamento` : undefined}
      hx-trigger={running ? "every 2s" : undefined}
      hx-swap="outerHTML"
    >
      <p>
        Stato: <strong>{STATI[f.stato]}</strong>
        {f.esito && (
          <>
            {" "}– esito <strong>{f.esito}</strong>
          </>
        )}
      </p>
      {running && (
        <>
          <div
            class="progress"
            role="progressbar"
            aria-label="Avanzamento dell'elaborazione"
            aria-valuemin={0}
            aria-valuemax={total}
            aria-valuenow={f.posizione}
            aria-valuetext={`${f.posizione} record su ${total} (${percent}%)`}
          >
            {/* The visible bar; the element around it is the one assistive technologies read. */}
            <progress value={f.posizione} max={total} aria-hidden="true">{percent}%</progress>
          </div>
          <p>
            {f.posizione} record elaborati su {f.totale ?? "?"} ({percent}%)
            {left && `; tempo stimato: ${left}`}. La pagina si aggiorna da sola: si può anche uscire
            e tornare più tardi.
          </p>
        </>
      )}
      <dl class="summary counts">
        <dt>Ricevuti</dt>
        <dd>{f.ricevuti}</dd>
        <dt>{f.modalita === "verifica" ? "Accettabili" : "Accettati"}</dt>
        <dd>{f.accettati}</dd>
        <dt>Scartati</dt>
        <dd>{f.scartati}</dd>
        <dt>Annullati</dt>
        <dd>{f.annullati}</dd>
        <dt>Avvisi</dt>
        <dd>{f.avvisi}</dd>
      </dl>
    </div>
  );
}

/** A flow: receipt, progress, reasons of a refusal, rejected records. */
export function FlowPage(
  props: {
    flow: Flusso;
    scarti: { items: Scarto[]; page: number; pages: number; total: number };
    now: Date;
  },
) {
  const f = props.flow;
  const done = f.stato === "ELABORATO" || f.stato === "RIFIUTATO";
  return (
    <>
      <p class="no-print">
        <a href="/trasmissione">‹ Trasmissione flussi</a>
      </p>
      <h1>Flusso n. {f.id}</h1>
      <dl class="summary receipt">
        <dt>Identificativo di acquisizione</dt>
        <dd>{f.acquisizioneId ? <code>{f.acquisizioneId}</code> : "— (nessuna acquisizione)"}</dd>
        <dt>File</dt>
        <dd>{f.nomeFile}</dd>
        {f.nomeFlusso && (
          <>
            <dt>Nome del flusso</dt>
            <dd>{f.nomeFlusso}</dd>
          </>
        )}
        <dt>Ricevuto il</dt>
        <dd>{dateTime(f.createdAt)}</dd>
        <dt>Operatore</dt>
        <dd>{f.operatore}{f.cfOperatore ? ` (${f.cfOperatore})` : ""}</dd>
        <dt>Tipo e formato</dt>
        <dd>
          {f.tipo ?? "non riconosciuto"}
          {f.formato ? `, ${f.formato.toUpperCase()}` : ""}
          {f.separatore ? `, separatore «${f.separatore === "\t" ? "tab" : f.separatore}»` : ""}
        </dd>
        <dt>Modalità</dt>
        <dd>
          {f.modalita === "verifica" ? "Verifica (nessun dato acquisito)" : "Invio"}
          {f.atomico ? ", tutto o niente" : ""}
        </dd>
        <dt>Codifica</dt>
        <dd>{f.codifica ?? "—"}</dd>
        <dt>SHA-256</dt>
        <dd>
          <code class="hash">{f.sha256 ?? "—"}</code>
        </dd>
        <dt>Dimensione</dt>
        <dd>{f.dimensione.toLocaleString("it-IT")} byte</dd>
        {f.finishedAt && (
          <>
            <dt>Concluso il</dt>
            <dd>{dateTime(f.finishedAt)}</dd>
          </>
        )}
      </dl>
      <Progress flow={f} now={props.now} />
      {f.motivi.length > 0 && (
        <section class="error-summary" aria-labelledby="motivi-titolo">
          <h2 id="motivi-titolo">
            {f.esito === "RICHIESTA_INVALIDA" ? "Flusso rifiutato" : "Motivi"}
          </h2>
          <ul>
            {f.motivi.map((m) => <li>{m.riga > 0 ? `Riga ${m.riga}: ` : ""}{m.messaggio}</li>)}
          </ul>
        </section>
      )}
      {done && (
        <div class="actions no-print">
          <a href={`/trasmissione/flussi/${f.id}/esito.json`}>Esito (JSON)</a>
          {props.scarti.total > 0 && (
            <>
              <a href={`/trasmissione/flussi/${f.id}/scarti.csv`} class="button button--secondary">
                Scarica gli scarti (CSV)
              </a>
              <a href={`/trasmissione/flussi/${f.id}/scarti.xml`} class="button button--secondary">
                Scarica gli scarti (XML)
              </a>
            </>
          )}
        </div>
      )}
      {props.scarti.total > 0 && (
        <>
          <h2>Record scartati ({props.scarti.total} righe)</h2>
          <table class="table">
            <caption class="visually-hidden">Record scartati, una riga per regola violata</caption>
            <thead>
              <tr>
                <th scope="col">{f.formato === "xml" ? "Elemento" : "Riga"}</th>
                <th scope="col">Chiave</th>
                <th scope="col">Regola</th>
                <th scope="col">Campo</th>
                <th scope="col">Valore</th>
                <th scope="col">Messaggio</th>
              </tr>
            </thead>
            <tbody>
              {props.scarti.items.map((s) => (
                <tr>
                  <td>{s.posizione}</td>
                  <td>
                    <code>{s.chiave ?? ""}</code>
                  </td>
                  <td>{s.regola}</td>
                  <td>{s.campo ?? ""}</td>
                  <td>{s.valore ?? ""}</td>
                  <td>{s.messaggio}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pagination
            page={props.scarti.page}
            pages={props.scarti.pages}
            href={(p) => `/trasmissione/flussi/${f.id}?pagina=${p}`}
          />
        </>
      )}
    </>
  );
}
