-- The benefit-code table, versioned, and the benefit records with their acquisitions.

create table tabella_versioni (
  id integer generated always as identity primary key,
  stato text not null default 'bozza' check (stato in ('bozza', 'attiva', 'archiviata')),
  -- The version applies to benefits dated from this day (R09 picks the version valid at a record's date).
  valida_dal date,
  fonte text not null,
  sha256 text not null,
  caricata_da text not null,
  caricata_at timestamptz not null default now(),
  attivata_da text,
  attivata_at timestamptz,
  check (stato = 'bozza' or valida_dal is not null)
);

create table tabella_codici (
  versione_id integer not null references tabella_versioni on delete cascade,
  codice text not null check (length(codice) between 5 and 10),
  denominazione text not null check (length(denominazione) between 1 and 200),
  macro_area text not null check (macro_area in ('A1', 'A2', 'A3')),
  valido_dal date not null,
  valido_al date,
  solo_presa_in_carico boolean not null,
  richiede_data_evento boolean not null,
  -- Unknown (null) unless the source says whether the benefit is conditioned on ISEE.
  condizionata_isee boolean,
  fonte text,
  primary key (versione_id, codice),
  check (valido_al is null or valido_al >= valido_dal)
);

-- One acquisition per submission: a form, a flow, an API message, a WaaS flow.
create table acquisizioni (
  ente_id text not null references enti,
  id uuid not null default gen_random_uuid(),
  canale text not null check (canale in ('web', 'flusso', 'api', 'waas')),
  operatore text not null,
  created_at timestamptz not null default now(),
  flusso_id bigint,
  primary key (ente_id, id)
);

create table prestazioni (
  ente_id text not null references enti,
  id bigint generated always as identity,
  stato text not null default 'attiva' check (stato in ('attiva', 'annullata')),
  banca text not null check (banca in ('PS', 'PSA')),
  versione integer not null default 1,
  -- A correction (rettifica) links the new version to the one it replaced.
  precedente_id bigint,
  acquisizione_id uuid not null,
  annullata_da uuid,
  annullata_at timestamptz,
  -- Business key (SPEC §3.5).
  codice_fiscale text not null,
  codice_prestazione text not null,
  protocollo_domanda text not null,
  data_riferimento date not null,
  -- Beneficiary.
  cognome text not null,
  nome text not null,
  anno_nascita char(4) not null,
  luogo_nascita char(4) not null,
  genere char(1) not null,
  codice_cittadinanza char(3) not null,
  codice_seconda_cittadinanza char(3),
  indirizzi jsonb not null,
  -- Benefit.
  denominazione_prestazione text not null,
  presenza_prova_mezzi char(1) not null,
  carattere_prestazione char(1) not null,
  numero_protocollo_dsu text,
  anno_protocollo_dsu char(4),
  data_dsu date,
  data_evento date,
  data_inizio_prestazione date,
  data_fine_prestazione date,
  data_erogazione_prestazione date,
  periodo_erogazione smallint,
  importo_prestazione numeric(12, 2),
  importo_mensile numeric(12, 2),
  importo_quota_ente numeric(12, 2),
  importo_quota_utente numeric(12, 2),
  importo_quota_ssn numeric(12, 2),
  importo_quota_richiesta numeric(12, 2),
  importo_soglia_isee numeric(12, 2),
  ore_servizio_mensile numeric(12, 2),
  presa_carico char(1) not null,
  area_utenza char(1),
  avvisi jsonb not null default '[]',
  created_at timestamptz not null default now(),
  primary key (ente_id, id),
  foreign key (ente_id, acquisizione_id) references acquisizioni (ente_id, id),
  foreign key (ente_id, precedente_id) references prestazioni (ente_id, id)
);
-- A business key is unique among the active records of an ente (R15, R16).
create unique index prestazioni_chiave_attiva on prestazioni
  (ente_id, codice_fiscale, codice_prestazione, protocollo_domanda, data_riferimento)
  where stato = 'attiva';
create index prestazioni_cf on prestazioni (ente_id, codice_fiscale);
create index prestazioni_acquisizione on prestazioni (ente_id, acquisizione_id);

-- SINA assessments: special-category data, in their own table.
create table sina (
  ente_id text not null,
  prestazione_id bigint not null,
  mobilita char(1) not null,
  attivita_vita_quotidiana char(1) not null,
  disturbi_area_cognitiva char(1),
  disturbi_comportamentali char(1) not null,
  necessita_cure_sanitarie char(1),
  area_reddituale char(1) not null,
  area_supporto char(1) not null,
  fonte_derivazione_valutazione char(1) not null,
  strumento_valutazione char(1) not null,
  fonte_derivazione_invalidita char(1),
  necessita_interventi_sociali text[] not null default '{}',
  invalidita_civile text[] not null default '{}',
  primary key (ente_id, prestazione_id),
  foreign key (ente_id, prestazione_id) references prestazioni (ente_id, id)
);
