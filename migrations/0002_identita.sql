-- Identity: enti, users, enablements, sessions, login throttling.

-- ISTAT codes of the 20 regions (ISTAT, "Codici statistici delle unità amministrative territoriali").
create table regioni (
  codice char(2) primary key check (codice ~ '^[0-9]{2}$'),
  denominazione text not null unique
);
insert into regioni (codice, denominazione) values
  ('01', 'Piemonte'), ('02', 'Valle d''Aosta/Vallée d''Aoste'), ('03', 'Lombardia'),
  ('04', 'Trentino-Alto Adige/Südtirol'), ('05', 'Veneto'), ('06', 'Friuli-Venezia Giulia'),
  ('07', 'Liguria'), ('08', 'Emilia-Romagna'), ('09', 'Toscana'), ('10', 'Umbria'),
  ('11', 'Marche'), ('12', 'Lazio'), ('13', 'Abruzzo'), ('14', 'Molise'), ('15', 'Campania'),
  ('16', 'Puglia'), ('17', 'Basilicata'), ('18', 'Calabria'), ('19', 'Sicilia'), ('20', 'Sardegna');

create table enti (
  codice text primary key check (codice ~ '^[A-Z0-9]{1,32}$'),
  tipo text not null check (tipo in ('comune', 'ambito_territoriale', 'unione_comuni', 'consorzio',
    'comunita_montana', 'universita', 'ente_diritto_studio', 'altro')),
  denominazione text not null check (length(denominazione) between 1 and 100),
  belfiore_sede char(4) not null check (belfiore_sede ~ '^[A-Z][0-9]{3}$'),
  regione char(2) not null references regioni,
  pec text check (pec is null or length(pec) <= 254),
  stato text not null default 'attivo' check (stato in ('attivo', 'sospeso')),
  -- Access restrictions (INPS message 2019/2017): CIDR ranges and a daily window, Europe/Rome time.
  ip_consentiti cidr[] not null default '{}',
  orario_inizio time,
  orario_fine time,
  check ((orario_inizio is null) = (orario_fine is null)),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index enti_regione on enti (regione);

create table utenti (
  id bigint generated always as identity primary key,
  -- Login name: the codice fiscale for people, a name for service accounts.
  username text not null,
  codice_fiscale char(16) unique,
  nome text not null check (length(nome) between 1 and 60),
  cognome text not null check (length(cognome) between 1 and 60),
  email text check (email is null or length(email) <= 254),
  stato text not null default 'attivo' check (stato in ('attivo', 'sospeso')),
  password_hash text not null,
  password_changed_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index utenti_username on utenti (lower(username));

create table abilitazioni (
  id bigint generated always as identity primary key,
  utente_id bigint not null references utenti on delete cascade,
  ruolo text not null check (ruolo in ('operatore', 'consultatore', 'referente_ente',
    'referente_territoriale', 'amministratore')),
  -- An ente role names its ente; a territorial contact its region; the administrator neither.
  ente_codice text references enti,
  regione char(2) references regioni,
  check (
    (ruolo in ('operatore', 'consultatore', 'referente_ente') and ente_codice is not null and regione is null)
    or (ruolo = 'referente_territoriale' and regione is not null and ente_codice is null)
    or (ruolo = 'amministratore' and ente_codice is null and regione is null)),
  valido_dal date not null default current_date,
  valido_al date,
  check (valido_al is null or valido_al >= valido_dal),
  created_at timestamptz not null default now()
);
create index abilitazioni_utente on abilitazioni (utente_id);
create index abilitazioni_ente on abilitazioni (ente_codice);

-- Only the SHA-256 of a session token is stored: a copy of the table opens no session.
create table sessioni (
  id text primary key,
  utente_id bigint not null references utenti on delete cascade,
  abilitazione_id bigint references abilitazioni on delete set null,
  csrf_token text not null,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null,
  ip inet,
  user_agent text
);
create index sessioni_utente on sessioni (utente_id);
create index sessioni_expires on sessioni (expires_at);

create table login_tentativi (
  chiave text primary key,
  falliti integer not null default 0,
  primo_fallimento_at timestamptz not null default now(),
  bloccato_fino timestamptz
);

-- At most one queued occurrence of each recurring job.
create unique index jobs_one_recurring_queued on jobs (kind)
  where state = 'queued' and payload ? 'ricorrente';
