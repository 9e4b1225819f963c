-- Up Migration

-- One row per upload the API issued (POST /uploads): the image id it handed
-- out, the raw key its presigned POST is bound to, and the correlation id the
-- object will carry. GET /images/{id} finds the images row through raw_key;
-- an id with no row here was never issued (404).
--
-- Idempotency: a caller's Idempotency-Key is unique per caller, so a retried
-- request finds the first answer (`response`, replayed verbatim) instead of
-- issuing a second upload. request_hash tells a retry from a reuse of the key
-- for a different request (refused).
CREATE TABLE uploads (
  image_id uuid PRIMARY KEY,
  caller text NOT NULL,
  idempotency_key text,
  request_hash text NOT NULL,
  raw_bucket text NOT NULL,
  raw_key text NOT NULL,
  correlation_id text NOT NULL,
  content_type text NOT NULL,
  max_bytes bigint NOT NULL,
  expires_at timestamptz NOT NULL,
  response jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT uploads_raw_object_key UNIQUE (raw_bucket, raw_key),
  CONSTRAINT uploads_idempotency_key UNIQUE (caller, idempotency_key)
);

-- Down Migration

DROP TABLE uploads;
