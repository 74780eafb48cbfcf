import { HttpApiMiddleware, HttpApiSecurity } from "@effect/platform"
import { ConfigError, Context, Effect, Either, Layer, Option, Redacted, Schema } from "effect"
import { createHash, timingSafeEqual } from "node:crypto"
import { AppConfig } from "../config.ts"
import { Unauthorized } from "../domain/Errors.ts"
import { defaultTenant, TenantId } from "../domain/Ids.ts"

/** The tenant the current request acts for. */
export class CurrentTenant extends Context.Tag("parkplane/http/CurrentTenant")<CurrentTenant, TenantId>() {}

/** Bearer-key authentication of every `/v1` request; provides the caller's tenant. */
export class Authentication extends HttpApiMiddleware.Tag<Authentication>()("parkplane/http/Authentication", {
  failure: Unauthorized,
  provides: CurrentTenant,
  security: { bearer: HttpApiSecurity.bearer }
}) {}

interface KeyEntry {
  readonly tenant: TenantId
  readonly digest: Buffer
}

const digestOf = (key: string) => createHash("sha256").update(key, "utf8").digest()

/** Parses `tenantA:keyA,tenantB:keyB`; a key may itself contain `:`. */
export const parseApiKeys = (text: string): Either.Either<ReadonlyArray<KeyEntry>, string> => {
  const entries: Array<KeyEntry> = []
  for (const [index, part] of text.split(",").entries()) {
    const item = part.trim()
    const colon = item.indexOf(":")
    if (colon <= 0 || colon === item.length - 1) {
      return Either.left(`entry ${index + 1} is not tenant:key`)
    }
    const tenant = item.slice(0, colon).trim()
    if (!Schema.is(TenantId)(tenant)) {
      return Either.left(`entry ${index + 1} has a tenant that is not 1 to 64 of A-Z a-z 0-9 _ . -`)
    }
    entries.push({ tenant, digest: digestOf(item.slice(colon + 1).trim()) })
  }
  return Either.right(entries)
}

/*
 * Compares digests rather than keys so every comparison has the same length, and checks every
 * entry without stopping early, so the time taken says nothing about which key was close.
 */
const tenantOfKey = (entries: ReadonlyArray<KeyEntry>, key: string): Option.Option<TenantId> => {
  const digest = digestOf(key)
  let found: TenantId | undefined
  for (const entry of entries) {
    if (timingSafeEqual(entry.digest, digest) && found === undefined) found = entry.tenant
  }
  return Option.fromNullable(found)
}

export const unauthorized = new Unauthorized({
  message: "A valid API key is needed: send the header Authorization: Bearer <key>"
})

/**
 * The tenant of a bearer token, decided without an Effect step: the Authentication middleware and
 * the fast lane (FastLane.ts) both ask it. No keys configured: every caller is the tenant `default`.
 */
export class KeyRing extends Context.Tag("parkplane/http/KeyRing")<
  KeyRing,
  { readonly tenantOf: (token: string) => Option.Option<TenantId> }
>() {}

const anyoneIsDefault = Option.some(defaultTenant)

export const keyRingFor = (keys: Option.Option<ReadonlyArray<KeyEntry>>) =>
  Layer.succeed(
    KeyRing,
    Option.match(keys, {
      onNone: () => ({ tenantOf: () => anyoneIsDefault }),
      onSome: (entries) => ({ tenantOf: (token: string) => tenantOfKey(entries, token) })
    })
  )

/** The platform's reading of `Authorization: Bearer <key>`: whatever follows the scheme's length. */
export const bearerTokenOf = (authorization: string | undefined): string => (authorization ?? "").slice("Bearer ".length)

/** The key ring configured from PARKPLANE_API_KEYS. */
export const KeyRingLive = Layer.unwrapEffect(
  Effect.gen(function* () {
    const { apiKeys } = yield* AppConfig
    const keys = yield* Option.match(apiKeys, {
      onNone: () => Effect.succeed(Option.none<ReadonlyArray<KeyEntry>>()),
      onSome: (text) =>
        parseApiKeys(Redacted.value(text)).pipe(
          Either.map(Option.some),
          Either.mapLeft((reason) => ConfigError.InvalidData(["PARKPLANE_API_KEYS"], reason))
        )
    })
    return keyRingFor(keys)
  })
)

/** The middleware over a key ring: each request needs a key the ring knows. */
export const AuthenticationFromKeyRing = Layer.effect(
  Authentication,
  Effect.map(KeyRing, (ring) => ({
    bearer: (token: Redacted.Redacted<string>) =>
      Option.match(ring.tenantOf(Redacted.value(token)), {
        onNone: () => Effect.fail(unauthorized),
        onSome: Effect.succeed
      })
  }))
)

/** Keys given: each request needs one. No keys: every request is the tenant `default`. */
export const authenticationFor = (keys: Option.Option<ReadonlyArray<KeyEntry>>) =>
  AuthenticationFromKeyRing.pipe(Layer.provide(keyRingFor(keys)))

/** Authentication configured from PARKPLANE_API_KEYS. */
export const AuthenticationLive = AuthenticationFromKeyRing.pipe(Layer.provide(KeyRingLive))
