//! SMART Backend Services clients registered by JWKS URL: their public keys are fetched
//! from the URL they registered (the IG's `jwks_uri`), cached, and fetched again when an
//! assertion names a key the cache does not hold (the client rotated its keys).
//!
//! The URL is the client's, so fetching it must not become a way to make this server
//! request what it should not (server-side request forgery): outside development only
//! `https` URLs are fetched, never from a private, loopback or link-local address
//! (checked for literal addresses and for every address a name resolves to, so DNS
//! cannot smuggle one in), never through a proxy (which would resolve names itself),
//! never with credentials in the URL, redirects are followed only to URLs that pass the
//! same checks, the response is cut off past [`MAX_JWKS_BYTES`], and the fetch has a
//! timeout. One URL is fetched once at a time, a failure is remembered for
//! [`FetchSettings::refresh_min`], and one slow host holds up only its own clients.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
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
    #[error("JWKS URLs may not carry credentials")]
    Credentials,
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
    if !url.username().is_empty() || url.password().is_some() {
        return Err(JwksUrlError::Credentials);
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
/// benchmarking, reserved, unspecified, multicast, broadcast or documentation space, nor
/// an IPv6 form that carries an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo)
/// unless that address is public.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_public_v4(ip),
        IpAddr::V6(ip) => is_public_v6(ip),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let segments = ip.segments();
    let embedded_v4 = |high: u16, low: u16| {
        Ipv4Addr::new((high >> 8) as u8, high as u8, (low >> 8) as u8, low as u8)
    };
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    // IPv4-compatible (::a.b.c.d, deprecated) and NAT64 (64:ff9b::/96, 64:ff9b:1::/48)
    // reach an IPv4 address: judge that.
    if segments[..6] == [0; 6] && segments[6] != 0 {
        return is_public_v4(embedded_v4(segments[6], segments[7]));
    }
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return is_public_v4(embedded_v4(segments[6], segments[7]));
    }
    if segments[0] == 0x64 && segments[1] == 0xff9b && segments[2] == 1 {
        return false;
    }
    let first = segments[0];
    // 6to4 (2002::/16) embeds an IPv4 address; Teredo (2001::/32) tunnels to any.
    if first == 0x2002 {
        return is_public_v4(embedded_v4(segments[1], segments[2]));
    }
    if first == 0x2001 && segments[1] == 0 {
        return false;
    }
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first & 0xffc0) == 0xfec0
        || (first == 0x2001 && segments[1] == 0x0db8))
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

/// What the last fetch of one URL gave, and when.
#[derive(Debug, Clone)]
struct Fetched {
    keys: Result<Arc<JwkSet>, JwksUrlError>,
    at: Instant,
}

/// One URL's cache entry: its lock is held while that URL is fetched, so concurrent
/// token requests of its clients wait for one fetch instead of each making their own.
type Entry = Arc<tokio::sync::Mutex<Option<Fetched>>>;

/// Fetches and caches the key sets of clients registered by URL.
#[derive(Debug)]
pub struct JwksFetcher {
    http: reqwest::Client,
    settings: FetchSettings,
    entries: Mutex<HashMap<String, Entry>>,
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
            .redirect(redirects)
            .no_proxy();
        if !policy.allow_private {
            builder = builder.dns_resolver(Arc::new(PublicOnly));
        }
        let http = builder
            .build()
            .map_err(|e| JwksUrlError::Fetch(e.to_string()))?;
        Ok(JwksFetcher {
            http,
            settings,
            entries: Mutex::new(HashMap::new()),
        })
    }

    /// The keys at `url`: cached while fresh and holding `kid` (when the assertion names
    /// one), else fetched again, at most once per [`FetchSettings::refresh_min`] (a
    /// failed fetch is not repeated sooner either).
    pub async fn keys(&self, url: &str, kid: Option<&str>) -> Result<Arc<JwkSet>, JwksUrlError> {
        let entry = self.entry(url);
        let mut fetched = entry.lock().await;
        if let Some(last) = fetched.as_ref() {
            let age = last.at.elapsed();
            let recent = age < self.settings.refresh_min;
            match &last.keys {
                Err(_) if recent => return last.keys.clone(),
                Ok(keys) if age < self.settings.cache_ttl => {
                    let holds_kid = kid.is_none_or(|kid| keys.find(kid).is_some());
                    if holds_kid || recent {
                        return Ok(keys.clone());
                    }
                }
                _ => {}
            }
        }
        let keys = self.fetch(url).await.map(Arc::new);
        *fetched = Some(Fetched {
            keys: keys.clone(),
            at: Instant::now(),
        });
        keys
    }

    /// The cache entry of `url`, created on first use.
    fn entry(&self, url: &str) -> Entry {
        // The map holds handles only: one left by a panicking thread is still valid.
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        entries.entry(url.to_owned()).or_default().clone()
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
            // reqwest's message names the URL; the host is enough to act on, and keeps
            // any token in the path or query out of the logs.
            JwksUrlError::Fetch(e.without_url().to_string())
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
            "https://[64:ff9b::a9fe:a9fe]/",
            "https://[2002:a00:1::]/",
            "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
            "https://[::a00:1]/",
            "https://198.18.0.1/",
            "https://[fec0::1]/",
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
        assert_eq!(
            parse_url("https://user:secret@keys.example.org/jwks.json", PRODUCTION),
            Err(JwksUrlError::Credentials)
        );
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
        for public in [
            "8.8.8.8",
            "2606:4700:4700::1111",
            "100.128.0.1",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
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
