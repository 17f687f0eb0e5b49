/**
 * Pages of the web shell: home, section landing, accessibility statement, errors.
 * @module
 */
import { type Section, SECTIONS } from "./sections.ts";

/** The home page: one card per section. */
export function HomePage() {
  return (
    <>
      <h1>Sistema Informativo Unitario dei Servizi Sociali</h1>
      <p class="lead">
        Trasmissione all'INPS delle prestazioni sociali erogate da Comuni, Ambiti territoriali,
        Unioni di Comuni, Consorzi e altri enti, come previsto dal D.Lgs. 147/2017.
      </p>
      <ul class="cards">
        {SECTIONS.map((s) => (
          <li class="card">
            <h2>
              <a href={s.path}>{s.title}</a>
            </h2>
            <p>{s.summary}</p>
          </li>
        ))}
      </ul>
    </>
  );
}

/** The landing page of a section whose functions are not yet offered. */
export function SectionPage(props: { section: Section }) {
  return (
    <>
      <h1>{props.section.title}</h1>
      <p class="lead">{props.section.summary}</p>
      <p>Le funzioni di questa sezione non sono ancora attive in questa installazione.</p>
    </>
  );
}

/** The accessibility statement (AgID guidelines, Law 4/2004). */
export function AccessibilityPage() {
  return (
    <>
      <h1>Dichiarazione di accessibilità</h1>
      <p>
        Questo servizio si impegna a rendere il proprio sito accessibile, conformemente alla legge 9
        gennaio 2004, n. 4, e alle linee guida AgID sull'accessibilità degli strumenti informatici,
        che recepiscono la norma EN 301 549 (WCAG 2.1 livello AA).
      </p>
      <h2>Stato di conformità</h2>
      <p>
        Le pagine sono progettate per essere conformi ai requisiti WCAG 2.1 AA: ogni funzione è
        disponibile senza JavaScript e da tastiera, i moduli hanno etichette e messaggi di errore
        testuali, il contrasto dei colori rispetta le soglie previste.
      </p>
      <h2>Segnalazioni</h2>
      <p>
        Per segnalare problemi di accessibilità rivolgersi al referente SIUSS del proprio ente o
        all'amministrazione del servizio. In caso di risposta insoddisfacente è possibile rivolgersi
        al Difensore civico per il digitale presso AgID.
      </p>
    </>
  );
}

/** An error page; never shows technical details beyond the request id. */
export function ErrorPage(props: { title: string; message: string; requestId?: string }) {
  return (
    <>
      <h1>{props.title}</h1>
      <p class="lead">{props.message}</p>
      {props.requestId && (
        <p>
          Codice della richiesta da comunicare all'assistenza: <code>{props.requestId}</code>
        </p>
      )}
      <p>
        <a href="/">Torna alla pagina iniziale</a>
      </p>
    </>
  );
}
