-- Trasmissione flussi: uploaded flows, their original files (kept in the database, where every
-- worker can read them) and the rejected records of each.

create table flussi (
  ente_id text not null references enti,
  id bigint generated always as identity,
  nome_file text not null check (length(nome_file) <= 255),
  -- XML: the flow's own name (IdentificazioneFlusso/@Nome).
  nome_flusso text,
  -- PS_PSA_SINA or SINBA; null until detected (a flow refused before detection has none).
  tipo text check (tipo in ('PS_PSA_SINA', 'SINBA')),
  formato text check (formato in ('csv', 'xml')),
  modalita text not null check (modalita in ('invio', 'verifica')),
  atomico boolean not null default false,
  stato text not null default 'RICEVUTO'
    check (stato in ('RICEVUTO', 'IN_ELABORAZIONE', 'ELABORATO', 'RIFIUTATO')),
  esito text check (esito in ('OK', 'OK_CON_SCARTI', 'RICHIESTA_INVALIDA', 'ERRORE_GENERICO')),
  sha256 text,
  dimensione bigint not null default 0,
  codifica text,
  separatore text,
  operatore text not null,
  cf_operatore text,
  acquisizione_id uuid,
  -- Records read so far (the checkpoint a resumed job starts after) and the total expected.
  posizione integer not null default 0,
  totale integer,
  ricevuti integer not null default 0,
  accettati integer not null default 0,
  scartati integer not null default 0,
  annullati integer not null default 0,
  avvisi integer not null default 0,
  -- Why the whole flow was refused: [{ riga, messaggio }].
  motivi jsonb not null default '[]',
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  primary key (ente_id, id)
);
-- The same file acquired twice by an ente is refused (SPEC §6); a dry run, a refused flow or one
-- that failed does not count, so it can be sent again.
create unique index flussi_sha256 on flussi (ente_id, sha256)
  where modalita = 'invio' and sha256 is not null and stato <> 'RIFIUTATO'
    and esito is distinct from 'ERRORE_GENERICO';
create index flussi_elenco on flussi (ente_id, created_at desc);

-- The original file, in blocks of at most 1 MiB, in order.
create table flussi_blocchi (
  ente_id text not null,
  flusso_id bigint not null,
  n integer not null,
  dati bytea not null,
  primary key (ente_id, flusso_id, n),
  foreign key (ente_id, flusso_id) references flussi (ente_id, id) on delete cascade
);

-- One line per broken rule of a rejected record (a record that breaks two rules has two lines).
create table flussi_scarti (
  ente_id text not null,
  flusso_id bigint not null,
  id bigint generated always as identity,
  posizione integer not null,
  chiave text,
  regola text not null,
  campo text,
  valore text,
  messaggio text not null,
  primary key (ente_id, flusso_id, id),
  foreign key (ente_id, flusso_id) references flussi (ente_id, id) on delete cascade
);
create index flussi_scarti_posizione on flussi_scarti (ente_id, flusso_id, posizione, id);

alter table acquisizioni add foreign key (ente_id, flusso_id) references flussi (ente_id, id);
