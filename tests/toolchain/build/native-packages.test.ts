import { strict as assert } from "node:assert";
import { lambdaPlatform, readLockfile, runtimeClosure, type Lockfile } from "../../../toolchain/build/native-packages";
import { REPO_ROOT } from "./support/temp-trees";

describe("build: native package closure from the lockfile", () => {
  const lock = readLockfile(REPO_ROOT);
  const pinned = (name: string): string | undefined => lock.packages[`node_modules/${name}`]?.version;

  for (const arch of ["arm64", "x64"] as const) {
    it(`ships sharp, its ${arch} glibc binaries and its run-time dependencies, at the lockfile's versions`, () => {
      const closure = runtimeClosure(lock, "sharp", lambdaPlatform(arch));
      const sharpDeps = Object.keys(lock.packages["node_modules/sharp"].dependencies ?? {});
      assert.deepEqual(closure.map((p) => p.name).sort(), ["sharp", `@img/sharp-linux-${arch}`, `@img/sharp-libvips-linux-${arch}`, ...sharpDeps].sort());
      for (const p of closure) {
        assert.equal(p.version, pinned(p.name), p.name);
        assert.equal(p.integrity, lock.packages[`node_modules/${p.name}`].integrity, p.name);
        assert.equal(p.platformSpecific, p.name.startsWith("@img/sharp-l"), p.name);
      }
    });
  }

  const synthetic: Lockfile = {
    lockfileVersion: 3,
    packages: {
      "": {},
      "node_modules/native": {
        version: "1.0.0",
        integrity: "sha512-n",
        dependencies: { helper: "^2" },
        optionalDependencies: { "native-linux-arm64": "1.0.0", "native-linux-x64": "1.0.0", "native-darwin-arm64": "1.0.0" },
      },
      "node_modules/native/node_modules/helper": { version: "2.1.0", integrity: "sha512-h2" },
      "node_modules/helper": { version: "1.0.0", integrity: "sha512-h1" },
      "node_modules/native-linux-arm64": { version: "1.0.0", integrity: "sha512-a", os: ["linux"], cpu: ["arm64"], libc: ["glibc"], optional: true },
      "node_modules/native-linux-x64": { version: "1.0.0", integrity: "sha512-x", os: ["linux"], cpu: ["x64"], libc: ["glibc"], optional: true },
    },
  };

  it("resolves nested copies first, as Node does, and skips optional packages of other platforms or missing ones", () => {
    const closure = runtimeClosure(synthetic, "native", lambdaPlatform("x64"));
    assert.deepEqual(
      closure.map((p) => `${p.name}@${p.version}`),
      ["helper@2.1.0", "native@1.0.0", "native-linux-x64@1.0.0"],
    );
  });

  it("names the package when the lockfile lacks it or a required dependency", () => {
    assert.throws(
      () => runtimeClosure(synthetic, "absent", lambdaPlatform("arm64")),
      /package-lock.json has no absent: add it with `npm install --save-exact absent`/,
    );
    const broken: Lockfile = {
      lockfileVersion: 3,
      packages: { "node_modules/native": { version: "1.0.0", integrity: "sha512-n", dependencies: { gone: "1" } } },
    };
    assert.throws(() => runtimeClosure(broken, "native", lambdaPlatform("arm64")), /no entry for gone, a dependency of native/);
  });
});
