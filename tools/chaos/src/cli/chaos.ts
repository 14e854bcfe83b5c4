#!/usr/bin/env node
import { chaosMain } from './chaos-main';

// Thin on purpose: all behaviour lives in chaosMain() so tests run it in-process.
chaosMain(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then(
  (code) => {
    process.exit(code);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
