import { Effect } from "effect"

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

const networkCode = (error: unknown): string => {
  if (error instanceof Error) {
    if (error.name === "TimeoutError" || error.name === "AbortError") return "Timeout"
    const cause = error.cause
    if (cause !== null && typeof cause === "object" && "code" in cause && typeof cause.code === "string") return cause.code
    return error.name
  }
  return "NetworkError"
}

const tagOf = (body: unknown): string =>
  body !== null && typeof body === "object" && "_tag" in body && typeof body._tag === "string" ? body._tag : ""

/**
 * A plain HTTP client over fetch (keep-alive by default). It never fails: every outcome, network
 * errors included, is an `Answer` the lab records.
 */
export const makeClient = (baseUrl: string, timeoutMs: number) => {
  const request = (method: string, path: string, body?: unknown): Effect.Effect<Answer> =>
    Effect.promise(async (interrupted) => {
      const started = performance.now()
      try {
        const response = await fetch(baseUrl + path, {
          method,
          headers: body === undefined ? {} : { "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.any([interrupted, AbortSignal.timeout(timeoutMs)])
        })
        const text = await response.text()
        let json: unknown = undefined
        try {
          json = text === "" ? undefined : JSON.parse(text)
        } catch {
          json = text
        }
        const latencyMs = performance.now() - started
        return { status: response.status, tag: response.ok ? "" : tagOf(json), latencyMs, body: json }
      } catch (error) {
        return { status: 0, tag: networkCode(error), latencyMs: performance.now() - started, body: undefined }
      }
    })
  return {
    get: (path: string) => request("GET", path),
    post: (path: string, body: unknown) => request("POST", path, body),
    del: (path: string) => request("DELETE", path)
  } as const
}
export type Client = ReturnType<typeof makeClient>
