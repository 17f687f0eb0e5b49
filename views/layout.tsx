/**
 * The page layout: skip link, header with the product and the active ente,
 * navigation to the seven sections, main landmark, footer.
 * @module
 */
import type { Child } from "hono/jsx";
import { SECTIONS } from "./sections.ts";

/** What every page knows about its request. */
export interface PageContext {
  /** The public URL of a file of `static/`. */
  asset(path: string): string;
  /** Demo data are loaded: a banner says so on every page. */
  demo: boolean;
  /** The path requested, to mark the current section. */
  path: string;
  /** The signed-in user, if any. */
  user?: { nome: string; cognome: string };
  /** The profile the user acts under: "Comune di Roma (H501)", "Regione Lazio", … */
  profile?: { label: string; ruolo: string };
  /** The user may switch to another ente. */
  canSwitch?: boolean;
  /** The session's CSRF token, sent by every form and htmx request. */
  csrfToken?: string;
  /** Seconds after which a page without JavaScript reloads itself (a flow in progress). */
  refresh?: number;
}

// htmx must not inject its indicator style (the CSP forbids inline styles) nor evaluate code.
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
  selfRequestsOnly: true,
});

/** The full page around `children`. */
export function Layout(props: { page: PageContext; title: string; children?: Child }) {
  const { page } = props;
  return (
    <html lang="it">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title} – SIUSS</title>
        <link rel="stylesheet" href={page.asset("app.css")} />
        <link rel="icon" href={page.asset("favicon.svg")} type="image/svg+xml" />
        <meta name="htmx-config" content={HTMX_CONFIG} />
        {page.refresh && (
          <noscript>
            <meta http-equiv="refresh" content={String(page.refresh)} />
          </noscript>
        )}
        <script src={page.asset("vendor/htmx-2.0.11.min.js")} defer></script>
        <script src={page.asset("app.js")} defer></script>
      </head>
      <body
        hx-headers={page.csrfToken ? JSON.stringify({ "X-CSRF-Token": page.csrfToken }) : undefined}
      >
        <a class="skip-link" href="#contenuto">Vai al contenuto principale</a>
        {page.demo && (
          <p class="demo-banner" role="note">
            Ambiente dimostrativo: i dati presenti sono fittizi.
          </p>
        )}
        <header class="site-header">
          <div class="wrap site-header__inner">
            <a class="brand" href="/">
              <span class="brand__name">SIUSS</span>
              <span class="brand__full">Sistema Informativo Unitario dei Servizi Sociali</span>
            </a>
            {page.user
              ? (
                <div class="user-menu">
                  <p class="active-ente">
                    {page.profile
                      ? (
                        <>
                          <span class="active-ente__label">Ente attivo</span>{" "}
                          <strong>{page.profile.label}</strong> · {page.profile.ruolo}
                        </>
                      )
                      : <span class="active-ente__label">Nessun ente selezionato</span>}
                    {page.canSwitch && (
                      <>
                        {" "}
                        <a href="/ente">Cambia</a>
                      </>
                    )}
                  </p>
                  <a href="/profilo">{page.user.nome} {page.user.cognome}</a>
                  <form method="post" action="/logout" class="inline-form">
                    <input type="hidden" name="_csrf" value={page.csrfToken} />
                    <button type="submit" class="button--link">Esci</button>
                  </form>
                </div>
              )
              : <a class="login-link" href="/login">Accedi</a>}
          </div>
          <nav class="site-nav" aria-label="Sezioni">
            <ul class="wrap">
              {SECTIONS.map((s) => (
                <li>
                  <a
                    href={s.path}
                    aria-current={page.path === s.path || page.path.startsWith(`${s.path}/`)
                      ? "page"
                      : undefined}
                  >
                    {s.title}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        </header>
        <main id="contenuto" class="wrap" tabindex={-1}>
          {props.children}
        </main>
        <footer class="site-footer">
          <div class="wrap">
            <a href="/accessibilita">Dichiarazione di accessibilità</a>
            <span>SIUSS – software libero per gli enti erogatori di prestazioni sociali</span>
          </div>
        </footer>
      </body>
    </html>
  );
}
