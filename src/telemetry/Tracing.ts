import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import type * as Resource from "@effect/opentelemetry/Resource"
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
import { BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Config, type ConfigError, Duration, Effect, Layer, Option } from "effect"

/*
 * Traces go out over OTLP/HTTP only when an endpoint is configured; otherwise no exporter exists and
 * nothing touches the network (Effect's own spans still run in memory, for log correlation). Timeouts
 * are short so that a missing collector never holds up a request's export or the process's shutdown.
 */

/** How long exporting one batch, and flushing at shutdown, may take. */
export const exportTimeout = Duration.seconds(2)

/** Where OTLP/HTTP traces go, following the OpenTelemetry environment variables. */
export const TracingConfig = Config.all({
  endpoint: Config.string("OTEL_EXPORTER_OTLP_ENDPOINT").pipe(Config.option),
  tracesEndpoint: Config.string("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT").pipe(Config.option),
  serviceName: Config.string("OTEL_SERVICE_NAME").pipe(Config.withDefault("parkplane"))
})

/**
 * The URL spans are posted to, or None for no export. As the OTel spec says, the signal-specific
 * variable is used as is and the generic one gets "/v1/traces" appended.
 */
export const tracesUrl = (config: Config.Config.Success<typeof TracingConfig>): Option.Option<string> =>
  Option.orElse(
    Option.filter(config.tracesEndpoint, (url) => url.trim() !== ""),
    () =>
      Option.map(
        Option.filter(config.endpoint, (url) => url.trim() !== ""),
        (url) => `${url.trim().replace(/\/+$/, "")}/v1/traces`
      )
  )

/**
 * The OTel SDK with an OTLP/HTTP span exporter when configured; otherwise only an empty OTel resource
 * (`NodeSdk.layerEmpty`, a constant: no tracer provider, no exporter, no network).
 */
export const TracingLive: Layer.Layer<Resource.Resource, ConfigError.ConfigError> = Layer.unwrapEffect(
  Effect.map(TracingConfig, (config) =>
    Option.match(tracesUrl(config), {
      onNone: () => NodeSdk.layerEmpty,
      onSome: (url) =>
        NodeSdk.layer(() => ({
          resource: { serviceName: config.serviceName },
          spanProcessor: new BatchSpanProcessor(
            new OTLPTraceExporter({ url, timeoutMillis: Duration.toMillis(exportTimeout) }),
            { exportTimeoutMillis: Duration.toMillis(exportTimeout) }
          ),
          shutdownTimeout: exportTimeout
        }))
    })
  )
)

/**
 * For tests: the OTel SDK exporting every span synchronously into memory. Read the spans from
 * `exporter.getFinishedSpans()` inside the layer's scope (the SDK shuts the exporter down with it).
 */
export const makeInMemoryTracing = (serviceName = "parkplane-test") => {
  const exporter = new InMemorySpanExporter()
  const layer = NodeSdk.layer(() => ({
    resource: { serviceName },
    spanProcessor: new SimpleSpanProcessor(exporter),
    shutdownTimeout: exportTimeout
  }))
  return { exporter, layer } as const
}
