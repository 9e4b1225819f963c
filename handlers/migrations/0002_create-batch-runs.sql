-- Up Migration

-- Reprocess and dead-letter redrive runs (`pipectl reprocess`, `pipectl dlq
-- redrive`): what a run covers, how far it got, and every object it handed to
-- the queue, so an interrupted run resumes after its checkpoint and its
-- report can say, per object, what became of it.
CREATE TABLE batch_runs (
  id text PRIMARY KEY,
  kind text NOT NULL,
  -- sha256 of the canonical parameters: a rerun with the same ones resumes.
  params_hash text NOT NULL,
  params jsonb NOT NULL,
  status text NOT NULL DEFAULT 'running',
  -- {"afterKey": last fully-enqueued key} | {"linesDone": n} | {"moved": n}
  checkpoint jsonb NOT NULL DEFAULT '{}'::jsonb,
  enqueued integer NOT NULL DEFAULT 0,
  not_enqueued integer NOT NULL DEFAULT 0,
  total integer,
  started_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  CONSTRAINT batch_runs_kind_check CHECK (kind IN ('reprocess', 'redrive')),
  CONSTRAINT batch_runs_status_check CHECK (status IN ('running', 'interrupted', 'completed'))
);

CREATE INDEX batch_runs_resume_idx ON batch_runs (kind, params_hash, started_at DESC) WHERE status <> 'completed';

CREATE TABLE batch_run_items (
  id bigserial PRIMARY KEY,
  run_id text NOT NULL REFERENCES batch_runs (id) ON DELETE CASCADE,
  bucket text,
  key text,
  message_id text,
  outcome text NOT NULL,
  detail text,
  at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT batch_run_items_outcome_check CHECK (outcome IN ('enqueued', 'not-enqueued', 'already-processed'))
);

CREATE INDEX batch_run_items_run_idx ON batch_run_items (run_id, bucket, key);

-- Down Migration

DROP TABLE batch_run_items;
DROP TABLE batch_runs;
