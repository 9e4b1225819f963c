-- Up Migration

-- One row per uploaded object version: its thumbnails, or why it has none.
-- transaction_id is derived from bucket + key + version (or eTag + sequencer)
-- by the thumbnail handler; its uniqueness is what makes any number of
-- deliveries of one upload end as one row (INSERT ... ON CONFLICT DO NOTHING).
CREATE TABLE images (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  transaction_id text NOT NULL,
  status text NOT NULL,
  original_url text NOT NULL,
  raw_bucket text NOT NULL,
  raw_key text NOT NULL,
  raw_version_id text,
  -- Primary-format URLs of the `small` and `medium` sizes, as in the original table.
  thumbnail_url_small text,
  thumbnail_url_medium text,
  -- Every output: [{"name","format","url","key","width","height","bytes"}].
  outputs jsonb NOT NULL DEFAULT '[]'::jsonb,
  failure_reason text,
  failure_detail text,
  correlation_id text NOT NULL,
  input_format text,
  input_width integer,
  input_height integer,
  input_bytes bigint,
  output_bytes bigint,
  -- Milliseconds per stage: {"download","decode","resize","encode","upload","lookup"}.
  stage_timings jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT images_transaction_id_key UNIQUE (transaction_id),
  CONSTRAINT images_status_check CHECK (status IN ('ok', 'failed')),
  -- A failed row always says why; a good row never carries a reason.
  CONSTRAINT images_failure_reason_check CHECK ((status = 'failed') = (failure_reason IS NOT NULL))
);

-- "What happened to this object?" and per-reason failure reports.
CREATE INDEX images_raw_object_idx ON images (raw_bucket, raw_key);
CREATE INDEX images_failed_idx ON images (failure_reason, created_at) WHERE status = 'failed';
-- Following one upload by the correlation id it was given (M14; the canary's lookup).
CREATE INDEX images_correlation_id_idx ON images (correlation_id);

CREATE FUNCTION images_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;

CREATE TRIGGER images_touch_updated_at BEFORE UPDATE ON images
  FOR EACH ROW EXECUTE FUNCTION images_touch_updated_at();

-- Down Migration

DROP TABLE images;
DROP FUNCTION images_touch_updated_at();
