//! What can go wrong while making a document, said so that a person knows what to do next.

/// A document could not be made; nothing was written anywhere.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// One of the fonts built into Casebook could not be read (a fault in this build).
    #[error(
        "The built-in font {0} could not be read, so no document was made. This is a fault in \
         this copy of Casebook: please report it."
    )]
    Font(&'static str),
    /// The PDF writer refused the document (a fault in Casebook, not in the case's data).
    #[error(
        "The PDF could not be written ({0}), so no document was made. This is a fault in \
         Casebook, not in the case: please report it."
    )]
    Pdf(String),
}
