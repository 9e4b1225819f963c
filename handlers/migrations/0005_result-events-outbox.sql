-- Up Migration

-- Result events (Thumbnails Ready / Thumbnails Failed on EventBridge) are
-- sent from the committed row, never before it: a row whose
-- event_published_at is NULL is owed an event. The thumbnails function tries
-- right after its batch, the result-publisher function sweeps whatever is
-- still owed, so a failed publish is retried without holding the queue.
-- Delivery is at least once: a row can be announced twice when a publish
-- succeeded but recording it did not.
ALTER TABLE images ADD COLUMN event_published_at timestamptz;
ALTER TABLE images ADD COLUMN event_attempts integer NOT NULL DEFAULT 0;
ALTER TABLE images ADD COLUMN event_last_error text;
-- Rows written before result events existed were never promised one.
UPDATE images SET event_published_at = created_at;
CREATE INDEX images_event_owed_idx ON images (created_at) WHERE event_published_at IS NULL;

-- Down Migration

DROP INDEX images_event_owed_idx;
ALTER TABLE images DROP COLUMN event_last_error;
ALTER TABLE images DROP COLUMN event_attempts;
ALTER TABLE images DROP COLUMN event_published_at;
