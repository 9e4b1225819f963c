// What policies/support/archive-hash.ts relies on in the @pulumi/policy the
// pack installs (and the @pulumi/pulumi that one uses). @pulumi/policy does
// not declare any of it (deserialize.d.ts and proxy.d.ts are empty), so an
// upgrade may move or rename it without a type error; each check fails with
// one line naming exactly what changed, before working-build starts failing
// every archive for "no content hash".
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { DEFAULT_PACK_DIR } from "../../toolchain/check/index";

type Wrapper = typeof import("../../policies/support/archive-hash");

const fromPack = createRequire(join(DEFAULT_PACK_DIR, "package.json"));
const policyDir = dirname(fromPack.resolve("@pulumi/policy/package.json"));
const fromPolicy = createRequire(join(policyDir, "package.json"));
const version = (JSON.parse(readFileSync(join(policyDir, "package.json"), "utf8")) as { version: string }).version;
const at = `@pulumi/policy ${version}`;

type Module = Record<string, unknown>;

/** The pack's wrapper, loaded as the pack loads it; if loading throws, that one line is the failure. */
function wrapper(): Wrapper {
  try {
    // loaded here, not at import, so a broken contract is a test failure, not a crash of the run
    return require("../../policies/support/archive-hash") as Wrapper;
  } catch (e) {
    assert.fail(`${at}: loading policies/support/archive-hash failed: ${(e as Error).message}`);
  }
}

/** A module of the installed package, or a one-line failure naming it. */
function load(request: string, from: NodeJS.Require = fromPack): Module {
  try {
    return from(request) as Module;
  } catch {
    assert.fail(`${at}: ${request} no longer resolves (archive-hash.ts wraps its deserializeProperties)`);
  }
}

interface StructLike {
  toJavaScript(): Record<string, unknown>;
}
const { Struct } = fromPolicy("google-protobuf/google/protobuf/struct_pb") as { Struct: { fromJavaScript(v: Record<string, unknown>): StructLike } };
const ARCHIVE_SIGNATURE = "0def7320c3a5731c473e5ecbe6d01bc7";
const HASH = "5".repeat(64);

function deserialize(wire: Record<string, unknown>, proxySecrets: boolean): Record<string, unknown> {
  const run = load("@pulumi/policy/deserialize").deserializeProperties as (s: StructLike, p: boolean) => Record<string, unknown>;
  return run(Struct.fromJavaScript(wire), proxySecrets);
}

