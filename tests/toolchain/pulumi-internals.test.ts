// The contract of toolchain/pulumi-internals.ts with the installed Pulumi
// SDKs. Each test's title says, in one line, what stops working when an
// upgrade of @pulumi/* changes the internal it checks.
import { strict as assert } from "node:assert";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { REPO_ROOT } from "../../cli/repo-root";
import { SIGNATURE_KEY, SIGNATURES, UNKNOWN } from "../../toolchain/plan/wire";
import {
  AnalyzerClient,
  analyzer,
  Empty,
  muteStackTraces,
  onMockRegistration,
  RUN_POLICY_PACK,
  Struct,
  waitForRPCs,
  type Registration,
} from "../../toolchain/pulumi-internals";

const echo: pulumi.runtime.Mocks = {
  newResource: (args) => ({ id: `${args.name}-id`, state: { ...args.inputs, arn: `arn:test:${args.name}` } }),
  call: (args) => args.inputs,
};

class Thing extends pulumi.CustomResource {
  constructor(type: string, name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    super(type, name, props, opts);
  }
}

class Box extends pulumi.ComponentResource {
  constructor(name: string) {
    super("test:index:Box", name, {}, {});
    new Thing("test:index:Thing", `${name}-thing`, { size: 3, tags: { a: "b" } }, { parent: this });
    this.registerOutputs({});
  }
}

/** Registers a component with one child under fresh mocks, recording what the hook sees. */
async function registerUnderMocks(): Promise<Registration[]> {
  await pulumi.runtime.setMocks(echo, "contract", "dev", true);
  const seen: Registration[] = [];
  onMockRegistration(pulumi, (r) => seen.push(r));
  new Box("box");
  await waitForRPCs(pulumi);
  return seen;
}

