// The facts the program, the handlers and the tools share, each defined once
// here (docs/contracts.md is generated from them). A leaf: nothing but
// TypeScript, so every part can import it, the Lambda bundles included.
export * from "./alarms";
export * from "./env";
export * from "./environments";
export * from "./functions";
export * from "./metrics";
export * from "./names";
export * from "./retry-schedule";
export * from "./suggest";
export * from "./thresholds";
export * from "./thumbnails";
export * from "./uploads";
