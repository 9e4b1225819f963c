// What the upload API and result events share with the program: the upload
// forms' key prefix, content types and lifetime, and the bus result events go to.

/** Content types of the input formats the thumbnail function decodes (handlers/thumbnails/image: InputFormat). */
export const UPLOAD_CONTENT_TYPES = ["image/jpeg", "image/png", "image/webp", "image/gif", "image/avif", "image/tiff"] as const;
/** Key prefix of every upload the API admits; the api function's role may write only under it. */
export const DEFAULT_UPLOAD_PREFIX = "uploads/";
/** Short: the form is a capability to write one key. AWS allows up to 7 days; minutes are plenty for a browser. */
export const DEFAULT_UPLOAD_EXPIRY_SECONDS = 300;
export const MAX_UPLOAD_EXPIRY_SECONDS = 3600;
/** S3 refuses a single PUT/POST above 5 GiB: no form can admit more. */
export const MAX_UPLOAD_BYTES = 5 * 1024 ** 3;

/** Result events go to the region's default bus, where any account rule can match them. */
export const RESULT_EVENT_BUS = "default";
/** Owed result events the result-publisher sends per run at most, so a run stays inside its timeout. */
export const MAX_EVENTS_PER_RUN = 1000;

/** The request header that makes POST /uploads safe to retry (the API reads it; the API's CORS configuration lets browsers send it). */
export const IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
