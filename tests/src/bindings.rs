//! Host bindings for the Spin interfaces, generated from the WIT the components are built
//! against (copied from spin-sdk 5.2.0 into `tests/wit/`).
//!
//! All imports are `async` (SQLite work runs on blocking threads) and `trappable` (a
//! resource-table failure traps the guest instead of panicking the host). The guest's
//! resources map to this crate's types so they live in the store's `ResourceTable`.

wasmtime::component::bindgen!({
    path: "wit",
    world: "spin-host",
    imports: { default: async | trappable },
    with: {
        "fermyon:spin/sqlite.connection": crate::sqlite::Connection,
        "fermyon:spin/key-value.store": crate::key_value::Store,
    },
});
