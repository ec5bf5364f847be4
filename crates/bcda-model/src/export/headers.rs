//! The `Accept` and `Prefer` headers of a kick-off.

use super::{ExportError, Handling};

/// Checks the `Accept` and `Prefer` headers, in BCDA's order.
pub fn check_headers(accept: Option<&str>, prefer: Option<&str>) -> Result<(), ExportError> {
    let accept = accept
        .filter(|a| !a.trim().is_empty())
        .ok_or(ExportError::AcceptMissing)?;
    let fhir_json = accept.split(',').any(|media| {
        media
            .split(';')
            .next()
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/fhir+json"))
    });
    if !fhir_json {
        return Err(ExportError::AcceptUnsupported);
    }
    let prefer = prefer
        .filter(|p| !p.trim().is_empty())
        .ok_or(ExportError::PreferMissing)?;
    if !prefer
        .split(',')
        .any(|p| p.trim().eq_ignore_ascii_case("respond-async"))
    {
        return Err(ExportError::PreferUnsupported);
    }
    Ok(())
}

/// The handling a `Prefer` header asks for (`handling=lenient` among its preferences,
/// as RFC 7240 writes them); strict otherwise.
pub fn handling(prefer: Option<&str>) -> Handling {
    let lenient = prefer.is_some_and(|prefer| {
        prefer.split(',').any(|p| {
            p.split(';').next().is_some_and(|p| {
                p.split_once('=').is_some_and(|(name, value)| {
                    name.trim().eq_ignore_ascii_case("handling")
                        && value
                            .trim()
                            .trim_matches('"')
                            .eq_ignore_ascii_case("lenient")
                })
            })
        })
    });
    if lenient {
        Handling::Lenient
    } else {
        Handling::Strict
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_checked_as_bcda_does() {
        assert!(check_headers(Some("application/fhir+json"), Some("respond-async")).is_ok());
        assert!(
            check_headers(
                Some("Application/FHIR+JSON; q=0.9, */*"),
                Some("RESPOND-ASYNC")
            )
            .is_ok()
        );
        assert_eq!(
            check_headers(None, Some("respond-async")),
            Err(ExportError::AcceptMissing)
        );
        assert_eq!(
            check_headers(Some("application/json"), Some("respond-async")),
            Err(ExportError::AcceptUnsupported)
        );
        assert_eq!(
            check_headers(Some("application/fhir+json"), None),
            Err(ExportError::PreferMissing)
        );
        assert_eq!(
            check_headers(Some("application/fhir+json"), Some("return=minimal")),
            Err(ExportError::PreferUnsupported)
        );
    }

    #[test]
    fn handling_is_lenient_only_when_prefer_says_so() {
        assert_eq!(
            handling(Some("respond-async, handling=lenient")),
            Handling::Lenient
        );
        assert_eq!(
            handling(Some("handling=\"lenient\",respond-async")),
            Handling::Lenient
        );
        assert_eq!(
            handling(Some("respond-async, handling=strict")),
            Handling::Strict
        );
        assert_eq!(handling(Some("respond-async")), Handling::Strict);
        assert_eq!(handling(None), Handling::Strict);
    }
}
