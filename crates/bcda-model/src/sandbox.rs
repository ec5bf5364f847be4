//! The five sandbox ACOs of the BCDA sandbox user guide, with the credentials printed
//! there, two more of our own whose every export fails the way a real ACO's can, and an
//! ACO REACH entity that also receives partially adjudicated claims.
//! `bcda seed` creates them all, so the guide works as written against a fresh server
//! and a client can try BCDA's error paths without an operator.

/// One sandbox ACO and its published credential set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SandboxAco {
    pub cms_id: &'static str,
    /// The guide's size label.
    pub name: &'static str,
    /// Attributed synthetic beneficiaries.
    pub beneficiaries: u32,
    pub client_id: &'static str,
    pub client_secret: &'static str,
    pub standing: Standing,
}

/// What a sandbox ACO's exports meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Current attribution: exports work (the guide's five).
    Current,
    /// Its data stopped a year ago: attribution of the last performance year only, so
    /// every export is `404` with BCDA's stale-attribution message (runout's: expired).
    StaleAttribution,
    /// Denylisted: tokens are issued, every API and data request is `403`.
    Denied,
}

impl SandboxAco {
    /// Whether it is one of the sandbox guide's five credential sets.
    pub fn is_in_the_guide(&self) -> bool {
        ["A9990", "A9991", "A9992", "A9993", "A9994"].contains(&self.cms_id)
    }
}

/// Whether `cms_id` is a sandbox ACO: one of [`SANDBOX_ACOS`], or in BCDA's range of
/// test ACOs (`A9990` to `A9999`). Their clients are BCDA's own and the guide's readers,
/// so rules BCDA does not have (paced polling) leave them alone.
pub fn is_sandbox_aco(cms_id: &str) -> bool {
    let test_range =
        cms_id.len() == 5 && cms_id.starts_with("A999") && cms_id.as_bytes()[4].is_ascii_digit();
    test_range || SANDBOX_ACOS.iter().any(|aco| aco.cms_id == cms_id)
}

/// The guide's five credential sets, smallest first, then the stale-attribution and the
/// denylisted ones, then the ACO REACH entity.
pub const SANDBOX_ACOS: [SandboxAco; 8] = [
    SandboxAco {
        cms_id: "A9994",
        name: "Extra-Small ACO",
        beneficiaries: 50,
        client_id: "3841c594-a8c0-41e5-98cc-38bb45360d3c",
        client_secret: "f9780d323588f1cdfc3e63e95a8cbdcdd47602ff48a537b51dc5d7834bf466416a716bd4508e904a",
        standing: Standing::Current,
    },
    SandboxAco {
        cms_id: "A9990",
        name: "Small ACO",
        beneficiaries: 2_500,
        client_id: "d5f83f74-6c55-4f1e-9d16-0022688171ba",
        client_secret: "01c23cf3f31f82a5c2dcef5136a8eaa32959158351f4e28aaec5fc6550cb2a5b5d112c5b8aacc434",
        standing: Standing::Current,
    },
    SandboxAco {
        cms_id: "A9991",
        name: "Medium ACO",
        beneficiaries: 7_500,
        client_id: "8c75a6f6-02b9-4a47-96c1-0bd6efd4b5e3",
        client_secret: "e1c920141c4aca6b8f726fa8aa0f7b55e095fd1ea3368a5f24b3636fdc907f113d6677977c7259dd",
        standing: Standing::Current,
    },
    SandboxAco {
        cms_id: "A9992",
        name: "Large ACO",
        beneficiaries: 20_000,
        client_id: "f268a8c6-8a29-4d2b-8b92-263dc775750d",
        client_secret: "78ed083ad8e49475f36d04153649012b92c363a538ac97beaf0f7900403989581fc35324baa31e36",
        standing: Standing::Current,
    },
    SandboxAco {
        cms_id: "A9993",
        name: "Extra-Large ACO",
        beneficiaries: 30_000,
        client_id: "6152afb4-c555-46e4-93de-fa16a441d643",
        client_secret: "1ace5a0e9fdf0c3d713e8c029269eacd024732ccd59e2cf283374e0f8dc93b34429d71b77e55b9a2",
        standing: Standing::Current,
    },
    SandboxAco {
        cms_id: "A9996",
        name: "Stale-Attribution ACO",
        beneficiaries: 50,
        client_id: "6091a6ff-b5c1-4bbb-817a-52818f4df45a",
        client_secret: "84af80519922b9d77521ec2ac707122b013d3d4f32d57a4aebdfd82b4542578fb61d722d38cb155e",
        standing: Standing::StaleAttribution,
    },
    SandboxAco {
        cms_id: "A9997",
        name: "Denylisted ACO",
        beneficiaries: 50,
        client_id: "0b25af6a-deb7-4888-ab73-bbc560480c99",
        client_secret: "9c91d4a0d13c2f2a25cae3ff924804bd62d03d8f2ddba99442de7e503ec3fb7d5a7d6d89fbd89a9e",
        standing: Standing::Denied,
    },
    // An ACO REACH id (`D` and four digits): its model receives partially adjudicated
    // claims, so v2 exports add `Claim` and `ClaimResponse` to the default types.
    SandboxAco {
        cms_id: "D9990",
        name: "REACH ACO (partially adjudicated claims)",
        beneficiaries: 500,
        client_id: "705d6263-d9db-45e6-a945-bb92b2f0c2f6",
        client_secret: "0bc8c99f3ae93d44425283b79c9ab321a511ee3b5ec1f12fe165c160557c0538ca431e619d7b47da",
        standing: Standing::Current,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The guide's Option 1 curl example carries the base64 of the first credential set.
    #[test]
    fn extra_small_credentials_match_the_guides_encoded_example() {
        let aco = SANDBOX_ACOS[0];
        let plain = format!("{}:{}", aco.client_id, aco.client_secret);
        let encoded = "Mzg0MWM1OTQtYThjMC00MWU1LTk4Y2MtMzhiYjQ1MzYwZDNjOmY5NzgwZDMyMzU4OGYxY2RmYzNlNjNlOTVhOGNiZGNkZDQ3NjAyZmY0OGE1MzdiNTFkYzVkNzgzNGJmNDY2NDE2YTcxNmJkNDUwOGU5MDRh";
        assert_eq!(base64_decode(encoded), plain);
    }

    #[test]
    fn sandbox_acos_are_distinct() {
        for (i, a) in SANDBOX_ACOS.iter().enumerate() {
            for b in &SANDBOX_ACOS[i + 1..] {
                assert_ne!(a.cms_id, b.cms_id);
                assert_ne!(a.client_id, b.client_id);
            }
        }
    }

    #[test]
    fn sandbox_acos_are_the_listed_ones_and_bcdas_test_range() {
        for id in ["A9990", "A9995", "A9999", "D9990"] {
            assert!(is_sandbox_aco(id), "{id}");
        }
        for id in ["A1234", "A99901", "A999X", "D1234"] {
            assert!(!is_sandbox_aco(id), "{id}");
        }
    }

    /// A minimal standard-alphabet decoder: this crate takes no base64 dependency.
    fn base64_decode(input: &str) -> String {
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut bits = 0u32;
        let mut count = 0;
        let mut out = Vec::new();
        for c in input.bytes().filter(|&c| c != b'=') {
            let value = alphabet.iter().position(|&a| a == c).unwrap() as u32;
            bits = (bits << 6) | value;
            count += 6;
            if count >= 8 {
                count -= 8;
                out.push((bits >> count) as u8);
            }
        }
        String::from_utf8(out).unwrap()
    }
}
