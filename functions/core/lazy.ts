/**
 * A value built on the first call and kept: for zod schemas a trigger or use case needs only when it
 * runs. Building them at import was module-scope work every cold start paid (docs/performance.md).
 */
export function lazy<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}
