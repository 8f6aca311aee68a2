//! Rebuilds the hub when its migrations change: they are embedded at compile time.

fn main() {
    println!("cargo:rerun-if-changed=../../migrations/hub");
}
