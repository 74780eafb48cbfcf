/*
 * `node --import ./src/bin/typescript.mjs app.ts`: runs parkplane's TypeScript sources directly, as
 * tsx did, with esbuild stripping the types. Not tsx: tsx always compiles with `keepNames` (every
 * function expression wrapped in a `__name(...)` call that redefines its `name`) and with all
 * whitespace removed, which cost ~20% of the CPU of a durable command (docs/decisions/0011) and put
 * every profile frame on line 0. Our sources are plain ESM that import with `.ts` extensions, so
 * Node's own resolver finds every file and only loading needs a hook.
 */
import "./v8Flags.mjs"
import { register } from "node:module"

process.setSourceMapsEnabled(true)
register("./typescript-hooks.mjs", import.meta.url)
