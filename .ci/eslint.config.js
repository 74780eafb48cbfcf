// Kept under .ci/ so the top level holds only what DEVELOPERS.md lists; basePath points back at the root.
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import js from "@eslint/js"
import tseslint from "typescript-eslint"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")

export default tseslint.config(
  { basePath: root, ignores: ["node_modules/**", "build/**", "data/**"] },
  {
    basePath: root,
    files: ["src/**/*.ts", "test/**/*.ts"],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-namespace": "off",
      // Effect's Data.TaggedEnum spells a case without fields as `{}`.
      "@typescript-eslint/no-empty-object-type": "off",
      "require-yield": "off"
    }
  }
)
