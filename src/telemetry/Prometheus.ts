import * as OtelMetrics from "@effect/opentelemetry/Metrics"
import * as Resource from "@effect/opentelemetry/Resource"
import { PrometheusSerializer } from "@opentelemetry/exporter-prometheus"
import { Duration, Effect, Layer } from "effect"
import { registerBaseline } from "./Metrics.ts"

/*
 * GET /metrics: Effect's metric registry, read through @effect/opentelemetry's MetricProducer (the
 * bridge that turns Effect metrics into OTel ResourceMetrics) and written by the OpenTelemetry
 * Prometheus exporter's serializer. The producer is collected directly on each scrape instead of
 * through the exporter's MetricReader: a pull needs no reader, the exporter would only add its own
 * HTTP server (which we never start), and its pinned sdk-metrics 2.12.0 is a different class from our
 * 2.12.1, so the reader would not type-check against the bridge.
 */

/** The content type of the Prometheus text exposition format the exporter writes. */
export const prometheusContentType = "text/plain; version=0.0.4; charset=utf-8"

export class PrometheusMetrics extends Effect.Service<PrometheusMetrics>()("parkplane/PrometheusMetrics", {
  effect: Effect.gen(function* () {
    // No prefix, no timestamps, no resource labels, keep target_info, drop the scope labels (they
    // would repeat otel_scope_name="@effect/opentelemetry/Metrics" on every series).
    const serializer = new PrometheusSerializer(undefined, false, undefined, false, true)
    const producer = yield* OtelMetrics.makeProducer
    yield* registerBaseline

    /** The current value of every Effect metric in Prometheus text format. */
    const render: Effect.Effect<string> = Effect.promise(() => producer.collect()).pipe(
      Effect.tap(({ errors }) =>
        errors.length === 0 ? Effect.void : Effect.logWarning("metrics collection reported errors", errors)
      ),
      Effect.map(({ resourceMetrics }) => serializer.serialize(resourceMetrics)),
      Effect.withSpan("metrics.render"),
      Effect.timeoutFail({ duration: Duration.seconds(5), onTimeout: () => new Error("metrics collection timed out") }),
      Effect.orDie
    )
    return { render } as const
  }),
  dependencies: [Resource.layer({ serviceName: "parkplane" })]
}) {}

/** The Prometheus renderer with its OTel resource; provide it to the HTTP server. */
export const PrometheusLive: Layer.Layer<PrometheusMetrics> = PrometheusMetrics.Default

/** Prometheus text of all Effect metrics (needs `PrometheusLive`). */
export const renderPrometheus: Effect.Effect<string, never, PrometheusMetrics> = Effect.flatMap(
  PrometheusMetrics,
  (metrics) => metrics.render
)
