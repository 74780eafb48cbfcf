import { runRecoveryBench } from "../src/bench/RecoveryBench.ts"
const lots = Number(process.env.LOTS ?? 100)
const r = await runRecoveryBench({ lots, occupiedPerLot: 1000, withoutSnapshots: true, targets: false, profileMiss: false })
for (const row of r.rows) console.log(process.env.TAG ?? "", row.name, Math.round(row.figure))