describe(`the archive-hash wrapper's contract with ${at}`, () => {
  it("deserialize exports deserializeProperties(props, proxySecrets) as a property the wrapper can replace", () => {
    const mod = load("@pulumi/policy/deserialize");
    const descriptor = Object.getOwnPropertyDescriptor(mod, "deserializeProperties");
    assert.ok(descriptor, `${at}: @pulumi/policy/deserialize no longer exports deserializeProperties`);
    assert.ok(
      typeof mod.deserializeProperties === "function",
      `${at}: deserialize.deserializeProperties is a ${typeof mod.deserializeProperties}, not a function`,
    );
    assert.ok(
      descriptor.writable === true || descriptor.set !== undefined,
      `${at}: deserialize.deserializeProperties became read-only (a getter), so the wrapper cannot be installed`,
    );
    assert.equal(
      (mod.deserializeProperties as (...a: unknown[]) => unknown).length,
      2,
      `${at}: deserializeProperties now takes ${(mod.deserializeProperties as (...a: unknown[]) => unknown).length} parameters, not (props, proxySecrets)`,
    );
    const { WRAPPED } = wrapper();
    assert.equal(
      (mod.deserializeProperties as unknown as Record<symbol, unknown>)[WRAPPED],
      true,
      `${at}: loading policies/support/archive-hash did not install its wrapper on @pulumi/policy/deserialize`,
    );
  });

  it("the server calls deserializeProperties through the deserialize module object, for resources, stacks and providers", () => {
    const file = fromPack.resolve("@pulumi/policy/server");
    const source = readFileSync(file, "utf8");
    const binding = /(?:const|var|let)\s+(\w+)\s*=\s*require\("\.\/deserialize"\)/.exec(source)?.[1];
    assert.ok(binding, `${at}: server.js no longer requires ./deserialize as a module object`);
    // `m.f(...)` and TypeScript's `(0, m.f)(...)` both read the function from the module object at each call.
    const calls = (source.match(new RegExp(`\\b${binding}\\.deserializeProperties\\)?\\(`, "g")) ?? []).length;
    const bare = (source.match(/(?<![.\w])deserializeProperties\(/g) ?? []).length;
    assert.equal(bare, 0, `${at}: server.js calls deserializeProperties ${bare} time(s) by a local name, which the wrapper does not replace`);
    assert.ok(calls >= 3, `${at}: server.js calls ${binding}.deserializeProperties ${calls} time(s), expected at least 3 (Analyze, AnalyzeStack, providers)`);
  });

  it("the wire signatures the wrapper reads are @pulumi/pulumi's", () => {
    const { SIGNATURE_KEY, SECRET_SIGNATURE } = wrapper();
    const rpc = load("@pulumi/pulumi/runtime/rpc", fromPolicy);
    assert.equal(
      rpc.specialSigKey,
      SIGNATURE_KEY,
      `${at}: @pulumi/pulumi runtime/rpc specialSigKey is ${String(rpc.specialSigKey)}, archive-hash.ts reads ${SIGNATURE_KEY}`,
    );
    assert.equal(
      rpc.specialSecretSig,
      SECRET_SIGNATURE,
      `${at}: @pulumi/pulumi runtime/rpc specialSecretSig is ${String(rpc.specialSecretSig)}, archive-hash.ts reads ${SECRET_SIGNATURE}`,
    );
    assert.equal(
      rpc.specialArchiveSig,
      ARCHIVE_SIGNATURE,
      `${at}: @pulumi/pulumi runtime/rpc specialArchiveSig is ${String(rpc.specialArchiveSig)}, not ${ARCHIVE_SIGNATURE}`,
    );
  });

  it("a secret is unwrapped in place, or wrapped in a Secret holding `value`; the proxy's special keys are those runtime.ts reads", () => {
    const Secret = load("@pulumi/policy/policy").Secret as (new (v: unknown) => { value: unknown }) | undefined;
    assert.ok(typeof Secret === "function", `${at}: @pulumi/policy/policy no longer exports the Secret class`);
    assert.equal(Secret.name, "Secret", `${at}: the Secret class is now named ${Secret.name}; archive-hash.ts recognises it by the name "Secret"`);
    assert.ok("value" in new Secret(1), `${at}: a Secret no longer keeps its plaintext in \`value\``);
    const proxy = load("@pulumi/policy/proxy");
    assert.equal(
      proxy.isSpecialProxy,
      "__isSpecialProxy",
      `${at}: proxy.isSpecialProxy is now ${String(proxy.isSpecialProxy)}; runtime.ts proxyTarget reads "__isSpecialProxy"`,
    );
    assert.equal(
      proxy.getSpecialProxyTarget,
      "__getSpecialProxyTarget",
      `${at}: proxy.getSpecialProxyTarget is now ${String(proxy.getSpecialProxyTarget)}; runtime.ts proxyTarget reads "__getSpecialProxyTarget"`,
    );
  });

  it("an archive deserialized where the wire had it keeps the engine's hash, plain and secret", () => {
    const { engineHashOf, SIGNATURE_KEY, SECRET_SIGNATURE } = wrapper();
    const archive = { [SIGNATURE_KEY]: ARCHIVE_SIGNATURE, path: "./build/fn", hash: HASH };
    const plain = deserialize({ code: archive, layers: [archive] }, false);
    assert.equal(engineHashOf(plain.code), HASH, `${at}: deserializeProperties no longer returns the archive at the key the wire had it, so its hash is lost`);
    assert.equal(
      engineHashOf((plain.layers as unknown[])[0]),
      HASH,
      `${at}: deserializeProperties no longer keeps array positions, so an archive's hash is lost`,
    );
    const unwrapped = deserialize({ code: { [SIGNATURE_KEY]: SECRET_SIGNATURE, value: archive } }, false);
    assert.equal(
      engineHashOf(unwrapped.code),
      HASH,
      `${at}: a secret archive deserialized without proxySecrets loses its hash (secrets are no longer unwrapped in place)`,
    );
    const wrapped = deserialize({ code: { [SIGNATURE_KEY]: SECRET_SIGNATURE, value: archive } }, true);
    assert.equal(engineHashOf(wrapped.code), HASH, `${at}: a secret archive deserialized with proxySecrets loses its hash (the Secret wrapping changed)`);
  });
});
