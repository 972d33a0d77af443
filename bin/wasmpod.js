#!/usr/bin/env node
// The wasmpod command: runs the compiled CLI (built by `npm install`, which runs `tsc`). `serve` first
// re-executes itself on jemalloc where it can (src/cli/allocator.ts).
import { execOnJemalloc } from '../dist/src/cli/allocator.js';

execOnJemalloc(process.argv.slice(2));
const { main } = await import('../dist/src/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
