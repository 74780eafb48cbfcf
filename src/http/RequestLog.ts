import { type HttpApp, HttpMiddleware } from "@effect/platform"
import { Effect, FiberRef, LogLevel } from "effect"

/**
 * The platform's request log (one line per response, at the fiber's log level, Info unless changed),
 * left out of a request whose line the minimum log level would drop anyway: the platform builds the
 * line's log span and annotations before the level is checked, a measurable share of a request.
 */
export const logRequests = <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> => {
  const logged = HttpMiddleware.logger(app)
  return Effect.withFiberRuntime((fiber) =>
    LogLevel.greaterThan(fiber.getFiberRef(FiberRef.currentMinimumLogLevel), fiber.getFiberRef(FiberRef.currentLogLevel))
      ? app
      : logged
  )
}
