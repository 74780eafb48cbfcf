/*
 * V8 settings for every parkplane process, set before any of its code runs: every entry point
 * (`npm start`, the CLI, the bench and its child processes) comes through the TypeScript loader,
 * which imports this first.
 *
 * No allocation-site pretenuring (docs/decisions/0020). V8 moves an allocation site to the old
 * generation when nearly all its objects outlive a scavenge. In 3 durable bench processes of 7 it
 * did so for sites of a command's own short-lived objects, early in the run; from then on each
 * command's garbage was reachable from the old generation, every scavenge promoted it, and the
 * process ran ~30% slower to its end (none of 7 with this).
 */
import { setFlagsFromString } from "node:v8"

setFlagsFromString("--no-allocation-site-pretenuring")
