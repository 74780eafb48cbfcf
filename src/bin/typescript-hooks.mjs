// Module hooks that run parkplane's TypeScript sources without a build step (see typescript.mjs).
import { readFile } from "node:fs/promises"
import { transform } from "esbuild"

const isTypeScript = (url) => url.startsWith("file:") && /\.(ts|mts)$/.test(new URL(url).pathname)

export async function load(url, context, nextLoad) {
  if (!isTypeScript(url)) return nextLoad(url, context)
  const source = await readFile(new URL(url), "utf8")
  const { code } = await transform(source, {
    loader: "ts",
    format: "esm",
    target: "node20",
    sourcefile: new URL(url).pathname,
    // Inline maps: stack traces point at the TypeScript (source maps are enabled by typescript.mjs).
    sourcemap: "inline"
  })
  return { format: "module", source: code, shortCircuit: true }
}
