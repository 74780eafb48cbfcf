import type BetterSqlite3 from "better-sqlite3"

export interface CommitError {
  readonly code: string | undefined
  readonly message: string
}

export declare const synchronousPragma: (synchronous: "normal" | "full") => string
export declare const openConnection: (
  filename: string,
  options: { readonly busyTimeoutMillis: number; readonly synchronous?: "normal" | "full" }
) => BetterSqlite3.Database
export declare const catchUpFlagged: number
export declare const catchUpAfterPages: number
export declare const makeBatchCommitter: (
  db: BetterSqlite3.Database,
  prepareCacheSize: number,
  catchUp?: Int32Array
) => (batch: ReadonlyArray<readonly [sql: string, params: ReadonlyArray<unknown>]>) => void
export declare const makeCheckpointer: (db: BetterSqlite3.Database, catchUp: Int32Array) => () => void
export declare const errorOf: (cause: unknown) => CommitError
