#!/usr/bin/env node
import { main } from './main';

// Thin on purpose: all behaviour lives in main() so tests run it in-process.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 2;
  },
);
