import { readFileSync } from "node:fs"

/*
 * The event loop's thread's time on the CPU, from Linux's schedstat (its first field, nanoseconds;
 * the main thread's id is the process id). `process.cpuUsage` adds up every thread; this tells the
 * event loop's own share, which says whether a loop waited on another thread (two of session 14's
 * durable processes: 79.0-82.9% of a group-commit round against 96.5-96.7% with one transaction per
 * command). Read from the thread itself, the figure lags by up to a scheduler tick (4 ms at
 * CONFIG_HZ=250, as here), ~1% of a 300 ms round. Undefined where /proc has no schedstat (not
 * Linux, or no CONFIG_SCHEDSTATS).
 */
export const eventLoopThreadNanos = (): number | undefined => {
  try {
    const onCpu = Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, "utf8").split(" ")[0])
    return Number.isFinite(onCpu) ? onCpu : undefined
  } catch {
    return undefined
  }
}
