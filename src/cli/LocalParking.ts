import { Layer } from "effect"
import { ParkingLive } from "../runtime/ParkingLive.ts"
import { DatabaseLive } from "../store/Database.ts"

/** The real runtime in this process over SQLite at `filename` (":memory:" for nothing kept). */
export const localParking = (filename: string) => ParkingLive.pipe(Layer.provide(DatabaseLive({ filename })))
