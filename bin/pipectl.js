#!/usr/bin/env node
// Operator CLI entry point: runs pipectl compiled to JavaScript, rebuilt first
// if any of its sources changed since (bin/compiled-cli.js).
"use strict";
require("./compiled-cli").run("pipectl");
