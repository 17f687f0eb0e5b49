-- The links between versions (rettifica) are foreign keys to the same table: without an
-- index on the referencing columns, every delete or key update scans the whole table.
create index prestazioni_precedente on prestazioni (ente_id, precedente_id) where precedente_id is not null;
create index sinba_casi_precedente on sinba_casi (ente_id, precedente_id) where precedente_id is not null;
