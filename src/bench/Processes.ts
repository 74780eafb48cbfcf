import { type ChildProcess, spawn } from "node:child_process"
import { createServer } from "node:net"
import { fileURLToPath } from "node:url"

/*
 * Child processes for the benchmarks that must not share the measuring process: servers under load,
 * the load generator, a cold start over a big database.
 */

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url))

export const sourcePath = (relative: string) => fileURLToPath(new URL(`../${relative}`, import.meta.url))

/** A TCP port nobody listens on right now. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      probe.close(() => resolve(port))
    })
  })

export interface Child {
  readonly process: ChildProcess
  /** Everything it wrote to stderr so far (kept for error messages). */
  readonly stderr: () => string
  readonly exited: Promise<number | null>
}

/** Registers the TypeScript loader in a child process (see src/bin/typescript.mjs). */
export const typescriptLoader = ["--import", sourcePath("bin/typescript.mjs")] as const

/** `node [nodeArgs] --import <loader> script [args]` with the given environment added. */
export const startTs = (script: string, options: { readonly args?: ReadonlyArray<string>; readonly env?: Record<string, string>; readonly nodeArgs?: ReadonlyArray<string>; readonly stdout?: boolean }): Child => {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...typescriptLoader, script, ...(options.args ?? [])], {
    cwd: repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", options.stdout === true ? "pipe" : "ignore", "pipe"]
  })
  let stderr = ""
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-4000)
  })
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  return { process: child, stderr: () => stderr, exited }
}

/** Runs a script to its end and parses the last line it printed as JSON. */
export const runTsForJson = async <A>(script: string, options: Parameters<typeof startTs>[1] = {}): Promise<A> => {
  const child = startTs(script, { ...options, stdout: true })
  let stdout = ""
  child.process.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8")
  })
  const code = await child.exited
  const last = stdout.trim().split("\n").at(-1) ?? ""
  if (code !== 0 || last === "") throw new Error(`${script} exited with ${code}: ${child.stderr()}`)
  return JSON.parse(last)
}

/** SIGTERM, then SIGKILL if it has not exited within the grace period. */
export const stopChild = async (child: Child, graceMillis = 20_000): Promise<void> => {
  if (child.process.exitCode !== null) return
  child.process.kill("SIGTERM")
  const timer = setTimeout(() => child.process.kill("SIGKILL"), graceMillis)
  await child.exited
  clearTimeout(timer)
}

/** Polls `url` until it answers 200. */
export const waitUntilReady = async (url: string, child: Child, timeoutMillis = 120_000): Promise<void> => {
  const deadline = Date.now() + timeoutMillis
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) throw new Error(`server exited with ${child.process.exitCode}: ${child.stderr()}`)
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false
    )
    if (ok) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${url} not ready after ${timeoutMillis} ms: ${child.stderr()}`)
}
