// Lint is part of `npm test`: recommended rules plus the few that catch real bugs in async code.
import js from "@eslint/js";
import nodePlugin from "eslint-plugin-n";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "policies/node_modules/**", ".local/**", "coverage/**", ".build/**", ".build-cache/**"] },
  js.configs.recommended,
  {
    // Every package a file imports is declared in the package.json nearest to it
    // (the root's, or policies/'s for the pack, a fixture program's for its own):
    // an import that works only because a dependency happens to hoist it breaks
    // on the next upgrade, or for whoever copies the folder alone.
    files: ["**/*.ts", "**/*.js", "**/*.mjs"],
    plugins: { n: nodePlugin },
    rules: { "n/no-extraneous-import": "error", "n/no-extraneous-require": "error" },
  },
  {
    // These packs have a package.json of their own without dependencies: they
    // resolve @pulumi/policy and @pulumi/awsguard from this repository's
    // install, whose package.json declares both.
    files: ["toolchain/check/awsguard-pack/**", "tests/toolchain/check/fixtures/packs/**"],
    rules: {
      "n/no-extraneous-import": ["error", { allowModules: ["@pulumi/awsguard", "@pulumi/policy"] }],
    },
  },
  ...tseslint.configs.recommended,
  {
    // Type-aware, for the async bugs syntax cannot see: a promise nobody awaits
    // (its rejection is lost, or crashes the process later), and one passed
    // where a callback's result is ignored.
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { project: "./tsconfig.json", tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false, attributes: false } }],
    },
  },
  {
    files: ["bin/**/*.js"],
    languageOptions: {
      sourceType: "commonjs",
      globals: { require: "readonly", module: "writable", process: "readonly", __dirname: "readonly", console: "readonly" },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // The offline toolchain reaches into the Pulumi SDKs' internals only
    // through toolchain/pulumi-internals.ts, which a contract test checks.
    files: ["toolchain/**/*.ts", "pipectl/**/*.ts", "local/**/*.ts", "bench/**/*.ts", "cli/**/*.ts", "tests/toolchain/**/*.ts"],
    ignores: ["toolchain/pulumi-internals.ts", "toolchain/check/awsguard-pack/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@pulumi/pulumi/*", "@pulumi/policy/*", "google-protobuf/*"],
              message: "Pulumi internals go through toolchain/pulumi-internals.ts (and its contract test).",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
      // A command line loads its heavy modules only when the command runs:
      // `require("./x") as typeof import("./x")` inside the action (a dynamic
      // import() of a .ts file cannot run under tsx's CommonJS loader).
      "@typescript-eslint/no-require-imports": ["error", { allow: ["^\\.\\.?/"] }],
      "no-constant-condition": ["error", { checkLoops: false }],
      eqeqeq: ["error", "always", { null: "ignore" }],
    },
  },
);
