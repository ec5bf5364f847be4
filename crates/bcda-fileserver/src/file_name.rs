//! Which names can be export files: `<uuid>.ndjson`, `<uuid>-error.ndjson` or a v3
//! job's `warnings-and-info.ndjson`, nothing else. Checking the shape first means no
//! path trick ever reaches storage.

use uuid::Uuid;

/// Whether `name` has the shape of an export file name.
pub fn is_export_file(name: &str) -> bool {
    if name == bcda_model::export::WARNINGS_FILE_NAME {
        return true;
    }
    let Some(stem) = name.strip_suffix(".ndjson") else {
        return false;
    };
    let uuid = stem.strip_suffix("-error").unwrap_or(stem);
    uuid.len() == 36 && Uuid::try_parse(uuid).is_ok_and(|u| u.hyphenated().to_string() == uuid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_and_error_files_are_accepted() {
        assert!(is_export_file(
            "afd22dfa-c239-4063-8882-eb2712f9f638.ndjson"
        ));
        assert!(is_export_file(
            "afd22dfa-c239-4063-8882-eb2712f9f638-error.ndjson"
        ));
        assert!(is_export_file("warnings-and-info.ndjson"));
    }

    #[test]
    fn anything_else_is_refused() {
        for name in [
            "",
            ".ndjson",
            "../1/afd22dfa-c239-4063-8882-eb2712f9f638.ndjson",
            "afd22dfa-c239-4063-8882-eb2712f9f638.json",
            "AFD22DFA-C239-4063-8882-EB2712F9F638.ndjson",
            "afd22dfac2394063888eb2712f9f638abcd.ndjson",
            "afd22dfa-c239-4063-8882-eb2712f9f638.ndjson/../../etc/passwd",
            "afd22dfa-c239-4063-8882-eb2712f9f638-errors.ndjson",
        ] {
            assert!(!is_export_file(name), "{name}");
        }
    }
}
