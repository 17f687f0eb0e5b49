-- Reference data: Italian comuni, foreign states, citizenship codes. The rows are not
-- written here: modules/prestazioni/reference_data.ts loads them from the npm packages
-- that maintain them, and records in riferimenti_versioni which versions it loaded.

-- Every comune that has had a Belfiore (cadastral) code, ceased ones included: a person
-- born in a comune that no longer exists still carries its code in the codice fiscale.
-- One row per code: the source (ANPR archive) keeps one code per comune across renames
-- and province changes, and no code in it is shared by two comuni.
create table comuni (
  belfiore char(4) primary key check (belfiore ~ '^[A-Y][0-9]{3}$'),
  -- Current ISTAT code for comuni in force; for ceased ones, the last known one, when known.
  istat char(6) check (istat ~ '^[0-9]{6}$'),
  denominazione text not null check (length(denominazione) between 1 and 200),
  -- Province sigla: the current one for comuni in force, the one the source records for ceased ones.
  provincia char(2) check (provincia ~ '^[A-Z]{2}$'),
  regione char(2) references regioni,
  -- Null when the source has no date.
  valido_dal date,
  -- Date of cessation (ANPR); null for comuni in force.
  valido_al date,
  check (valido_al is null or valido_dal is null or valido_al >= valido_dal)
);
-- An ISTAT code names one comune in force; a ceased comune's old code is only informative.
create unique index comuni_istat_vigenti on comuni (istat) where valido_al is null;
create index comuni_istat on comuni (istat);

-- Foreign states by their Belfiore code (Z…), ceased ones included (e.g. Z135 Unione Sovietica).
create table stati_esteri (
  belfiore char(4) primary key check (belfiore ~ '^Z[0-9]{3}$'),
  denominazione text not null check (length(denominazione) between 1 and 200),
  iso_alpha2 char(2) check (iso_alpha2 ~ '^[A-Z]{2}$'),
  iso_numerico char(3) check (iso_numerico ~ '^[0-9]{3}$'),
  valido_dal date,
  valido_al date,
  check (valido_al is null or valido_dal is null or valido_al >= valido_dal)
);
create index stati_esteri_iso_numerico on stati_esteri (iso_numerico);

-- Citizenship codes (CodiceCittadinanza): ISO 3166-1 numeric, plus the product's own values
-- (990 = not available), each row saying where it comes from.
create table cittadinanze (
  codice char(3) primary key check (codice ~ '^[0-9]{3}$'),
  denominazione text not null check (length(denominazione) between 1 and 200),
  fonte text not null
);

-- Which source versions each reference table was loaded from: the loader reloads a table
-- only when this differs from the versions it is built with.
create table riferimenti_versioni (
  name text primary key,
  version text not null,
  righe integer not null check (righe >= 0),
  loaded_at timestamptz not null default now()
);
