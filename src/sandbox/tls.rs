//! `--tls`: a CA generated at start, a server certificate for the addresses clients
//! use signed by it, and the CA written to `DATA_DIR/ca.pem` for clients to trust.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio_rustls::rustls;
use tokio_rustls::TlsAcceptor;

pub struct Tls {
    pub acceptor: TlsAcceptor,
    pub ca_path: PathBuf,
}

/// Names the certificate is valid for: loopback names and the bound address.
fn names(addr: SocketAddr) -> Vec<String> {
    let mut names = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ];
    let ip = addr.ip().to_string();
    if !addr.ip().is_unspecified() && !names.contains(&ip) {
        names.push(ip);
    }
    names
}

pub fn generate(data_dir: &Path, addr: SocketAddr) -> Result<Tls, String> {
    let failed = |what: &str, e: &dyn std::fmt::Display| format!("cannot {what} for --tls: {e}");
    let mut ca_params =
        rcgen::CertificateParams::new(Vec::<String>::new()).map_err(|e| failed("make a CA", &e))?;
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "b24tel sandbox CA");
    let ca_key = rcgen::KeyPair::generate().map_err(|e| failed("make a CA key", &e))?;
    let ca = ca_params
        .self_signed(&ca_key)
        .map_err(|e| failed("sign the CA", &e))?;
    let leaf_key = rcgen::KeyPair::generate().map_err(|e| failed("make a key", &e))?;
    let leaf = rcgen::CertificateParams::new(names(addr))
        .map_err(|e| failed("make a certificate", &e))?
        .signed_by(&leaf_key, &ca, &ca_key)
        .map_err(|e| failed("sign the certificate", &e))?;
    let ca_path = data_dir.join("ca.pem");
    std::fs::write(&ca_path, ca.pem())
        .map_err(|e| failed(&format!("write {}", ca_path.display()), &e))?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| failed("set up TLS", &e))?
    .with_no_client_auth()
    .with_single_cert(
        vec![leaf.der().clone()],
        rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
    )
    .map_err(|e| failed("load the certificate", &e))?;
    Ok(Tls {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        ca_path,
    })
}
