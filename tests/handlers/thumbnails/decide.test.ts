// Which failures end an upload (a `failed` row) and which send the message
// back to the queue. Pure; the errors are shaped as the AWS SDK and pg throw them.
import { strict as assert } from "node:assert";
import { NoSuchKey, S3ServiceException } from "@aws-sdk/client-s3";
import { decideFailure } from "../../../handlers/thumbnails/decide";

function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({ name, $fault: status >= 500 ? "server" : "client", $metadata: { httpStatusCode: status }, message: name });
}

function pgError(code: string, message = "pg error"): Error {
  return Object.assign(new Error(message), { code });
}

describe("failure decisions", () => {
  it("treats a vanished object or version as permanent: object-gone", () => {
    for (const error of [
      new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: "The specified key does not exist." }),
      s3Error("NoSuchVersion", 404),
      s3Error("NotFound", 404),
      s3Error("PreconditionFailed", 412),
    ]) {
      const decision = decideFailure("download", error);
      assert.equal(decision.kind, "permanent", error.name);
      assert.equal(decision.kind === "permanent" && decision.reason, "object-gone");
    }
  });

  it("retries S3 throttling, server errors, timeouts, access denied and anything unknown", () => {
    for (const error of [
      s3Error("SlowDown", 503),
      s3Error("InternalError", 500),
      s3Error("AccessDenied", 403),
      Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
      new Error("something nobody has seen"),
      "a thrown string",
    ]) {
      const decision = decideFailure("download", error);
      assert.equal(decision.kind, "transient", String(error));
      assert.equal(decision.kind === "transient" && decision.databaseUnavailable, false);
    }
  });

  it("never makes an upload's failure permanent outside the download", () => {
    assert.equal(decideFailure("upload", s3Error("NoSuchKey", 404)).kind, "transient");
    assert.equal(decideFailure("write", pgError("23514")).kind, "transient");
    assert.equal(decideFailure("render", new Error("vips crashed")).kind, "transient");
  });

  it("flags an unreachable database so the rest of the batch is not attempted", () => {
    for (const error of [pgError("ECONNREFUSED"), pgError("57P01"), pgError("08006"), new Error("Connection terminated unexpectedly")]) {
      const decision = decideFailure("write", error);
      assert.deepEqual(decision.kind === "transient" && decision.databaseUnavailable, true, String(error));
      assert.equal(decideFailure("lookup", error).kind, "transient");
    }
    const schemaMissing = decideFailure("lookup", pgError("42P01", 'relation "images" does not exist'));
    assert.deepEqual(schemaMissing.kind === "transient" && schemaMissing.databaseUnavailable, false);
  });

  it("says what the error was in the detail", () => {
    const decision = decideFailure("download", s3Error("NoSuchVersion", 404));
    assert.match(decision.detail, /NoSuchVersion.*HTTP 404/);
  });
});