describe("the Pulumi internals the offline plan and check rely on", () => {
  it("mock monitor registerResource hook: `npm run plan` and `npm run check` would see no resources, or wrong ones", async () => {
    const seen = await registerUnderMocks();
    const box = seen.find((r) => r.type === "test:index:Box");
    const thing = seen.find((r) => r.type === "test:index:Thing");
    assert.ok(box && thing, `registrations seen: ${JSON.stringify(seen.map((r) => r.type))}`);
    assert.deepEqual([box.custom, thing.custom], [false, true]);
    assert.equal(thing.name, "box-thing");
    assert.equal(thing.parent, box.urn);
    assert.equal(thing.urn, "urn:pulumi:dev::contract::test:index:Box$test:index:Thing::box-thing");
    assert.deepEqual(thing.props, { size: 3, tags: { a: "b" } });
    assert.equal(thing.outputs.arn, "arn:test:box-thing");
  });

  it("mock monitor newUrn and alias specs: plan diffs would show moved resources as deleted and created, and nested URNs would differ from the engine's", async () => {
    await pulumi.runtime.setMocks(echo, "contract", "dev", true);
    const seen: Registration[] = [];
    onMockRegistration(pulumi, (r) => seen.push(r));
    class Outer extends pulumi.ComponentResource {
      constructor(name: string) {
        super("test:index:Outer", name, {}, {});
        const inner = new pulumi.ComponentResource("test:index:Inner", `${name}-inner`, {}, { parent: this });
        new Thing("test:index:Thing", `${name}-thing`, {}, { parent: inner, aliases: [{ parent: this }, "urn:pulumi:dev::contract::test:index:Thing::old"] });
        this.registerOutputs({});
      }
    }
    const outer = new Outer("outer");
    await waitForRPCs(pulumi);
    const thing = seen.find((r) => r.type === "test:index:Thing");
    assert.ok(thing, `registrations seen: ${JSON.stringify(seen.map((r) => r.type))}`);
    // The engine names a child with its parent's whole type chain (deploy/deployment.go generateURN).
    assert.equal(thing.urn, "urn:pulumi:dev::contract::test:index:Outer$test:index:Inner$test:index:Thing::outer-thing");
    const outerUrn = await new Promise<string>((resolve) => outer.urn.apply(resolve));
    assert.deepEqual(thing.aliases, [{ parent: outerUrn }, { urn: "urn:pulumi:dev::contract::test:index:Thing::old" }]);
  });

  it("waitForRPCs: `check --program` would lose what a program registers when its event loop empties (beforeExit)", async () => {
    await pulumi.runtime.setMocks(echo, "contract", "dev", true);
    const seen: Registration[] = [];
    onMockRegistration(pulumi, (r) => seen.push(r));
    new Thing("test:index:Late", "late", {});
    assert.equal(seen.length, 0, "the registration is still in flight");
    await waitForRPCs(pulumi);
    assert.deepEqual(
      seen.map((r) => r.name),
      ["late"],
    );
  });

  it("muted stack traces: `npm run plan` would fail, or stay slow, if the SDK needed stack frames to register a resource", async () => {
    const prepare = Error.prepareStackTrace;
    const restore = muteStackTraces();
    let seen: Registration[];
    try {
      assert.equal(new Error("x").stack, "", "stacks are muted");
      seen = await registerUnderMocks();
    } finally {
      restore();
    }
    assert.equal(Error.prepareStackTrace, prepare);
    assert.equal(seen.length, 2);
  });

  it("Analyzer stubs and their protobuf runtime: `npm run check` could not build a request a pack can read", () => {
    const options = new analyzer.AnalyzerResourceOptions();
    options.setProtect(true);
    const resource = new analyzer.AnalyzerResource();
    resource.setUrn("urn:pulumi:dev::p::aws:s3/bucket:Bucket::raw");
    resource.setType("aws:s3/bucket:Bucket");
    resource.setProperties(Struct.fromJavaScript({ bucket: "raw", tags: { a: "b" } }));
    resource.setOptions(options);
    const request = new analyzer.AnalyzeRequest();
    request.setUrn(resource.getUrn());
    request.setType(resource.getType());
    request.setProperties(resource.getProperties());
    const back = analyzer.AnalyzeRequest.deserializeBinary(request.serializeBinary());
    assert.deepEqual(back.getProperties()?.toJavaScript(), { bucket: "raw", tags: { a: "b" } });
    assert.equal(new analyzer.AnalyzeStackRequest().setResourcesList([resource]).getResourcesList().length, 1);
    // (google-protobuf registers its classes on a global namespace, so with the pack's own copy loaded too, instanceof is not a test.)
    assert.equal(new Empty().serializeBinary().length, 0);
    assert.equal(typeof Empty.deserializeBinary(new Uint8Array()).serializeBinary, "function");
    for (const method of ["handshake", "configureStack", "getPluginInfo", "getAnalyzerInfo", "configure", "analyze", "analyzeStack"]) {
      assert.equal(typeof (AnalyzerClient.prototype as unknown as Record<string, unknown>)[method], "function", `AnalyzerClient.${method}`);
    }
  });

  it("run-policy-pack: `npm run check` could not start a pack as the Pulumi CLI's language host does", () => {
    for (const pack of [join(REPO_ROOT, "policies"), REPO_ROOT]) {
      assert.match(require.resolve(RUN_POLICY_PACK, { paths: [pack] }), /@pulumi[/\\]pulumi[/\\]cmd[/\\]run-policy-pack[/\\]index\.js$/);
    }
  });

  it("wire sentinels: plans and checks would encode unknowns, assets, archives, secrets and references in a form the engine no longer uses", () => {
    const rpc = pulumi.runtime as unknown as Record<string, string>;
    assert.equal(UNKNOWN, rpc.unknownValue);
    assert.equal(SIGNATURE_KEY, rpc.specialSigKey);
    assert.deepEqual(SIGNATURES, {
      asset: rpc.specialAssetSig,
      archive: rpc.specialArchiveSig,
      secret: rpc.specialSecretSig,
      resourceReference: rpc.specialResourceSig,
      outputValue: rpc.specialOutputValueSig,
    });
  });
});
