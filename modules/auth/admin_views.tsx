/**
 * Administration pages: enti, users and enablements.
 * @module
 */
import {
  CsrfField,
  ErrorSummary,
  type FieldErrors,
  Notice,
  Pagination,
  SelectField,
  TextField,
} from "../../views/components.tsx";
import type { Abilitazione, Ente, Page, Utente } from "./repo.ts";
import { ENTE_ROLES, ROLE_LABELS, ROLES, type Ruolo } from "./roles.ts";
import { enablementLabel } from "./views.tsx";

/** Italian labels of the types of ente. */
export const ENTE_TYPES: Record<string, string> = {
  comune: "Comune",
  ambito_territoriale: "Ambito territoriale",
  unione_comuni: "Unione di Comuni",
  consorzio: "Consorzio",
  comunita_montana: "Comunità montana",
  universita: "Università",
  ente_diritto_studio: "Ente per il diritto allo studio",
  altro: "Altro ente",
};

type Values = Record<string, string | undefined>;

/** The administration home: what this profile may manage. */
export function AdminHome(props: { central: boolean; ente?: string }) {
  return (
    <>
      <h1>Amministrazione</h1>
      <ul class="cards">
        {props.central
          ? (
            <li class="card">
              <h2>
                <a href="/amministrazione/enti">Enti</a>
              </h2>
              <p>Anagrafe degli enti, stato e restrizioni di accesso.</p>
            </li>
          )
          : (
            <li class="card">
              <h2>
                <a href={`/amministrazione/enti/${props.ente}`}>Dati dell'ente</a>
              </h2>
              <p>Denominazione, PEC, sede legale, reti e orari di accesso.</p>
            </li>
          )}
        {props.central && (
          <li class="card">
            <h2>
              <a href="/amministrazione/tabella-prestazioni">Tabella delle prestazioni</a>
            </h2>
            <p>Nuove versioni della tabella dei codici: caricamento, confronto, attivazione.</p>
          </li>
        )}
        <li class="card">
          <h2>
            <a href="/amministrazione/utenti">Utenti</a>
          </h2>
          <p>
            {props.central ? "Utenti di tutti gli enti" : "Utenti dell'ente"} e loro abilitazioni.
          </p>
        </li>
      </ul>
    </>
  );
}

function SearchForm(props: { action: string; q: string; label: string }) {
  return (
    <form method="get" action={props.action} class="search" role="search">
      <TextField name="q" label={props.label} value={props.q} width="medium" />
      <button type="submit" class="button button--secondary">Cerca</button>
    </form>
  );
}

const pageHref = (base: string, q: string) => (page: number) =>
  `${base}?${new URLSearchParams({ ...(q ? { q } : {}), pagina: String(page) })}`;

