// Kept under .ci/ so the top level holds only what DEVELOPERS.md lists; basePath points back at the root.
import js from "@eslint/js"
import tseslint from "typescript-eslint"

export default tseslint.config(
  { basePath: "..", ignores: ["node_modules/**", "build/**", "data/**"] },
  {
    basePath: "..",
    files: ["src/**/*.ts", "test/**/*.ts"],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-namespace": "off",
      "require-yield": "off"
    }
  }
)
