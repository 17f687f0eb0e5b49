/**
 * Shared form and list components, after the GOV.UK Design System patterns:
 * an error summary linking to each field, the message beside the field, the
 * user's input kept.
 * @module
 */
import type { Child } from "hono/jsx";

const ROME_DATE_TIME = new Intl.DateTimeFormat("it-IT", {
  timeZone: "Europe/Rome",
  dateStyle: "short",
  timeStyle: "medium",
});

/** An instant as an operator reads it: Italian date and time, Rome's time zone; "—" when absent. */
export function dateTime(d: Date | null | undefined): string {
  return d ? ROME_DATE_TIME.format(d) : "—";
}

/** Field name → Italian message. */
export type FieldErrors = Record<string, string>;

/** The summary at the top of a form that was refused; each entry links to its field. */
export function ErrorSummary(props: { errors: FieldErrors; labels?: Record<string, string> }) {
  const entries = Object.entries(props.errors);
  if (entries.length === 0) return null;
  return (
    <div class="error-summary" role="alert" tabindex={-1} aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">Correggere i seguenti errori</h2>
      <ul>
        {entries.map(([field, message]) => (
          <li>
            <a href={`#${fieldId(field)}`}>{message}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The id of a field's control. */
export function fieldId(name: string): string {
  return `campo-${name.replace(/[^A-Za-z0-9_-]/g, "-")}`;
}

interface FieldProps {
  name: string;
  label: string;
  hint?: string;
  errors?: FieldErrors;
}

function FieldFrame(props: FieldProps & { children: Child }) {
  const error = props.errors?.[props.name];
  const id = fieldId(props.name);
  return (
    <div class={error ? "field field--error" : "field"}>
      <label for={id}>{props.label}</label>
      {props.hint && <p class="field__hint" id={`${id}-hint`}>{props.hint}</p>}
      {error && (
        <p class="field__error" id={`${id}-error`}>
          <span class="visually-hidden">Errore:</span> {error}
        </p>
      )}
      {props.children}
    </div>
  );
}

function describedBy(props: FieldProps): string | undefined {
  const id = fieldId(props.name);
  const ids = [props.hint && `${id}-hint`, props.errors?.[props.name] && `${id}-error`].filter(
    Boolean,
  );
  return ids.length ? ids.join(" ") : undefined;
}

/** A text input with label, hint and error. */
export function TextField(
  props: FieldProps & {
    value?: string | null;
    type?: string;
    autocomplete?: string;
    required?: boolean;
    width?: "short" | "medium";
  },
) {
  return (
    <FieldFrame {...props}>
      <input
        id={fieldId(props.name)}
        name={props.name}
        type={props.type ?? "text"}
        value={props.value ?? ""}
        autocomplete={props.autocomplete}
        required={props.required}
        class={props.width ? `input input--${props.width}` : "input"}
        aria-describedby={describedBy(props)}
        aria-invalid={props.errors?.[props.name] ? "true" : undefined}
      />
    </FieldFrame>
  );
}

/** A select with label, hint and error. */
export function SelectField(
  props: FieldProps & {
    value?: string | null;
    options: readonly (readonly [string, string])[];
    placeholder?: string;
  },
) {
  return (
    <FieldFrame {...props}>
      <select
        id={fieldId(props.name)}
        name={props.name}
        class="input"
        aria-describedby={describedBy(props)}
        aria-invalid={props.errors?.[props.name] ? "true" : undefined}
      >
        {props.placeholder !== undefined && <option value="">{props.placeholder}</option>}
        {props.options.map(([value, label]) => (
          <option value={value} selected={value === props.value}>{label}</option>
        ))}
      </select>
    </FieldFrame>
  );
}

/** The hidden field carrying the session's CSRF token. */
export function CsrfField(props: { token?: string }) {
  return props.token ? <input type="hidden" name="_csrf" value={props.token} /> : null;
}

/** Previous / next links for a paged list; `href` builds the URL of a page. */
export function Pagination(props: { page: number; pages: number; href: (page: number) => string }) {
  if (props.pages <= 1) return null;
  return (
    <nav class="pagination" aria-label="Paginazione">
      {props.page > 1 && <a href={props.href(props.page - 1)} rel="prev">‹ Precedente</a>}
      <span>
        Pagina {props.page} di {props.pages}
      </span>
      {props.page < props.pages && <a href={props.href(props.page + 1)} rel="next">Successiva ›</a>}
    </nav>
  );
}

/** A confirmation message shown after a successful action (Post/Redirect/Get). */
export function Notice(props: { message?: string }) {
  return props.message ? <p class="notice" role="status">{props.message}</p> : null;
}
