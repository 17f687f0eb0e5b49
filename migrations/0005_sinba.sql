-- SINBA: minors and families taken in charge. A minor is identified only by the
-- ente's pseudonym IDBeneficiario: no table here holds a name or a codice fiscale.

create table sinba_casi (
  ente_id text not null references enti,
  id bigint generated always as identity,
  stato text not null default 'attiva' check (stato in ('attiva', 'annullata')),
  versione integer not null default 1,
  precedente_id bigint,
  acquisizione_id uuid not null,
  annullata_da uuid,
  annullata_at timestamptz,
  -- Business key (decision): the ente's pseudonym of the minor and the month of first report.
  id_beneficiario text not null check (length(id_beneficiario) between 1 and 20),
  data_prima_segnalazione char(7) not null,
  anno_nascita char(4) not null,
  fascia_eta char(1) not null,
  codice_nazione_residenza char(3) not null,
  codice_regione_residenza char(2),
  -- The ~40 coded attributes of the XSD, by their official names.
  attributi jsonb not null,
  prestazioni text[] not null,
  composizione_famiglia text[] not null,
  created_at timestamptz not null default now(),
  primary key (ente_id, id),
  foreign key (ente_id, acquisizione_id) references acquisizioni (ente_id, id),
  foreign key (ente_id, precedente_id) references sinba_casi (ente_id, id)
);
create unique index sinba_casi_chiave_attiva on sinba_casi (ente_id, id_beneficiario, data_prima_segnalazione)
  where stato = 'attiva';
