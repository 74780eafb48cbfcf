import { Effect } from "effect"
import { Agent, request as httpRequest } from "node:http"

/** One answer as the lab saw it; status 0 means no HTTP answer at all (refused, reset, timeout). */
export interface Answer {
  readonly status: number
  /** The error body's `_tag`, or the network failure's code; empty for a success. */
  readonly tag: string
  readonly latencyMs: number
  readonly body: unknown
}

/** An answer with no response: whatever was asked may or may not have happened. */
export const inDoubt = (answer: Answer): boolean => answer.status === 0 || (answer.status >= 500 && answer.tag === "")

const tagOf = (body: unknown): string =>
  body !== null && typeof body === "object" && "_tag" in body && typeof body._tag === "string" ? body._tag : ""

const codeOf = (error: Error): string => ("code" in error && typeof error.code === "string" ? error.code : error.name)

/**
 * A plain HTTP client: keep-alive connections, at most `maxSockets` of them, so that a slow server
 * makes requests queue here (and their latency shows it) instead of opening ever more
 * connections. It never fails: every outcome, network errors included, is an `Answer`.
 */
export const makeClient = (baseUrl: string, timeoutMs: number, maxSockets = 64) => {
  const agent = new Agent({ keepAlive: true, maxSockets })
  const request = (method: string, path: string, body?: unknown): Effect.Effect<Answer> =>
    Effect.async<Answer>((resume, signal) => {
      const started = performance.now()
      const payload = body === undefined ? undefined : JSON.stringify(body)
      let settled = false
      const done = (answer: Omit<Answer, "latencyMs">) => {
        if (settled) return
        settled = true
        resume(Effect.succeed({ ...answer, latencyMs: performance.now() - started }))
      }
      const req = httpRequest(
        baseUrl + path,
        {
          method,
          agent,
          signal,
          headers: payload === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }
        },
        (res) => {
          const chunks: Array<Buffer> = []
          res.on("data", (chunk: Buffer) => chunks.push(chunk))
          res.on("error", (e) => done({ status: 0, tag: codeOf(e), body: undefined }))
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8")
            let json: unknown = undefined
            try {
              json = text === "" ? undefined : JSON.parse(text)
            } catch {
              json = text
            }
            const status = res.statusCode ?? 0
            done({ status, tag: status >= 200 && status < 300 ? "" : tagOf(json), body: json })
          })
        }
      )
      req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error("timed out"), { code: "Timeout" })))
      req.on("error", (e) => done({ status: 0, tag: codeOf(e), body: undefined }))
      req.end(payload)
    })
  return {
    get: (path: string) => request("GET", path),
    post: (path: string, body: unknown) => request("POST", path, body),
    del: (path: string) => request("DELETE", path),
    close: () => agent.destroy()
  } as const
}
export type Client = ReturnType<typeof makeClient>
