/**
 * The seven sections of the product, as in INPS's operating guide: the
 * navigation, the home page and each section's landing page read them here.
 * @module
 */

/** A section of the product. */
export interface Section {
  path: string;
  title: string;
  summary: string;
}

/** The sections in navigation order. */
export const SECTIONS: readonly Section[] = [
  {
    path: "/informazioni",
    title: "Informazioni",
    summary: "Manuale utente, tabella dei codici prestazione, specifiche tecniche e normativa.",
  },
  {
    path: "/acquisizione",
    title: "Acquisizione",
    summary: "Inserimento, annullamento e rettifica di una prestazione alla volta.",
  },
  {
    path: "/trasmissione",
    title: "Trasmissione flussi",
    summary: "Invio di file CSV o XML con ricevute e report dei record scartati.",
  },
  {
    path: "/consultazione",
    title: "Consultazione",
    summary: "Statistiche e ricerche puntuali su quanto trasmesso dall'ente.",
  },
  {
    path: "/strumenti",
    title: "Strumenti",
    summary:
      "Accesso al sistema informativo ISEE e strumenti di verifica di file e codici fiscali.",
  },
  {
    path: "/news",
    title: "News",
    summary: "Comunicazioni e avvisi pubblicati dall'amministrazione.",
  },
  {
    path: "/cooperazione",
    title: "Cooperazione applicativa",
    summary: "API per i sistemi informativi degli enti: invio, esiti e ricerche.",
  },
];
