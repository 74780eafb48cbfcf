#!/usr/bin/env node
// `npx parkplane`: the sources are TypeScript run through tsx (no build step), so register it first.
import { register } from "tsx/esm/api"

register()
await import("../cli/main.ts")
