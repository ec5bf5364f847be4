//! SMART Backend Services clients registered by JWKS URL: their public keys are fetched
//! from the URL they registered (the IG's `jwks_uri`), cached, and fetched again when an
//! assertion names a key the cache does not hold (the client rotated its keys).
//!
//! The URL is the client's, so fetching it must not become a way to make this server
//! request what it should not (server-side request forgery): outside development only
//! `https` URLs are fetched, never from a private, loopback or link-local address
//! (checked for literal addresses and for every address a name resolves to, so DNS
//! cannot smuggle one in), redirects are followed only to URLs that pass the same
//! checks, the response is cut off past [`MAX_JWKS_BYTES`], and the fetch has a timeout.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use tokio::sync::Mutex;
use url::Url;

/// The largest JWKS accepted: a few keys are a few kilobytes.
pub const MAX_JWKS_BYTES: usize = 64 * 1024;

/// Redirects followed at most, each checked like the URL itself.
const MAX_REDIRECTS: usize = 3;

/// Which URLs may be fetched. Production refuses both; development (a JWKS served by a
/// local test server) allows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UrlPolicy {
    /// `http://` URLs (`BCDA_JWKS_URL_ALLOW_HTTP`).
    pub allow_http: bool,
    /// Private, loopback and link-local addresses (`BCDA_JWKS_URL_ALLOW_PRIVATE`).
    pub allow_private: bool,
}

/// Why a JWKS URL is refused, or its keys could not be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwksUrlError {
    #[error("not a URL: {0}")]
    NotUrl(String),
    #[error("JWKS URLs must use https")]
    NotHttps,
    #[error("JWKS URL {0} has no host")]
    NoHost(String),
    #[error("JWKS URL host {0} is a private, loopback or link-local address")]
    PrivateAddress(String),
    #[error("fetching the JWKS failed: {0}")]
    Fetch(String),
    #[error("the JWKS URL answered {0}")]
    Status(u16),
    #[error("the JWKS is larger than {MAX_JWKS_BYTES} bytes")]
    TooLarge,
    #[error("the JWKS URL did not return a JWK Set: {0}")]
    NotJwks(String),
}

/// Checks a URL's scheme and, when its host is an address, that address.
pub fn check_url(url: &Url, policy: UrlPolicy) -> Result<(), JwksUrlError> {
    match url.scheme() {
        "https" => {}
        "http" if policy.allow_http => {}
        _ => return Err(JwksUrlError::NotHttps),
    }
    let host = url
        .host()
        .ok_or_else(|| JwksUrlError::NoHost(url.to_string()))?;
    let literal = match host {
        url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
        url::Host::Domain(_) => None,
    };
    if let Some(ip) = literal
        && !policy.allow_private
        && !is_public(ip)
    {
        return Err(JwksUrlError::PrivateAddress(ip.to_string()));
    }
    Ok(())
}

/// Whether a redirect to `url`, after `previous` requests, may be followed: a few at
/// most, each to a URL [`check_url`] allows (a name is checked when it resolves).
pub fn check_redirect(url: &Url, previous: usize, policy: UrlPolicy) -> Result<(), JwksUrlError> {
    if previous > MAX_REDIRECTS {
        return Err(JwksUrlError::Fetch("too many redirects".into()));
    }
    check_url(url, policy)
}

/// Parses and checks a URL a client registers.
pub fn parse_url(text: &str, policy: UrlPolicy) -> Result<Url, JwksUrlError> {
    let url = Url::parse(text).map_err(|e| JwksUrlError::NotUrl(e.to_string()))?;
    check_url(&url, policy)?;
    Ok(url)
}

