// Every type that crosses the bridge comes from Rust (bindings.ts is generated); the rest of
// the ui imports from here so that stays one line.
export * from './bindings';
