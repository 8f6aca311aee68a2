//! The protocol version: sent by the client on every request, checked by the hub.

/// The version this build speaks.
pub const PROTOCOL_VERSION: u32 = 1;

/// The oldest client version this hub still serves.
pub const MIN_PROTOCOL_VERSION: u32 = 1;

/// The newest client version this hub understands.
pub const MAX_PROTOCOL_VERSION: u32 = PROTOCOL_VERSION;

/// The HTTP header that carries the version, on requests and on the hub's answers.
pub const PROTOCOL_HEADER: &str = "Casebook-Protocol";

/// How a peer's version compares with the accepted window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionCheck {
    /// Within the window.
    Accepted,
    /// Older than the window: the client must be updated.
    TooOld,
    /// Newer than the window: the hub must be updated.
    TooNew,
}

/// Places `version` against the accepted window.
pub fn check_version(version: u32) -> VersionCheck {
    if version < MIN_PROTOCOL_VERSION {
        VersionCheck::TooOld
    } else if version > MAX_PROTOCOL_VERSION {
        VersionCheck::TooNew
    } else {
        VersionCheck::Accepted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_accepts_the_current_version_only_for_now() {
        assert_eq!(check_version(PROTOCOL_VERSION), VersionCheck::Accepted);
        assert_eq!(check_version(0), VersionCheck::TooOld);
        assert_eq!(check_version(PROTOCOL_VERSION + 1), VersionCheck::TooNew);
    }
}
