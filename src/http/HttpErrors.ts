import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"

/*
 * Errors that belong to the HTTP face rather than the domain: the request never reached a lot.
 * Like the domain errors they carry their status, so the OpenAPI document and the typed client
 * know them too.
 */

export class RouteNotFound extends Schema.TaggedError<RouteNotFound>()(
  "RouteNotFound",
  { message: Schema.String, method: Schema.String, path: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {
  static of(method: string, path: string) {
    return new RouteNotFound({ method, path, message: `There is no route ${method} ${path}; see /docs for the API` })
  }
}

export class MethodNotAllowed extends Schema.TaggedError<MethodNotAllowed>()(
  "MethodNotAllowed",
  { message: Schema.String, method: Schema.String, path: Schema.String, allow: Schema.Array(Schema.String) },
  HttpApiSchema.annotations({ status: 405 })
) {
  static of(method: string, path: string, allow: ReadonlyArray<string>) {
    return new MethodNotAllowed({
      method,
      path,
      allow,
      message: `${path} does not accept ${method}; it accepts ${allow.join(", ")}`
    })
  }
}

export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()(
  "PayloadTooLarge",
  { message: Schema.String, limitBytes: Schema.Number },
  HttpApiSchema.annotations({ status: 413 })
) {
  static of(limitBytes: number) {
    return new PayloadTooLarge({ limitBytes, message: `The request body is larger than ${limitBytes} bytes` })
  }
}

export class InternalError extends Schema.TaggedError<InternalError>()(
  "InternalError",
  { message: Schema.String, requestId: Schema.String },
  HttpApiSchema.annotations({ status: 500 })
) {
  static of(requestId: string) {
    return new InternalError({
      requestId,
      message: `Something went wrong on our side; quote request id ${requestId} when reporting it`
    })
  }
}

export class NotReady extends Schema.TaggedError<NotReady>()(
  "NotReady",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 503 })
) {}
