#!/usr/bin/env node
// The wasmpod command: runs the compiled CLI (built by `npm install`, which runs `tsc`).
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
