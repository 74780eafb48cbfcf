// The group-commit writer's threads (see CommitThread.ts and docs/decisions/0014). Plain JavaScript:
// a worker thread loads it directly, with no TypeScript loader. Each thread holds its own
// connection to the database file, in one of two roles:
// - "commit": runs each batch of statements, already compiled by @effect/sql on the main thread,
//   in one transaction; the main thread answers callers only once this thread has committed.
// - "checkpoint": copies the WAL into the database file on a timer, beside the committer, so that
//   no commit waits for a checkpoint (56 of 700 batches took ~7 ms each for one, holding up both
//   threads: docs/decisions/0014), then flags the WAL for the commit thread's catch-up (decision 0016).
import { parentPort, workerData } from "node:worker_threads"
import { errorOf, makeBatchCommitter, makeCheckpointer, openConnection } from "./sqliteCommit.mjs"

const db = openConnection(workerData.filename, { busyTimeoutMillis: workerData.busyTimeoutMillis, synchronous: workerData.synchronous })
const catchUp = new Int32Array(workerData.catchUp)

const close = () => {
  db.close()
  parentPort.close()
}

if (workerData.role === "checkpoint") {
  // PASSIVE never waits for the committer; a busy database only means trying again next time.
  const checkpoint = makeCheckpointer(db, catchUp)
  const timer = setInterval(() => {
    try {
      checkpoint()
    } catch {
      // A transient failure: the next tick tries again.
    }
  }, workerData.checkpointEveryMillis)
  parentPort.on("message", (message) => {
    if (message.close !== true) return
    clearInterval(timer)
    close()
  })
} else {
  // The committer checkpoints by itself only as a backstop, should the checkpointer fall behind.
  db.pragma(`wal_autocheckpoint = ${workerData.backstopCheckpointPages}`)
  const commitBatch = makeBatchCommitter(db, workerData.prepareCacheSize, catchUp)
  parentPort.on("message", (message) => {
    // Tests only (CommitThread's stopThread): dies as a crash would, leaving what follows unanswered.
    if (message.crash === true) throw new Error("the commit thread was told to crash")
    if (message.close === true) return close()
    const { id, batch } = message
    try {
      commitBatch(batch)
      parentPort.postMessage({ id })
    } catch (cause) {
      parentPort.postMessage({ id, error: errorOf(cause) })
    }
  })
}
