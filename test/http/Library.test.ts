import { FetchHttpClient, HttpApi, HttpApiBuilder, HttpApiClient, HttpApiEndpoint, HttpApiGroup, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect, Layer, Option, Schema } from "effect"
import { createServer } from "node:http"
import {
  authenticationFor,
  DatabaseLive,
  ErrorTranslationLive,
  LotsGroup,
  LotsLive,
  ParkingLive,
  VehiclesGroup,
  VehiclesLive,
  withParkplaneErrors
} from "../../src/index.ts"
import { tempDbFile } from "./TestServer.ts"

/** Another Effect app: its own group beside two of parkplane's. */
class GreetingGroup extends HttpApiGroup.make("greeting").add(
  HttpApiEndpoint.get("hello", "/hello").addSuccess(Schema.Struct({ greeting: Schema.String }))
) {}

class HostApi extends withParkplaneErrors(HttpApi.make("parkplane").add(GreetingGroup).add(LotsGroup).add(VehiclesGroup)) {}

const GreetingLive = HttpApiBuilder.group(HostApi, "greeting", (handlers) =>
  handlers.handle("hello", () => Effect.succeed({ greeting: "hello from the host" }))
)

const HostLive = HttpApiBuilder.serve().pipe(
  Layer.provide(ErrorTranslationLive),
  Layer.provide(
    HttpApiBuilder.api(HostApi).pipe(
      Layer.provide([GreetingLive, LotsLive, VehiclesLive]),
      Layer.provide(authenticationFor(Option.none()))
    )
  ),
  Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })),
  Layer.provide(ParkingLive),
  Layer.provide(DatabaseLive({ filename: tempDbFile() })),
  Layer.provideMerge(FetchHttpClient.layer)
)

const hostClient = Effect.flatMap(HttpServer.HttpServer, (server) =>
  HttpApiClient.make(HostApi, {
    baseUrl: server.address._tag === "TcpAddress" ? `http://127.0.0.1:${server.address.port}` : ""
  })
)

layer(HostLive, { excludeTestServices: true })("the library face", (it) => {
  it.effect("an app mounts parkplane's groups beside its own and calls them with its typed client", () =>
    Effect.gen(function* () {
      const api = yield* hostClient
      expect(yield* api.greeting.hello()).toEqual({ greeting: "hello from the host" })
      const lot = yield* api.lots.createLot({ payload: { name: "Hosted", slots: 2 }, headers: {} })
      const ticket = yield* api.vehicles.park({
        path: { lotId: lot.id },
        payload: { registration: "HOST-1", color: "Silver" },
        headers: {}
      })
      expect(ticket.slot).toBe(1)
      expect((yield* api.lots.getLot({ path: { lotId: lot.id } })).occupied).toBe(1)
      const refused = yield* Effect.flip(api.lots.createLot({ payload: { name: "Huge", slots: 200_000 }, headers: {} }))
      expect(refused._tag).toBe("InvalidInput")
    }))
})
