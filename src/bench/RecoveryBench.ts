import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import Database from "better-sqlite3"
import type { BenchRow } from "./DomainBench.ts"
import { runTsForJson, sourcePath } from "./Processes.ts"
import { type ProfileSummary, summariseProfileDir } from "./Profile.ts"
import type { RecoveryBuildOptions } from "./recoveryBuild.ts"
import type { RecoveryStartResult } from "./recoveryStart.ts"

/*
 * Start-up recovery at scale: a database of many full lots, then a cold start of the runtime over it
 * in a fresh process (the time until the layer is built, which is when every lot has caught up with
 * its log), with snapshots and, when asked, without them (the whole log replayed). The start with
 * snapshots also gives the runtime's memory per occupied slot.
 */

export interface RecoveryBenchOptions {
  readonly lots: number
  readonly occupiedPerLot: number
  /** Also time a start that replays every event (no snapshots); slow at a million events. */
  readonly withoutSnapshots: boolean
  /** Whether the targets (set at 1M occupied slots) apply to this size. */
  readonly targets: boolean
  /** When the start with snapshots misses its target, run it once more under `--cpu-prof`. */
  readonly profileMiss: boolean
}

/*
 * The start without snapshots bounds the start after a crash, when each lot may be up to K events
 * past its last snapshot (none is written at a SIGKILL): at a million events it took 192 s in
 * session 3 and 19.0 s in session 19 before the log's rows were read without the Schema (8.8 s
 * after), so the full run has it again.
 */
export const defaultRecoveryBenchOptions: RecoveryBenchOptions = { lots: 1000, occupiedPerLot: 1000, withoutSnapshots: true, targets: true, profileMiss: true }
export const quickRecoveryBenchOptions: RecoveryBenchOptions = { lots: 100, occupiedPerLot: 1000, withoutSnapshots: true, targets: false, profileMiss: false }

const targetRecoveryMillis = 2000
const targetRssPerSlot = 300

const sizeLabel = (n: number) => (n >= 1_000_000 && n % 1_000_000 === 0 ? `${n / 1_000_000}M` : n.toLocaleString("en-US"))

const start = (filename: string, nodeArgs: ReadonlyArray<string> = []) =>
  runTsForJson<RecoveryStartResult>(sourcePath("bench/recoveryStart.ts"), { nodeArgs: ["--expose-gc", ...nodeArgs], args: [filename] })

export interface RecoveryBenchResult {
  readonly rows: ReadonlyArray<BenchRow>
  readonly buildMillis: number
  /** Where a cold start's CPU goes, when it missed its target and was profiled. */
  readonly profile: ProfileSummary | undefined
}

export const runRecoveryBench = async (options: RecoveryBenchOptions = defaultRecoveryBenchOptions): Promise<RecoveryBenchResult> => {
  const dir = mkdtempSync(join(tmpdir(), "parkplane-recovery-bench-"))
  try {
    const filename = join(dir, "recovery.db")
    const build: RecoveryBuildOptions = { filename, lots: options.lots, occupiedPerLot: options.occupiedPerLot }
    const built = await runTsForJson<{ millis: number }>(sourcePath("bench/recoveryBuild.ts"), { args: [JSON.stringify(build)] })
    const total = options.lots * options.occupiedPerLot
    const shape = `${options.lots.toLocaleString("en-US")} lots x ${options.occupiedPerLot.toLocaleString("en-US")} occupied (${sizeLabel(total)} tickets)`
    const warm = await start(filename)
    if (warm.occupied !== total) throw new Error(`recovery bench: recovered ${warm.occupied} occupied slots, expected ${total}`)
    const rssPerSlot = (warm.rssAfter - warm.rssBefore) / total
    const rows: Array<BenchRow> = [
      {
        name: `recovery: cold start with snapshots, ${shape}`,
        figure: warm.millis,
        unit: "ms",
        target: options.targets ? `< ${targetRecoveryMillis.toLocaleString("en-US")}` : undefined,
        pass: options.targets ? warm.millis < targetRecoveryMillis : undefined
      },
      {
        name: `memory: runtime RSS per occupied slot after recovery, ${sizeLabel(total)} occupied`,
        figure: rssPerSlot,
        unit: "bytes",
        target: options.targets ? `<= ${targetRssPerSlot}` : undefined,
        pass: options.targets ? rssPerSlot <= targetRssPerSlot : undefined
      },
      {
        name: `memory: runtime heap per occupied slot after recovery, ${sizeLabel(total)} occupied`,
        figure: (warm.heapAfter - warm.heapBefore) / total,
        unit: "bytes",
        target: undefined,
        pass: undefined
      }
    ]
    let profile: ProfileSummary | undefined
    if (options.targets && options.profileMiss && warm.millis >= targetRecoveryMillis) {
      const profileDir = join(dir, "profile")
      const profiled = await start(filename, ["--cpu-prof", `--cpu-prof-dir=${profileDir}`])
      // The recovery and the close that follows it, not the module loading before them.
      profile = summariseProfileDir(profileDir, 8, (profiled.millis + profiled.closeMillis) * 1000)
    }
    if (options.withoutSnapshots) {
      const db = new Database(filename)
      db.exec("DELETE FROM snapshots")
      db.close()
      const cold = await start(filename)
      rows.push({
        name: `recovery: cold start replaying the whole log (no snapshots), ${shape}`,
        figure: cold.millis,
        unit: "ms",
        target: undefined,
        pass: undefined
      })
    }
    return { rows, buildMillis: built.millis, profile }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
