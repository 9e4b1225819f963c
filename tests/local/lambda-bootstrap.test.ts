// Runtime settings hold only if they hold under Lambda's bootstrap, which puts
// V8's heap limits for the memory size on node's command line (beating
// NODE_OPTIONS). These start the thumbnails bundle through the bootstrap
// stand-in and read, from inside the function's process, the young
// generation V8 actually let it grow to.
import { strict as assert } from "node:assert";
import { chmodSync, cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXEC_WRAPPER_FILE, RUNTIME_ENV, THUMBNAILS_ENVIRONMENT } from "../../handlers/thumbnails/image";
import { DEFAULT_FUNCTIONS } from "../../infra/config";
import { launchLambda, LaunchError, type LambdaContainer, type LambdaFunctionSpec } from "../../local/lambda-launcher";
import { REPO_ROOT } from "../../cli/repo-root";

const MB = 1024 * 1024;
const MEMORY = DEFAULT_FUNCTIONS.thumbnails.memoryMb;
const SEMI_SPACE_MB = Number(/--max-semi-space-size=(\d+)/.exec(RUNTIME_ENV.NODE_OPTIONS ?? "")?.[1]);

interface YoungGeneration {
  newSpaceMaxBytes: number;
  execArgv: string[];
}

function spec(environment: Readonly<Record<string, string>>, memoryMb = MEMORY): LambdaFunctionSpec {
  return { name: "thumbnails", memoryMb, timeoutSeconds: 60, region: "us-east-1", environment };
}

describe("the thumbnails bundle under the nodejs22.x bootstrap", function () {
  this.timeout(120_000);
  let container: LambdaContainer | undefined;
  afterEach(async () => {
    await container?.stop();
    container = undefined;
  });

  async function youngGeneration(environment: Readonly<Record<string, string>>, memoryMb = MEMORY): Promise<YoungGeneration> {
    container = await launchLambda(spec(environment, memoryMb));
    return (await container.probe("young-generation")) as YoungGeneration;
  }

  it("gets RUNTIME_ENV's semi-space cap through the bundle's exec wrapper", async () => {
    assert.ok(SEMI_SPACE_MB > 0, "RUNTIME_ENV sets --max-semi-space-size");
    const got = await youngGeneration(THUMBNAILS_ENVIRONMENT);
    // Two semi-spaces make the young generation.
    assert.ok(
      got.newSpaceMaxBytes <= 2 * SEMI_SPACE_MB * MB,
      `young generation grew to ${got.newSpaceMaxBytes / MB} MB; the cap is ${2 * SEMI_SPACE_MB} MB (${got.execArgv.join(" ")})`,
    );
    assert.ok(got.execArgv.includes(`--max-old-space-size=${MEMORY - Math.floor(MEMORY / 10)}`), "the bootstrap's old-space limit stays");
  });

  it("gets the bootstrap's larger young generation without the wrapper, NODE_OPTIONS or not", async () => {
    const bootstrapSemiMb = Math.floor(MEMORY / 10 / 2);
    assert.ok(bootstrapSemiMb > SEMI_SPACE_MB, "the deployed memory's bootstrap semi-space is larger than RUNTIME_ENV's");
    const { AWS_LAMBDA_EXEC_WRAPPER: _wrapper, ...withoutWrapper } = THUMBNAILS_ENVIRONMENT;
    const got = await youngGeneration(withoutWrapper);
    assert.ok(got.execArgv.includes(`--max-semi-space-size=${bootstrapSemiMb}`), got.execArgv.join(" "));
    assert.ok(got.newSpaceMaxBytes > 2 * SEMI_SPACE_MB * MB, `NODE_OPTIONS alone should not hold under the bootstrap; got ${got.newSpaceMaxBytes / MB} MB`);
    assert.ok(got.newSpaceMaxBytes >= 2 * bootstrapSemiMb * MB, `young generation ${got.newSpaceMaxBytes / MB} MB`);
  });

  it("refuses to start when the wrapper lost its executable bit, as the real bootstrap does", async () => {
    const copy = mkdtempSync(join(tmpdir(), "bundle-"));
    try {
      cpSync(join(REPO_ROOT, "dist", "thumbnails", EXEC_WRAPPER_FILE), join(copy, EXEC_WRAPPER_FILE));
      chmodSync(join(copy, EXEC_WRAPPER_FILE), 0o644);
      await assert.rejects(launchLambda(spec({ ...THUMBNAILS_ENVIRONMENT, AWS_LAMBDA_EXEC_WRAPPER: join(copy, EXEC_WRAPPER_FILE) })), (error: unknown) => {
        assert.ok(error instanceof LaunchError);
        assert.match(error.message, /is not an executable/);
        return true;
      });
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