/** The list of enti. */
export function EntiList(props: { result: Page<Ente>; q: string; notice?: string }) {
  return (
    <>
      <h1>Enti</h1>
      <Notice message={props.notice} />
      <p>
        <a class="button" href="/amministrazione/enti/nuovo">Nuovo ente</a>
      </p>
      <SearchForm action="/amministrazione/enti" q={props.q} label="Codice o denominazione" />
      <p>{props.result.total} enti</p>
      <table class="table">
        <thead>
          <tr>
            <th scope="col">Codice</th>
            <th scope="col">Denominazione</th>
            <th scope="col">Tipo</th>
            <th scope="col">Regione</th>
            <th scope="col">Stato</th>
          </tr>
        </thead>
        <tbody>
          {props.result.items.map((e) => (
            <tr>
              <td>
                <a href={`/amministrazione/enti/${e.codice}`}>{e.codice}</a>
              </td>
              <td>{e.denominazione}</td>
              <td>{ENTE_TYPES[e.tipo]}</td>
              <td>{e.regioneDenominazione}</td>
              <td>
                {e.stato === "attivo" ? "Attivo" : <span class="tag tag--warn">Sospeso</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pagination
        page={props.result.page}
        pages={props.result.pages}
        href={pageHref("/amministrazione/enti", props.q)}
      />
    </>
  );
}

/** The form of an ente: creation (central), or modification. */
export function EnteForm(
  props: {
    mode: "nuovo" | "modifica";
    central: boolean;
    values: Values;
    errors?: FieldErrors;
    regioni: { codice: string; denominazione: string }[];
    csrf: string;
    notice?: string;
    /** The ente's stored name, for the heading while the form may hold another. */
    title?: string;
  },
) {
  const v = props.values;
  const action = props.mode === "nuovo"
    ? "/amministrazione/enti/nuovo"
    : `/amministrazione/enti/${v.codice}`;
  return (
    <>
      <h1>{props.mode === "nuovo" ? "Nuovo ente" : `${props.title} (${v.codice})`}</h1>
      <Notice message={props.notice} />
      <ErrorSummary errors={props.errors ?? {}} />
      <form method="post" action={action} novalidate>
        <CsrfField token={props.csrf} />
        {props.mode === "nuovo" && (
          <TextField
            name="codice"
            label="Codice ente"
            hint="Per un Comune il codice catastale (Belfiore), es. H501; per gli altri enti il codice assegnato."
            value={v.codice}
            errors={props.errors}
            width="short"
          />
        )}
        {props.central && (
          <SelectField
            name="tipo"
            label="Tipo di ente"
            value={v.tipo}
            options={Object.entries(ENTE_TYPES)}
            placeholder="Scegliere"
            errors={props.errors}
          />
        )}
        <TextField
          name="denominazione"
          label="Denominazione"
          value={v.denominazione}
          errors={props.errors}
        />
        <TextField
          name="belfiore_sede"
          label="Comune della sede legale (codice catastale)"
          hint="Quattro caratteri, es. H501 per Roma."
          value={v.belfiore_sede}
          errors={props.errors}
          width="short"
        />
        {props.central && (
          <SelectField
            name="regione"
            label="Regione"
            value={v.regione}
            options={props.regioni.map((r) => [r.codice, r.denominazione] as const)}
            placeholder="Scegliere"
            errors={props.errors}
          />
        )}
        <TextField
          name="pec"
          label="Indirizzo PEC"
          type="email"
          value={v.pec}
          errors={props.errors}
        />
        <div class={props.errors?.ip_consentiti ? "field field--error" : "field"}>
          <label for="campo-ip_consentiti">Reti da cui è consentito l'accesso</label>
          <p class="field__hint" id="campo-ip_consentiti-hint">
            Un intervallo CIDR per riga, es. 192.0.2.0/24. Vuoto: nessuna restrizione.
          </p>
          {props.errors?.ip_consentiti && <p class="field__error">{props.errors.ip_consentiti}</p>}
          <textarea
            id="campo-ip_consentiti"
            name="ip_consentiti"
            rows={3}
            class="input"
            aria-describedby="campo-ip_consentiti-hint"
          >
            {v.ip_consentiti ?? ""}
          </textarea>
        </div>
        <TextField
          name="orario_inizio"
          label="Accesso consentito dalle (ora italiana)"
          hint="HH:MM; lasciare vuoti entrambi gli orari per nessuna restrizione."
          value={v.orario_inizio}
          errors={props.errors}
          width="short"
        />
        <TextField
          name="orario_fine"
          label="alle"
          value={v.orario_fine}
          errors={props.errors}
          width="short"
        />
        {props.central && (
          <SelectField
            name="stato"
            label="Stato"
            value={v.stato ?? "attivo"}
            options={[["attivo", "Attivo"], ["sospeso", "Sospeso"]]}
            errors={props.errors}
          />
        )}
        <div class="actions">
          <button type="submit" class="button">Salva</button>
          <a href={props.central ? "/amministrazione/enti" : "/amministrazione"}>Annulla</a>
        </div>
      </form>
    </>
  );
}

/** The list of users. */
export function UtentiList(props: { result: Page<Utente>; q: string; central: boolean }) {
  return (
    <>
      <h1>{props.central ? "Utenti" : "Utenti dell'ente"}</h1>
      <p>
        <a class="button" href="/amministrazione/utenti/nuovo">Nuovo utente</a>
      </p>
      <SearchForm
        action="/amministrazione/utenti"
        q={props.q}
        label="Nome, codice fiscale o nome utente"
      />
      <p>{props.result.total} utenti</p>
      <table class="table">
        <thead>
          <tr>
            <th scope="col">Cognome e nome</th>
            <th scope="col">Nome utente</th>
            <th scope="col">Codice fiscale</th>
            <th scope="col">Stato</th>
          </tr>
        </thead>
        <tbody>
          {props.result.items.map((u) => (
            <tr>
              <td>
                <a href={`/amministrazione/utenti/${u.id}`}>{u.cognome} {u.nome}</a>
              </td>
              <td>{u.username}</td>
              <td>{u.codiceFiscale ?? "—"}</td>
              <td>
                {u.stato === "attivo" ? "Attivo" : <span class="tag tag--warn">Sospeso</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pagination
        page={props.result.page}
        pages={props.result.pages}
        href={pageHref("/amministrazione/utenti", props.q)}
      />
    </>
  );
}

function roleOptions(central: boolean): [string, string][] {
  const roles: readonly Ruolo[] = central ? ROLES : ENTE_ROLES;
  return roles.map((r) => [r, ROLE_LABELS[r]]);
}

function EnablementFields(
  props: {
    central: boolean;
    values: Values;
    errors?: FieldErrors;
    regioni: { codice: string; denominazione: string }[];
  },
) {
  const v = props.values;
  return (
    <>
      <SelectField
        name="ruolo"
        label="Profilo"
        value={v.ruolo}
        options={roleOptions(props.central)}
        placeholder="Scegliere"
        errors={props.errors}
      />
      {props.central && (
        <>
          <TextField
            name="ente"
            label="Codice ente"
            hint="Per operatore, consultatore e referente dell'ente."
            value={v.ente}
            errors={props.errors}
            width="short"
          />
          <SelectField
            name="regione"
            label="Regione"
            hint="Solo per il referente territoriale."
            value={v.regione}
            options={props.regioni.map((r) => [r.codice, r.denominazione] as const)}
            placeholder="Nessuna"
            errors={props.errors}
          />
        </>
      )}
      <TextField
        name="valido_dal"
        label="Valida dal"
        type="date"
        value={v.valido_dal}
        errors={props.errors}
        width="medium"
      />
      <TextField
        name="valido_al"
        label="Valida fino al (facoltativo)"
        type="date"
        value={v.valido_al}
        errors={props.errors}
        width="medium"
      />
    </>
  );
}

/** The form of a new user with the first enablement. */
export function NewUtenteForm(
  props: {
    central: boolean;
    values: Values;
    errors?: FieldErrors;
    regioni: { codice: string; denominazione: string }[];
    csrf: string;
  },
) {
  const v = props.values;
  return (
    <>
      <h1>Nuovo utente</h1>
      <ErrorSummary errors={props.errors ?? {}} />
      <form method="post" action="/amministrazione/utenti/nuovo" novalidate>
        <CsrfField token={props.csrf} />
        <fieldset>
          <legend>Dati della persona</legend>
          <TextField
            name="codice_fiscale"
            label="Codice fiscale"
            value={v.codice_fiscale}
            errors={props.errors}
            width="medium"
          />
          {props.central && (
            <TextField
              name="username"
              label="Nome utente (solo utenze di servizio)"
              hint="Lasciare vuoto: si accede con il codice fiscale."
              value={v.username}
              errors={props.errors}
              width="medium"
            />
          )}
          <TextField name="nome" label="Nome" value={v.nome} errors={props.errors} width="medium" />
          <TextField
            name="cognome"
            label="Cognome"
            value={v.cognome}
            errors={props.errors}
            width="medium"
          />
          <TextField
            name="email"
            label="E-mail"
            type="email"
            value={v.email}
            errors={props.errors}
          />
        </fieldset>
        <fieldset>
          <legend>Prima abilitazione</legend>
          <EnablementFields {...props} />
        </fieldset>
        <div class="actions">
          <button type="submit" class="button">Crea utente</button>
          <a href="/amministrazione/utenti">Annulla</a>
        </div>
      </form>
    </>
  );
}

/** A user's page: data, state, password, enablements. */
export function UtenteDetail(
  props: {
    user: Utente;
    enablements: Abilitazione[];
    central: boolean;
    values: Values;
    errors?: FieldErrors;
    newEnablement: Values;
    enablementErrors?: FieldErrors;
    regioni: { codice: string; denominazione: string }[];
    csrf: string;
    notice?: string;
    temporaryPassword?: string;
    today: string;
  },
) {
  const u = props.user;
  const base = `/amministrazione/utenti/${u.id}`;
  return (
    <>
      <h1>{u.cognome} {u.nome}</h1>
      <Notice message={props.notice} />
      {props.temporaryPassword && (
        <div class="notice" role="status">
          <p>
            Password provvisoria: <code class="secret">{props.temporaryPassword}</code>
          </p>
          <p>Comunicarla all'utente per un canale sicuro: non sarà più mostrata.</p>
        </div>
      )}
      <dl class="summary">
        <dt>Nome utente</dt>
        <dd>{u.username}</dd>
        <dt>Codice fiscale</dt>
        <dd>{u.codiceFiscale ?? "—"}</dd>
        <dt>Stato</dt>
        <dd>{u.stato === "attivo" ? "Attivo" : "Sospeso"}</dd>
      </dl>
      <h2>Dati anagrafici</h2>
      <ErrorSummary errors={props.errors ?? {}} />
      <form method="post" action={base} novalidate>
        <CsrfField token={props.csrf} />
        <TextField
          name="nome"
          label="Nome"
          value={props.values.nome}
          errors={props.errors}
          width="medium"
        />
        <TextField
          name="cognome"
          label="Cognome"
          value={props.values.cognome}
          errors={props.errors}
          width="medium"
        />
        <TextField
          name="email"
          label="E-mail"
          type="email"
          value={props.values.email}
          errors={props.errors}
        />
        <div class="actions">
          <button type="submit" class="button">Salva</button>
        </div>
      </form>
      <div class="actions">
        <form method="post" action={`${base}/password`} class="inline-form">
          <CsrfField token={props.csrf} />
          <button type="submit" class="button button--secondary">
            Genera password provvisoria
          </button>
        </form>
        {props.central && (
          <form method="post" action={`${base}/stato`} class="inline-form">
            <CsrfField token={props.csrf} />
            <input type="hidden" name="stato" value={u.stato === "attivo" ? "sospeso" : "attivo"} />
            <button type="submit" class="button button--secondary">
              {u.stato === "attivo" ? "Sospendi utenza" : "Riattiva utenza"}
            </button>
          </form>
        )}
      </div>
      <h2>Abilitazioni</h2>
      <table class="table">
        <thead>
          <tr>
            <th scope="col">Profilo</th>
            <th scope="col">Dal</th>
            <th scope="col">Al</th>
            <th scope="col">Azioni</th>
          </tr>
        </thead>
        <tbody>
          {props.enablements.map((e) => (
            <tr>
              <td>{enablementLabel(e)}</td>
              <td>{e.validoDal}</td>
              <td>{e.validoAl ?? "—"}</td>
              <td>
                {(e.validoAl === null || e.validoAl >= props.today) && (
                  <form
                    method="post"
                    action={`${base}/abilitazioni/${e.id}/revoca`}
                    class="inline-form"
                  >
                    <CsrfField token={props.csrf} />
                    <button type="submit" class="button--link">Revoca</button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Nuova abilitazione</h3>
      <ErrorSummary errors={props.enablementErrors ?? {}} />
      <form method="post" action={`${base}/abilitazioni`} novalidate>
        <CsrfField token={props.csrf} />
        <EnablementFields
          central={props.central}
          values={props.newEnablement}
          errors={props.enablementErrors}
          regioni={props.regioni}
        />
        <div class="actions">
          <button type="submit" class="button">Aggiungi abilitazione</button>
        </div>
      </form>
    </>
  );
}
