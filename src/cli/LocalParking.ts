import { Effect, Layer } from "effect"
import { DbSynchronous } from "../config.ts"
import { ParkingLive } from "../runtime/ParkingLive.ts"
import { DatabaseLive } from "../store/Database.ts"

/** The real runtime in this process over SQLite at `filename` (":memory:" for nothing kept), with PARKPLANE_DB_SYNCHRONOUS. */
export const localParking = (filename: string) =>
  ParkingLive.pipe(Layer.provide(Layer.unwrapEffect(Effect.map(DbSynchronous, (synchronous) => DatabaseLive({ filename, synchronous })))))
