// Lint is part of `npm test`: recommended rules plus the few that catch real bugs in async code.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "policies/node_modules/**", ".local/**", "coverage/**", ".build/**", ".build-cache/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["bin/**/*.js"],
    languageOptions: { sourceType: "commonjs", globals: { require: "readonly", module: "writable", process: "readonly", __dirname: "readonly", console: "readonly" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
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
