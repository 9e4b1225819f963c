#!/usr/bin/env node
// Operator CLI entry point: runs the TypeScript sources through tsx so the
// CLI always matches the checked-out code (no separate compile step).
"use strict";
require("tsx/cjs");
require("../pipectl/index.ts");
