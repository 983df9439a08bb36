//! `cargo xtask codegen`: regenerates `probes/generated/contracts.c` from the contracts in
//! `harness/data/contracts/*.toml`. The harness's unit tests fail while the file is stale.

use abi_harness::manifest::Manifest;
use abi_harness::properties::contracts::{self, codegen};
use anyhow::{Result, anyhow};

pub fn run(sh: &xshell::Shell, args: &[String]) -> Result<()> {
    if let Some(extra) = args.first() {
        anyhow::bail!("`cargo xtask codegen` takes no arguments (got `{extra}`)");
    }
    let contracts = contracts::load()?;
    let source =
        codegen::c_source(&contracts::families()?, &contracts, &Manifest::builtin()).map_err(|err| anyhow!(err))?;
    let path = sh.current_dir().join(codegen::GENERATED_PATH);
    abi_harness::write_atomically(&path, source.as_bytes())?;
    println!("wrote {} ({} contracts)", codegen::GENERATED_PATH, contracts.len());
    Ok(())
}
