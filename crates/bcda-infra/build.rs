//! Rebuilds the crate when a migration is added: `embed_migrations!` reads the
//! directory at compile time, and cargo would otherwise not notice a new file.

fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
