-- A flow stores thousands of records per statement (COPY). A foreign key checks each new row on
-- its own, with a query and a row lock per record; the checks below read a statement's new rows
-- at once, with one query. They stand for the foreign keys they replace because the rows they
-- point to are never deleted nor re-keyed (refused below): a reference checked when its row is
-- written stays valid.
alter table prestazioni drop constraint prestazioni_ente_id_acquisizione_id_fkey;
alter table sinba_casi drop constraint sinba_casi_ente_id_acquisizione_id_fkey;
alter table sina drop constraint sina_ente_id_prestazione_id_fkey;

-- New rows of `prestazioni` or `sinba_casi` must belong to an acquisition of their ente.
-- The checks run their query through EXECUTE, planned anew for each statement: a plan kept from
-- the session's first statement, made when the tables were small, would scan a whole table
-- later on (seen: seconds per batch once `prestazioni` had grown within one flow).
create function acquisizione_esistente() returns trigger language plpgsql as $$
declare
  missing boolean;
begin
  execute $q$
    select exists (
      select 1 from (select distinct ente_id, acquisizione_id from nuove) n
      where not exists (
        select 1 from acquisizioni a where a.ente_id = n.ente_id and a.id = n.acquisizione_id))
  $q$ into strict missing;
  if missing then
    raise foreign_key_violation
      using message = format('%s: acquisizione inesistente per l''ente', tg_table_name);
  end if;
  return null;
end $$;
create trigger prestazioni_acquisizione after insert on prestazioni
  referencing new table as nuove for each statement execute function acquisizione_esistente();
create trigger sinba_casi_acquisizione after insert on sinba_casi
  referencing new table as nuove for each statement execute function acquisizione_esistente();

-- New SINA assessments must belong to a benefit record of their ente.
create function sina_prestazione_esistente() returns trigger language plpgsql as $$
declare
  missing boolean;
begin
  execute $q$
    select exists (
      select 1 from nuove n
      where not exists (
        select 1 from prestazioni p where p.ente_id = n.ente_id and p.id = n.prestazione_id))
  $q$ into strict missing;
  if missing then
    raise foreign_key_violation using message = 'sina: prestazione inesistente per l''ente';
  end if;
  return null;
end $$;
create trigger sina_prestazione after insert on sina
  referencing new table as nuove for each statement execute function sina_prestazione_esistente();

-- The references themselves never change, and what they point to is never deleted.
create function riferimento_immutabile() returns trigger language plpgsql as $$
begin
  raise exception '%: % non consentito (i riferimenti sono immutabili)', tg_table_name, tg_op;
end $$;
create trigger acquisizioni_immutabili before delete or update of ente_id, id on acquisizioni
  for each row execute function riferimento_immutabile();
create trigger prestazioni_immutabili before delete or update of ente_id, id on prestazioni
  for each row execute function riferimento_immutabile();
create trigger prestazioni_acquisizione_immutabile before update of acquisizione_id on prestazioni
  for each row when (old.acquisizione_id is distinct from new.acquisizione_id)
  execute function riferimento_immutabile();
create trigger sinba_casi_acquisizione_immutabile before update of ente_id, acquisizione_id on sinba_casi
  for each row when (old.ente_id is distinct from new.ente_id
                     or old.acquisizione_id is distinct from new.acquisizione_id)
  execute function riferimento_immutabile();
create trigger sina_prestazione_immutabile before update of ente_id, prestazione_id on sina
  for each row when (old.ente_id is distinct from new.ente_id
                     or old.prestazione_id is distinct from new.prestazione_id)
  execute function riferimento_immutabile();
