#!/usr/bin/env node
// `npx parkplane`: the sources are TypeScript run as they are (no build step), so the loader comes first.
import "./typescript.mjs"

await import("../cli/main.ts")
