-- A flow's file is compressed with LZ4 where the server has it: several times faster than
-- PostgreSQL's own pglz at writing and reading a file of tens of megabytes, for a little less
-- compression.
do $$
begin
  if exists (select 1 from pg_settings
             where name = 'default_toast_compression' and 'lz4' = any(enumvals)) then
    alter table flussi_blocchi alter column dati set compression lz4;
  end if;
end
$$;
