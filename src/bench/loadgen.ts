/*
 * The HTTP benchmark's load generator, run as its own process so that autocannon does not share
 * the server's CPU. Argument: JSON `LoadgenOptions`. Prints one line of JSON `LoadgenResult`.
 * Each connection loops park-then-leave: it parks a registration no one used before in one of the
 * lots, then leaves it by registration, so no state crosses requests but the pair's own.
 */
import autocannon from "autocannon"

export interface LoadgenOptions {
  readonly url: string
  readonly lots: ReadonlyArray<string>
  readonly connections: number
  readonly seconds: number
  /** Distinguishes the registrations of several runs against one server. */
  readonly prefix: string
  /** Each request with an `Idempotency-Key` of its own, as a client that retries safely sends. */
  readonly keyed?: boolean
}

export interface LoadgenResult {
  readonly requestsPerSecond: number
  readonly p50: number
  readonly p99: number
  readonly total: number
  readonly non2xx: number
  readonly errors: number
}

const options: LoadgenOptions = JSON.parse(process.argv[2] ?? "{}")
let next = 0

/** The request's headers, with an `Idempotency-Key` of its own when the run is keyed. */
const keyedHeaders = (headers: Record<string, string> | undefined, key: string): Record<string, string> | undefined =>
  options.keyed === true ? { ...headers, "idempotency-key": key } : headers

const result = await autocannon({
  url: options.url,
  connections: options.connections,
  duration: options.seconds,
  headers: { "content-type": "application/json" },
  requests: [
    {
      method: "POST",
      setupRequest: (request, context) => {
        const n = next++
        const lot = options.lots[n % options.lots.length]
        const registration = `${options.prefix}-${n}`
        context.lot = lot
        context.registration = registration
        return { ...request, headers: keyedHeaders(request.headers, `${registration}-park`), path: `/v1/lots/${lot}/park`, body: JSON.stringify({ registration, color: "Grey" }) }
      }
    },
    {
      method: "POST",
      setupRequest: (request, context) => ({
        ...request,
        headers: keyedHeaders(request.headers, `${String(context.registration)}-leave`),
        path: `/v1/lots/${String(context.lot)}/leave`,
        body: JSON.stringify({ registration: context.registration })
      })
    }
  ]
})

const report: LoadgenResult = {
  requestsPerSecond: result.requests.average,
  p50: result.latency.p50,
  p99: result.latency.p99,
  total: result.requests.total,
  non2xx: result.non2xx,
  errors: result.errors + result.timeouts
}
process.stdout.write(`${JSON.stringify(report)}\n`)
