//! The address a request came from, for limits that must not trust what the client
//! writes in its headers.

use std::net::{IpAddr, Ipv4Addr};

use actix_web::HttpRequest;

/// The client's IP address: the TCP peer, or, behind `trusted_proxies` reverse proxies
/// that each append the address they saw to `X-Forwarded-For`, the entry the outermost
/// trusted proxy appended. Entries left of it were written by the client and are
/// ignored, so a client cannot choose the address it is counted under.
pub fn client_address(req: &HttpRequest, trusted_proxies: u8) -> IpAddr {
    let peer = req
        .peer_addr()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip());
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    from_forwarded(peer, &forwarded, trusted_proxies)
}

/// The address `trusted_proxies` hops back in `forwarded` (an `X-Forwarded-For` value),
/// or `peer` when there are no trusted proxies or not enough entries.
fn from_forwarded(peer: IpAddr, forwarded: &str, trusted_proxies: u8) -> IpAddr {
    if trusted_proxies == 0 {
        return peer;
    }
    let entries: Vec<&str> = forwarded
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect();
    entries
        .len()
        .checked_sub(usize::from(trusted_proxies))
        .and_then(|index| entries[index].parse().ok())
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEER: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9));

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        assert_eq!(from_forwarded(PEER, "203.0.113.7", 0), PEER);
    }

    #[test]
    fn each_trusted_proxy_is_one_entry_from_the_right() {
        let forged_then_real = "198.51.100.1, 203.0.113.7";
        assert_eq!(
            from_forwarded(PEER, forged_then_real, 1),
            "203.0.113.7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            from_forwarded(PEER, "203.0.113.7, 10.0.0.2", 2),
            "203.0.113.7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(from_forwarded(PEER, "10.0.0.2", 2), PEER, "too few entries");
        assert_eq!(from_forwarded(PEER, "garbage", 1), PEER);
    }
}
