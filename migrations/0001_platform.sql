-- Platform tables: durable jobs, the append-only audit log, instance settings.

create table jobs (
  id bigint generated always as identity primary key,
  kind text not null,
  payload jsonb not null default '{}',
  state text not null default 'queued'
    check (state in ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  priority smallint not null default 0,
  attempts integer not null default 0,
  max_attempts integer not null default 5 check (max_attempts >= 1),
  run_at timestamptz not null default now(),
  -- A new lease at every claim: only the holder of the current lease may
  -- report progress or finish the job, so a worker presumed dead cannot
  -- complete a job another worker has taken over.
  lease uuid,
  worker text,
  heartbeat_at timestamptz,
  progress_done bigint not null default 0,
  progress_total bigint,
  progress_message text,
  result jsonb,
  last_error text,
  cancel_requested boolean not null default false,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz
);
create index jobs_ready on jobs (priority desc, run_at, id) where state = 'queued';
create index jobs_running on jobs (heartbeat_at) where state = 'running';

create table audit_log (
  id bigint generated always as identity primary key,
  at timestamptz not null default clock_timestamp(),
  actor text not null,
  ente text,
  action text not null,
  object text,
  details jsonb not null default '{}',
  ip inet,
  request_id text
);
create index audit_log_ente_at on audit_log (ente, at);
create index audit_log_actor_at on audit_log (actor, at);

-- The audit log has no update or delete path, not even for the application's own role.
create function audit_log_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log è in sola aggiunta: % non consentito', tg_op;
end $$;
create trigger audit_log_no_update before update or delete on audit_log
  for each row execute function audit_log_append_only();
create trigger audit_log_no_truncate before truncate on audit_log
  for each statement execute function audit_log_append_only();

create table app_settings (
  key text primary key,
  value jsonb not null,
  updated_at timestamptz not null default now()
);
