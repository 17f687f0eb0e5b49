/**
 * Pages of the identity module: login, choice of the active ente, profile.
 * @module
 */
import {
  CsrfField,
  ErrorSummary,
  type FieldErrors,
  Notice,
  TextField,
} from "../../views/components.tsx";
import { ROLE_LABELS } from "./roles.ts";
import type { Abilitazione } from "./repo.ts";

/** The login form. */
export function LoginPage(
  props: { username?: string; next?: string; errors?: FieldErrors; notice?: string },
) {
  return (
    <>
      <h1>Accesso</h1>
      <Notice message={props.notice} />
      <ErrorSummary errors={props.errors ?? {}} />
      <form method="post" action="/login" class="narrow-form" novalidate>
        {props.next && <input type="hidden" name="next" value={props.next} />}
        <TextField
          name="username"
          label="Codice fiscale o nome utente"
          value={props.username}
          autocomplete="username"
          errors={props.errors}
          width="medium"
        />
        <TextField
          name="password"
          label="Password"
          type="password"
          autocomplete="current-password"
          errors={props.errors}
          width="medium"
        />
        <div class="actions">
          <button type="submit" class="button">Accedi</button>
        </div>
      </form>
      <p class="field__hint">
        Le utenze sono rilasciate dal referente SIUSS del proprio ente. L'accesso con SPID o CIE
        sarà disponibile come ulteriore modalità.
      </p>
    </>
  );
}

/** A label for an enablement: "Operatore – Comune di Roma (H501)". */
export function enablementLabel(e: Abilitazione): string {
  const where = e.enteCodice
    ? `${e.enteDenominazione} (${e.enteCodice})`
    : e.regione
    ? `Regione ${e.regioneDenominazione}`
    : "Amministrazione centrale";
  return `${ROLE_LABELS[e.ruolo]} – ${where}`;
}

/** The choice of the active ente. */
export function ChooseEntePage(
  props: {
    enablements: Abilitazione[];
    activeId?: number;
    next?: string;
    csrf: string;
    error?: string;
  },
) {
  const errors: FieldErrors = props.error ? { abilitazione: props.error } : {};
  return (
    <>
      <h1>Scelta dell'ente</h1>
      <ErrorSummary errors={errors} />
      <form method="post" action="/ente">
        <CsrfField token={props.csrf} />
        {props.next && <input type="hidden" name="next" value={props.next} />}
        <fieldset class={props.error ? "field field--error" : "field"} id="campo-abilitazione">
          <legend>Con quale ente e profilo si vuole operare?</legend>
          {props.error && <p class="field__error">{props.error}</p>}
          {props.enablements.map((e, i) => (
            <div class="radio">
              <input
                type="radio"
                name="abilitazione"
                id={`abilitazione-${e.id}`}
                value={String(e.id)}
                checked={props.activeId ? e.id === props.activeId : i === 0}
              />
              <label for={`abilitazione-${e.id}`}>{enablementLabel(e)}</label>
            </div>
          ))}
        </fieldset>
        <div class="actions">
          <button type="submit" class="button">Continua</button>
        </div>
      </form>
    </>
  );
}

/** The user's own profile. */
export function ProfilePage(
  props: {
    user: {
      nome: string;
      cognome: string;
      username: string;
      codiceFiscale: string | null;
      email: string | null;
    };
    enablements: Abilitazione[];
    logins: { at: Date; ip: string | null }[];
    csrf: string;
    errors?: FieldErrors;
    notice?: string;
  },
) {
  const when = new Intl.DateTimeFormat("it-IT", {
    dateStyle: "short",
    timeStyle: "short",
    timeZone: "Europe/Rome",
  });
  return (
    <>
      <h1>Profilo</h1>
      <Notice message={props.notice} />
      <dl class="summary">
        <dt>Nome</dt>
        <dd>{props.user.nome} {props.user.cognome}</dd>
        <dt>Nome utente</dt>
        <dd>{props.user.username}</dd>
        {props.user.codiceFiscale && (
          <>
            <dt>Codice fiscale</dt>
            <dd>{props.user.codiceFiscale}</dd>
          </>
        )}
        {props.user.email && (
          <>
            <dt>E-mail</dt>
            <dd>{props.user.email}</dd>
          </>
        )}
      </dl>
      <h2>Abilitazioni valide</h2>
      <table class="table">
        <thead>
          <tr>
            <th scope="col">Profilo</th>
            <th scope="col">Dal</th>
            <th scope="col">Al</th>
          </tr>
        </thead>
        <tbody>
          {props.enablements.map((e) => (
            <tr>
              <td>{enablementLabel(e)}</td>
              <td>{e.validoDal}</td>
              <td>{e.validoAl ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Accessi recenti</h2>
      <ul>
        {props.logins.map((l) => <li>{when.format(l.at)} da {l.ip ?? "indirizzo sconosciuto"}</li>)}
      </ul>
      <h2 id="password">Cambio password</h2>
      <ErrorSummary errors={props.errors ?? {}} />
      <form method="post" action="/profilo/password" class="narrow-form" novalidate>
        <CsrfField token={props.csrf} />
        <TextField
          name="attuale"
          label="Password attuale"
          type="password"
          autocomplete="current-password"
          errors={props.errors}
          width="medium"
        />
        <TextField
          name="nuova"
          label="Nuova password"
          hint="Almeno 12 caratteri; una frase facile da ricordare va benissimo."
          type="password"
          autocomplete="new-password"
          errors={props.errors}
          width="medium"
        />
        <TextField
          name="conferma"
          label="Ripetere la nuova password"
          type="password"
          autocomplete="new-password"
          errors={props.errors}
          width="medium"
        />
        <div class="actions">
          <button type="submit" class="button">Cambia password</button>
        </div>
      </form>
    </>
  );
}
