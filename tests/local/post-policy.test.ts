// The local S3's POST policy checks against forms the real presigner signs
// (@aws-sdk/s3-presigned-post), so the checks read what AWS's signer writes.
import { strict as assert } from "node:assert";
import { S3Client } from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { verifyPostPolicy, type PolicyVerdict } from "../../local/post-policy";

const credentials = { accessKeyId: "AKIDLOCAL", secretAccessKey: "local-secret" };
const s3 = new S3Client({ region: "eu-central-1", credentials, endpoint: "http://127.0.0.1:1", forcePathStyle: true });

async function signedForm(expires = 60): Promise<Record<string, string>> {
  const post = await createPresignedPost(s3 as unknown as Parameters<typeof createPresignedPost>[0], {
    Bucket: "raw",
    Key: "uploads/abc",
    Conditions: [
      ["content-length-range", 1, 100],
      ["eq", "$Content-Type", "image/jpeg"],
      ["eq", "$x-amz-meta-correlation-id", "c-1"],
    ],
    Fields: { "Content-Type": "image/jpeg", "x-amz-meta-correlation-id": "c-1" },
    Expires: expires,
  });
  return post.fields;
}

function verify(fields: Record<string, string>, fileBytes = 10, now = new Date()): PolicyVerdict {
  return verifyPostPolicy(
    { fields, fileName: "a.jpg", fileBytes },
    { bucket: "raw", secrets: { [credentials.accessKeyId]: credentials.secretAccessKey }, now },
  );
}

const code = (verdict: PolicyVerdict) => (verdict.ok ? "ok" : verdict.code);

describe("local S3: POST policy checks", () => {
  it("accepts the form as signed, with its key, content type and metadata", async () => {
    const verdict = verify(await signedForm());
    assert.deepEqual(verdict, { ok: true, key: "uploads/abc", contentType: "image/jpeg", metadata: { "correlation-id": "c-1" } });
  });

  it("refuses a size outside content-length-range", async () => {
    assert.equal(code(verify(await signedForm(), 101)), "EntityTooLarge");
    assert.equal(code(verify(await signedForm(), 0)), "EntityTooSmall");
  });

  it("refuses a changed field, an extra field, a tampered policy and a late upload", async () => {
    const fields = await signedForm();
    assert.equal(code(verify({ ...fields, "Content-Type": "text/html" })), "AccessDenied");
    assert.equal(code(verify({ ...fields, "x-amz-meta-correlation-id": "other" })), "AccessDenied");
    assert.equal(code(verify({ ...fields, key: "uploads/other" })), "AccessDenied");
    const extra = verify({ ...fields, acl: "public-read" });
    assert.equal(code(extra), "AccessDenied");
    assert.match(extra.ok ? "" : extra.message, /Extra input fields: acl/);
    assert.equal(code(verify({ ...fields, "x-ignore-note": "fine" })), "ok", "x-ignore- fields need no condition");
    const policy = JSON.parse(Buffer.from(fields.Policy, "base64").toString()) as { conditions: unknown[] };
    policy.conditions = policy.conditions.filter((c) => !(Array.isArray(c) && c[0] === "content-length-range"));
    assert.equal(code(verify({ ...fields, Policy: Buffer.from(JSON.stringify(policy)).toString("base64") }, 10_000)), "SignatureDoesNotMatch");
    assert.equal(code(verify(fields, 10, new Date(Date.now() + 61_000))), "AccessDenied");
    assert.equal(code(verify({ ...fields, "X-Amz-Credential": fields["X-Amz-Credential"].replace("AKIDLOCAL", "AKIDOTHER") })), "InvalidAccessKeyId");
  });
});
