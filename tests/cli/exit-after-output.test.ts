// A command line that ends with process.exit() must not cut its own output:
// where stdout is asynchronous (a pipe on macOS), writes still queued when
// the process exits are lost, and `--json | jq` reads half a document.
import { strict as assert } from "node:assert";
import { Writable } from "node:stream";
import { exitAfterOutput } from "../../cli/exit-codes";

/** A stream that takes `delayMs` to hand each chunk on, as a slow reader on a pipe does. */
function slowStream(delayMs: number): { stream: Writable; written: () => string } {
  let text = "";
  const stream = new Writable({
    highWaterMark: 16,
    write(chunk: Buffer, _encoding, done) {
      setTimeout(() => {
        text += chunk.toString();
        done();
      }, delayMs);
    },
  });
  return { stream, written: () => text };
}

describe("exitAfterOutput", () => {
  it("exits with the code only after every write queued before it is handed on, on every stream", async () => {
    const out = slowStream(5);
    const err = slowStream(1);
    const document = JSON.stringify({ findings: Array.from({ length: 20 }, (_, i) => ({ i })) });
    for (const part of document.match(/.{1,40}/g) ?? []) out.stream.write(part);
    err.stream.write("checked 20 resources\n");
    const exited = await new Promise<{ code: number; out: string; err: string }>((resolve) =>
      exitAfterOutput(1, [out.stream, err.stream], (code) => resolve({ code, out: out.written(), err: err.written() })),
    );
    assert.equal(exited.code, 1);
    assert.equal(exited.out, document, "the whole document was written before the exit");
    assert.equal(exited.err, "checked 20 resources\n");
  });
});
