//! The HTTP rules of a download, apart from any I/O: which representation a client
//! accepts (gzip or plain), its validator, conditional requests and byte ranges.

use std::ops::Range;

/// The two forms of an export file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Representation {
    /// The stored gzip bytes, sent with `Content-Encoding: gzip`.
    Gzip,
    /// The NDJSON itself, decompressed on the way out.
    Plain,
}

impl Representation {
    /// The representation an `Accept-Encoding` header asks for: gzip when it lists
    /// `gzip` (or `x-gzip`, or `*`) with a non-zero quality, as real clients send it
    /// (`gzip, deflate, br`), else plain.
    pub fn negotiate(accept_encoding: Option<&str>) -> Representation {
        let Some(header) = accept_encoding else {
            return Representation::Plain;
        };
        let mut gzip = None;
        let mut any = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let accepted = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .all(|q| q.trim().parse::<f32>().map_or(true, |q| q > 0.0));
            match coding.as_str() {
                "gzip" | "x-gzip" => gzip = Some(accepted),
                "*" => any = Some(accepted),
                _ => {}
            }
        }
        if gzip.or(any).unwrap_or(false) {
            Representation::Gzip
        } else {
            Representation::Plain
        }
    }

    /// The strong entity tag of this representation of file `id`. Export files are
    /// immutable and uniquely named, so the name is a validator that never lies; the two
    /// representations have different bytes, so they get different tags.
    pub fn etag(self, id: &str) -> String {
        match self {
            Representation::Gzip => format!("\"{id}.gz\""),
            Representation::Plain => format!("\"{id}\""),
        }
    }
}

/// Whether `If-None-Match` lists `etag` (or `*`): the client's copy is current.
pub fn none_match(if_none_match: Option<&str>, etag: &str) -> bool {
    if_none_match.is_some_and(|header| {
        header.split(',').map(str::trim).any(|tag| {
            // The weak comparison RFC 9110 prescribes for If-None-Match.
            tag == "*" || tag.trim_start_matches("W/") == etag
        })
    })
}

/// What to send of a representation of `length` bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Extent {
    /// All of it (`200`).
    Whole,
    /// One byte range (`206` with `Content-Range`).
    Part(Range<u64>),
    /// A range that starts past the end (`416`).
    Unsatisfiable,
}

/// The extent a request asks for, from its `Range` and `If-Range` headers. Only single
/// `bytes` ranges are honoured; anything else (several ranges, other units, a malformed
/// header, or an `If-Range` that does not match `etag`) gets the whole representation,
/// as RFC 9110 allows.
pub fn extent(range: Option<&str>, if_range: Option<&str>, etag: &str, length: u64) -> Extent {
    let Some(spec) = range.and_then(|r| r.trim().strip_prefix("bytes=")) else {
        return Extent::Whole;
    };
    if if_range.is_some_and(|tag| tag.trim() != etag) {
        return Extent::Whole;
    }
    if spec.contains(',') {
        return Extent::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Extent::Whole;
    };
    let (first, last) = (first.trim(), last.trim());
    let range = if first.is_empty() {
        // A suffix: the last N bytes.
        match last.parse::<u64>() {
            Ok(0) => return Extent::Unsatisfiable,
            Ok(n) => length.saturating_sub(n)..length,
            Err(_) => return Extent::Whole,
        }
    } else {
        let Ok(start) = first.parse::<u64>() else {
            return Extent::Whole;
        };
        let end = if last.is_empty() {
            length
        } else {
            match last.parse::<u64>() {
                Ok(last) if last >= start => last.saturating_add(1).min(length),
                _ => return Extent::Whole,
            }
        };
        if start >= length {
            return Extent::Unsatisfiable;
        }
        start..end
    };
    if range.start == 0 && range.end == length {
        Extent::Whole
    } else {
        Extent::Part(range)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_chosen_from_any_list_that_accepts_it() {
        for header in [
            "gzip",
            "gzip, deflate, br",
            "deflate, GZIP;q=0.5",
            "x-gzip",
            "*",
            "br;q=1.0, *;q=0.1",
        ] {
            assert_eq!(
                Representation::negotiate(Some(header)),
                Representation::Gzip,
                "{header}"
            );
        }
        for header in [
            "identity",
            "br, deflate",
            "gzip;q=0",
            "*;q=0",
            "*, gzip;q=0",
        ] {
            assert_eq!(
                Representation::negotiate(Some(header)),
                Representation::Plain,
                "{header}"
            );
        }
        assert_eq!(Representation::negotiate(None), Representation::Plain);
    }

    #[test]
    fn each_representation_has_its_own_tag() {
        let id = "f92dcf16-63a2-448e-a12a-3bf677f966ed";
        assert_ne!(
            Representation::Gzip.etag(id),
            Representation::Plain.etag(id)
        );
        assert!(none_match(
            Some(&Representation::Plain.etag(id)),
            &Representation::Plain.etag(id)
        ));
        assert!(none_match(
            Some("\"other\", W/\"f92dcf16-63a2-448e-a12a-3bf677f966ed\""),
            &Representation::Plain.etag(id)
        ));
        assert!(none_match(Some("*"), "\"x\""));
        assert!(!none_match(
            Some(&Representation::Gzip.etag(id)),
            &Representation::Plain.etag(id)
        ));
        assert!(!none_match(None, "\"x\""));
    }

    #[test]
    fn single_byte_ranges_are_honoured() {
        let tag = "\"t\"";
        assert_eq!(
            extent(Some("bytes=0-99"), None, tag, 1000),
            Extent::Part(0..100)
        );
        assert_eq!(
            extent(Some("bytes=900-"), None, tag, 1000),
            Extent::Part(900..1000)
        );
        assert_eq!(
            extent(Some("bytes=-100"), None, tag, 1000),
            Extent::Part(900..1000)
        );
        assert_eq!(
            extent(Some("bytes=990-2000"), None, tag, 1000),
            Extent::Part(990..1000)
        );
        assert_eq!(extent(Some("bytes=0-"), None, tag, 1000), Extent::Whole);
        assert_eq!(
            extent(Some("bytes=1000-"), None, tag, 1000),
            Extent::Unsatisfiable
        );
        assert_eq!(
            extent(Some("bytes=-0"), None, tag, 1000),
            Extent::Unsatisfiable
        );
    }

    #[test]
    fn other_ranges_and_stale_if_range_get_the_whole_file() {
        let tag = "\"t\"";
        for range in [
            "bytes=0-1,5-6",
            "items=0-1",
            "bytes=abc",
            "bytes=5-1",
            "0-10",
        ] {
            assert_eq!(
                extent(Some(range), None, tag, 1000),
                Extent::Whole,
                "{range}"
            );
        }
        assert_eq!(extent(None, None, tag, 1000), Extent::Whole);
        assert_eq!(
            extent(Some("bytes=10-"), Some("\"old\""), tag, 1000),
            Extent::Whole
        );
        assert_eq!(
            extent(Some("bytes=10-"), Some(tag), tag, 1000),
            Extent::Part(10..1000)
        );
    }
}
