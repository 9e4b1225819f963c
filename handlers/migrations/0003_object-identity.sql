-- Up Migration

-- The raw object's ETag on its row: an unversioned object's identity is its
-- ETag and Last-Modified (handlers/thumbnails/identity.ts), and an event whose
-- object is gone by the time it is handled can only be matched to an earlier
-- row of the same upload by key and ETag.
ALTER TABLE images ADD COLUMN raw_etag text;
CREATE INDEX images_raw_etag_idx ON images (raw_bucket, raw_key, raw_etag);

-- The transaction id a reprocess run expects for each object it sent, so its
-- report finds exactly that object's row, and every other row of the key too.
ALTER TABLE batch_run_items ADD COLUMN transaction_id text;

-- Down Migration

ALTER TABLE batch_run_items DROP COLUMN transaction_id;
DROP INDEX images_raw_etag_idx;
ALTER TABLE images DROP COLUMN raw_etag;
