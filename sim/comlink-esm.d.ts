// Types for comlink's ESM files, imported by path so Node's ESM loader gets real ESM (the
// package's `main` is UMD) and Vite bundles the same file. The types are the package's own.
declare module 'comlink/dist/esm/comlink.mjs' {
  export * from 'comlink';
}
declare module 'comlink/dist/esm/node-adapter.mjs' {
  import nodeEndpoint from 'comlink/dist/esm/node-adapter.js';
  export default nodeEndpoint;
}