/// Whether `ip` is an address of the public internet: not loopback, private (RFC 1918,
/// unique local), link-local (where cloud metadata services answer), shared (CGNAT),
/// unspecified, multicast, broadcast or documentation space.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => {
            let [a, b, ..] = ip.octets();
            !(ip.is_loopback()
                || ip.is_private()
                || ip.is_link_local()
                || ip.is_unspecified()
                || ip.is_multicast()
                || ip.is_broadcast()
                || ip.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b)))
        }
        IpAddr::V6(ip) => {
            if let Some(v4) = ip.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = ip.segments()[0];
            !(ip.is_loopback()
                || ip.is_unspecified()
                || ip.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

/// Resolves names with the system resolver and drops every address that is not public,
/// so a name that resolves only to private addresses cannot be fetched.
#[derive(Debug)]
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let public: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|address| is_public(address.ip()))
                .collect();
            if public.is_empty() {
                return Err(JwksUrlError::PrivateAddress(host).into());
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// How the fetcher fetches and caches.
#[derive(Debug, Clone, Copy)]
pub struct FetchSettings {
    pub policy: UrlPolicy,
    /// The whole fetch, connecting included.
    pub timeout: Duration,
    /// How long fetched keys are used without fetching again.
    pub cache_ttl: Duration,
    /// The least time between two fetches of one URL for an unknown `kid`, so that
    /// assertions naming made-up keys cannot make this server hammer a client's host.
    pub refresh_min: Duration,
}

#[derive(Debug, Clone)]
struct Cached {
    keys: Arc<JwkSet>,
    fetched_at: Instant,
}

/// Fetches and caches the key sets of clients registered by URL.
#[derive(Debug)]
pub struct JwksFetcher {
    http: reqwest::Client,
    settings: FetchSettings,
    cache: Mutex<HashMap<String, Cached>>,
}

impl JwksFetcher {
    /// A fetcher with its own HTTP client, built for `settings`.
    pub fn new(settings: FetchSettings) -> Result<JwksFetcher, JwksUrlError> {
        let policy = settings.policy;
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            match check_redirect(attempt.url(), attempt.previous().len(), policy) {
                Ok(()) => attempt.follow(),
                Err(refused) => attempt.error(refused),
            }
        });
        let mut builder = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .redirect(redirects);
        if !policy.allow_private {
            builder = builder.dns_resolver(Arc::new(PublicOnly));
        }
        let http = builder
            .build()
            .map_err(|e| JwksUrlError::Fetch(e.to_string()))?;
        Ok(JwksFetcher {
            http,
            settings,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// The keys at `url`: cached while fresh and holding `kid` (when the assertion names
    /// one), else fetched again, at most once per [`FetchSettings::refresh_min`] for a
    /// missing `kid`.
    pub async fn keys(&self, url: &str, kid: Option<&str>) -> Result<Arc<JwkSet>, JwksUrlError> {
        let mut cache = self.cache.lock().await;
        if let Some(cached) = cache.get(url) {
            let age = cached.fetched_at.elapsed();
            let holds_kid = kid.is_none_or(|kid| cached.keys.find(kid).is_some());
            let fresh = age < self.settings.cache_ttl;
            if fresh && (holds_kid || age < self.settings.refresh_min) {
                return Ok(cached.keys.clone());
            }
        }
        let keys = Arc::new(self.fetch(url).await?);
        cache.insert(
            url.to_owned(),
            Cached {
                keys: keys.clone(),
                fetched_at: Instant::now(),
            },
        );
        Ok(keys)
    }

    async fn fetch(&self, url: &str) -> Result<JwkSet, JwksUrlError> {
        let url = parse_url(url, self.settings.policy)?;
        let fetch_error = |e: reqwest::Error| {
            // The refusal of a redirect or of a resolved address is the reason to show.
            let mut source: Option<&dyn std::error::Error> = Some(&e);
            while let Some(error) = source {
                if let Some(refused) = error.downcast_ref::<JwksUrlError>() {
                    return refused.clone();
                }
                source = error.source();
            }
            JwksUrlError::Fetch(e.to_string())
        };
        let mut response = self
            .http
            .get(url)
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(fetch_error)?;
        if !response.status().is_success() {
            return Err(JwksUrlError::Status(response.status().as_u16()));
        }
        if response
            .content_length()
            .is_some_and(|length| length > MAX_JWKS_BYTES as u64)
        {
            return Err(JwksUrlError::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(fetch_error)? {
            if body.len() + chunk.len() > MAX_JWKS_BYTES {
                return Err(JwksUrlError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        let keys: JwkSet =
            serde_json::from_slice(&body).map_err(|e| JwksUrlError::NotJwks(e.to_string()))?;
        if keys.keys.is_empty() {
            return Err(JwksUrlError::NotJwks("it holds no keys".into()));
        }
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRODUCTION: UrlPolicy = UrlPolicy {
        allow_http: false,
        allow_private: false,
    };

    #[test]
    fn production_takes_only_https_urls_of_public_hosts() {
        assert!(parse_url("https://client.example.org/jwks.json", PRODUCTION).is_ok());
        assert!(parse_url("https://93.184.216.34/jwks.json", PRODUCTION).is_ok());
        assert_eq!(
            parse_url("http://client.example.org/jwks.json", PRODUCTION),
            Err(JwksUrlError::NotHttps)
        );
        assert_eq!(
            parse_url("file:///etc/passwd", PRODUCTION),
            Err(JwksUrlError::NotHttps)
        );
        for private in [
            "https://127.0.0.1/jwks.json",
            "https://10.1.2.3/",
            "https://169.254.169.254/latest/meta-data/",
            "https://[::1]/",
            "https://[fd00::1]/",
            "https://[::ffff:192.168.0.1]/",
            "https://100.64.0.1/",
            "https://0.0.0.0/",
        ] {
            assert!(
                matches!(
                    parse_url(private, PRODUCTION),
                    Err(JwksUrlError::PrivateAddress(_))
                ),
                "{private}"
            );
        }
        assert!(matches!(
            parse_url("not a url", PRODUCTION),
            Err(JwksUrlError::NotUrl(_))
        ));
    }

    #[test]
    fn development_may_allow_http_and_private_hosts() {
        let development = UrlPolicy {
            allow_http: true,
            allow_private: true,
        };
        assert!(parse_url("http://127.0.0.1:8080/jwks.json", development).is_ok());
        let http_only = UrlPolicy {
            allow_http: true,
            allow_private: false,
        };
        assert!(matches!(
            parse_url("http://127.0.0.1:8080/jwks.json", http_only),
            Err(JwksUrlError::PrivateAddress(_))
        ));
    }

    #[test]
    fn redirects_are_followed_only_a_few_times_and_never_to_a_refused_url() {
        let to = |url: &str| Url::parse(url).unwrap();
        assert!(check_redirect(&to("https://keys.example.org/"), 1, PRODUCTION).is_ok());
        assert!(matches!(
            check_redirect(&to("https://10.0.0.1/jwks.json"), 1, PRODUCTION),
            Err(JwksUrlError::PrivateAddress(_))
        ));
        assert_eq!(
            check_redirect(&to("http://keys.example.org/"), 1, PRODUCTION),
            Err(JwksUrlError::NotHttps)
        );
        assert!(
            check_redirect(
                &to("https://keys.example.org/"),
                MAX_REDIRECTS + 1,
                PRODUCTION
            )
            .is_err()
        );
    }

    #[test]
    fn public_addresses_are_told_from_the_rest() {
        for public in ["8.8.8.8", "2606:4700:4700::1111", "100.128.0.1"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
        for private in [
            "192.168.1.1",
            "172.16.0.1",
            "fe80::1",
            "224.0.0.1",
            "192.0.2.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
    }
}
