-- A benefit record's ente is already guaranteed by its acquisition, which references the ente:
-- the direct reference to enti only cost a lookup and a row lock per stored record (bulk flows).
alter table prestazioni drop constraint prestazioni_ente_id_fkey;
