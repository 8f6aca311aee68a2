//! Who may see which case: the domain's rule, which the hub enforces on every request.

pub use casebook_domain::scope::*;
