//! Reading a component's imports from its binary, to check what a built `.wasm` asks of the
//! platform (for example that it needs only interfaces Spin provides).
//!
//! Only the outer component's own import section counts: core modules and components nested
//! inside it import from their parent, not from the host.

use std::path::Path;

use anyhow::{Context, Result};
use wasmparser::{Parser, Payload};

/// The names of the component-level imports of the component at `wasm`, in binary order,
/// e.g. `wasi:http/types@0.2.0` or `fermyon:spin/sqlite@2.0.0`.
pub fn component_imports(wasm: &Path) -> Result<Vec<String>> {
    let bytes = std::fs::read(wasm).with_context(|| format!("reading {}", wasm.display()))?;
    let mut names = Vec::new();
    // 1 while reading the outer component; deeper inside nested modules and components.
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(&bytes) {
        match payload.with_context(|| format!("parsing {}", wasm.display()))? {
            Payload::Version { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(section) if depth == 1 => {
                for import in section {
                    let import = import.with_context(|| format!("parsing imports of {}", wasm.display()))?;
                    names.push(import.name.0.to_string());
                }
            }
            _ => {}
        }
    }
    Ok(names)
}
