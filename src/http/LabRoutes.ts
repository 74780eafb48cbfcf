import { HttpApiBuilder, HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Config, Effect, Layer, Schema } from "effect"
import { WorkerFaults } from "../runtime/WorkerFaults.ts"
import { StorageFaults } from "../store/StorageFaults.ts"

/*
 * Fault switches for the fault lab (`npm run lab`), outside the public contract. They exist only
 * when the server starts with PARKPLANE_LAB_FAULTS=1: without the flag nothing is mounted and
 * the paths answer 404 like any unknown route.
 */

/** PARKPLANE_LAB_FAULTS: "1"/"true"/"yes"/"on" mounts the fault routes; default off. */
export const LabFaultsEnabled = Config.boolean("PARKPLANE_LAB_FAULTS").pipe(Config.withDefault(false))

const StorageBody = Schema.Struct({ failing: Schema.Boolean })
const WorkerPath = Schema.Struct({ lotId: Schema.String.pipe(Schema.minLength(1)) })

const badRequest = (message: string) =>
  HttpServerResponse.unsafeJson({ _tag: "InvalidInput", message }, { status: 400 })

const routes = HttpApiBuilder.Router.use((router) =>
  Effect.gen(function* () {
    const workers = yield* WorkerFaults
    const storage = yield* StorageFaults
    // The worker dies of a defect on its next command and is restarted from the store.
    yield* router.post(
      "/lab/faults/worker/:lotId",
      HttpRouter.schemaPathParams(WorkerPath).pipe(
        Effect.tap(({ lotId }) => workers.arm(lotId)),
        Effect.map(({ lotId }) => HttpServerResponse.unsafeJson({ armed: lotId })),
        Effect.catchTag("ParseError", () => Effect.succeed(badRequest("lotId is required")))
      )
    )
    // While failing, every commit answers StorageUnavailable and nothing is written.
    yield* router.post(
      "/lab/faults/storage",
      HttpServerRequest.schemaBodyJson(StorageBody).pipe(
        Effect.tap(({ failing }) => storage.fail(failing)),
        Effect.map(({ failing }) => HttpServerResponse.unsafeJson({ failing })),
        Effect.catchTags({
          ParseError: () => Effect.succeed(badRequest('the body is {"failing": true|false}')),
          RequestError: () => Effect.succeed(badRequest('the body is {"failing": true|false}'))
        })
      )
    )
  })
)

/** The fault routes when PARKPLANE_LAB_FAULTS is on, nothing otherwise. */
export const LabRoutesLive = Layer.unwrapEffect(Effect.map(LabFaultsEnabled, (enabled) => (enabled ? routes : Layer.empty)))
