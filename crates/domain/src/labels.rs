//! One macro for the closed sets of the domain: each value has a stored name (frozen once
//! released: add, never rename) and a label for people.

/// Declares a closed enum with its stored names and human labels.
#[macro_export]
macro_rules! labelled_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $stored:literal / $label:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $stored)] $variant),+
        }

        impl $name {
            /// Every value, in the order of the process.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored (and wire) name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $stored),+ }
            }

            /// The label shown to people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Every value as (stored name, label), in the order of the process: what a
            /// picker in the ui needs.
            pub fn labels() -> Vec<(&'static str, &'static str)> {
                Self::ALL.iter().map(|v| (v.as_str(), v.label())).collect()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::labels::UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($stored => Ok($name::$variant),)+
                    _ => Err($crate::labels::UnknownValue {
                        what: stringify!($name),
                        value: s.chars().take(40).collect(),
                        expected: &[$($stored),+],
                    }),
                }
            }
        }
    };
}

/// A stored name that is not one of an enum's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a known {what} (expected one of: {})", expected.join(", "))]
pub struct UnknownValue {
    /// The enum's name.
    pub what: &'static str,
    /// The text that was given.
    pub value: String,
    /// The accepted names.
    pub expected: &'static [&'static str],
}
