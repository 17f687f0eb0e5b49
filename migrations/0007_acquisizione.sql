-- Single entry (Acquisizione): what each web acquisition did, why, and the form it came from.

alter table acquisizioni
  add column operazione text check (operazione in ('inserimento', 'annullamento', 'rettifica')),
  -- The reason an operator gives for a cancellation or a correction.
  add column motivo text check (length(motivo) <= 500),
  -- The codice fiscale of the operator, for the official XML envelope (Ente/@CFOperatore).
  add column cf_operatore text,
  -- A token carried by each form: a second submission of the same form finds the first acquisition;
  -- the fingerprint (operation, record, values) tells a true repeat from a reused token.
  add column idempotenza text check (length(idempotenza) <= 64),
  add column impronta text,
  -- The progressive number of the flow name of the acquisition's official XML (SPEC §3.1).
  add column progressivo bigint generated always as identity;

create unique index acquisizioni_idempotenza on acquisizioni (ente_id, idempotenza)
  where idempotenza is not null;
-- The ente's recent operations, newest first, by channel.
create index acquisizioni_recenti on acquisizioni (ente_id, canale, created_at desc);
-- The records a cancellation or correction closed, for its receipt.
create index prestazioni_annullata_da on prestazioni (ente_id, annullata_da)
  where annullata_da is not null;
