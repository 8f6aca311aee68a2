//! TLS from the hub to PostgreSQL. With `sslmode=require` in the URL (or a CA file given), every
//! connection is encrypted and the server's certificate is checked against the system's roots,
//! or only against the CA file given, and against the URL's host name. Without it the
//! connection is plain, as for a database on a private network or a Unix socket: the values a
//! person wrote are sealed either way, but on a network that is not private, TLS keeps anyone
//! on the path from reading or changing the ids, times and scope columns that are not.

use std::path::Path;
use std::sync::Arc;

use tokio_rustls::rustls::crypto::aws_lc_rs;
use tokio_rustls::rustls::pki_types::CertificateDer;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

use crate::error::HubError;

/// The client's TLS settings: trusting the certificates in the PEM file `ca`, or the system's
/// roots.
pub(super) fn client_config(ca: Option<&Path>) -> Result<Arc<ClientConfig>, HubError> {
    let mut roots = RootCertStore::empty();
    match ca {
        Some(path) => {
            let certs = CertificateDer::pem_file_iter(path)
                .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                .map_err(|e| HubError::Tls(format!("cannot read the database CA {}: {e}", path.display())))?;
            if certs.is_empty() {
                return Err(HubError::Tls(format!("no certificate in {}", path.display())));
            }
            for cert in certs {
                roots.add(cert).map_err(|e| {
                    HubError::Tls(format!("the database CA {} is not usable: {e}", path.display()))
                })?;
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            for error in &found.errors {
                tracing::warn!(error = %error, "a certificate of the system's store could not be read");
            }
            let (added, _ignored) = roots.add_parsable_certificates(found.certs);
            if added == 0 {
                return Err(HubError::Tls(
                    "the system has no CA certificates to check PostgreSQL's against; give --database-ca FILE".to_owned(),
                ));
            }
        }
    }
    let config = ClientConfig::builder_with_provider(Arc::new(aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| HubError::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// What a failed TLS connection says, when `e` is one: the handshake's own words (a rustls
/// error or "server does not support TLS"), which never quote the URL or its password.
pub(crate) fn failure(e: &postgres::Error) -> Option<String> {
    let text = e.to_string();
    if !text.contains("TLS") {
        return None;
    }
    let mut why = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        why.push(inner.to_string());
        source = inner.source();
    }
    Some(if why.is_empty() { text } else { why.join(": ") })
}

/// What to do about the TLS failure `why`.
pub(super) fn hint(why: &str) -> &'static str {
    if why.contains("does not support TLS") {
        "Turn TLS on in the server's postgresql.conf (ssl = on), or, on a private network, leave \
         sslmode=require out of the URL"
    } else {
        "Give the CA that signed the server's certificate with --database-ca FILE (or \
         CASEBOOK_HUB_DATABASE_CA), and check the URL names the host the certificate is for"
    }
}
